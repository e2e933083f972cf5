// `npm run check:deps`: the import rules of .dependency-cruiser.cjs over the repository. Prints every
// violation; those listed in .dependency-cruiser-known-violations.json (today's debt) pass, any other fails.
// `--update` rewrites that list with what is found now (the lead empties it as the fixes land).
//
// Why not `depcruise --ignore-known` alone: it leaves folder-level violations (the folder-cycle rule) unsoftened
// (dependency-cruiser 18: "TODO: folder level violations"), so CI would fail on known folder cycles. The list
// keeps dependency-cruiser's own baseline format (`--output-type baseline`).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const baselinePath = join(root, '.dependency-cruiser-known-violations.json');
const SCANNED = ['apps', 'packages', 'e2e', 'bench', 'scripts'];

/** One violation's identity: rule, ends and (for a cycle) the modules or folders it goes through. */
export function violationKey(v) {
  const cycle = v.cycle ? ` via ${v.cycle.map((step) => step.name).join(' → ')}` : '';
  return `${v.rule.name}: ${v.from} → ${v.to}${cycle}`;
}

function cruise() {
  const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
  const run = spawnSync(
    process.execPath,
    [bin, ...SCANNED, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', '--no-cache'],
    { cwd: root, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
  );
  if (!run.stdout.trim().startsWith('{')) {
    throw new Error(`dependency-cruiser failed (exit ${run.status}): ${run.stderr || run.stdout}`);
  }
  return JSON.parse(run.stdout).summary.violations.filter((v) => v.rule.severity !== 'ignore');
}

/** Violations against the known list: every one is printed; a new one fails. */
export function compare(found, known) {
  const knownKeys = new Set(known.map(violationKey));
  const foundKeys = new Set(found.map(violationKey));
  const lines = [];
  let failures = 0;
  for (const key of [...foundKeys].sort()) {
    const isKnown = knownKeys.has(key);
    if (!isKnown) failures++;
    lines.push(`${isKnown ? 'known' : 'NEW  '}  ${key}`);
  }
  for (const key of [...knownKeys].filter((key) => !foundKeys.has(key)).sort()) {
    lines.push(`fixed  ${key}: remove it from .dependency-cruiser-known-violations.json`);
  }
  return { lines, failures };
}

function main() {
  const found = cruise();
  if (process.argv.includes('--update')) {
    const baseline = found.map(({ type, from, to, rule, cycle }) => ({
      type,
      from,
      to,
      rule: { severity: rule.severity, name: rule.name },
      ...(cycle ? { cycle } : {}),
    }));
    writeFileSync(baselinePath, `${JSON.stringify(baseline, null, 2)}\n`);
    console.log(
      `check-deps: wrote ${found.length} known violations to .dependency-cruiser-known-violations.json`,
    );
    return;
  }
  const report = compare(found, JSON.parse(readFileSync(baselinePath, 'utf8')));
  for (const line of report.lines) (line.startsWith('NEW') ? console.error : console.log)(line);
  console.log(`check-deps: ${found.length} violations of .dependency-cruiser.cjs (${report.failures} new)`);
  if (report.failures > 0) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
