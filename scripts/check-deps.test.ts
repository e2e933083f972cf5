import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { compare, violationKey } from './check-deps.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));

/** One import that breaks each rule, laid out as in the repository. */
const BREAKING: Record<string, [string, string]> = {
  'contracts-import-nothing-of-ours': ['packages/contracts/src/a.ts', "import '../../db/src/b.ts';"],
  'packages-never-import-apps': ['packages/db/src/b.ts', "import '../../../apps/api/src/config.ts';"],
  'recurrence-is-pure': ['packages/recurrence/src/c.ts', "import 'node:fs';"],
  'e2e-and-bench-use-the-api-entry': ['e2e/d.ts', "import '../apps/api/src/config.ts';"],
  'apps-never-import-each-other': ['apps/web/src/e.ts', "import '../../api/src/index.ts';"],
  'web-shared-never-imports-features': ['apps/web/src/lib/f.ts', "import '../features/inbox/g.ts';"],
  'web-features-never-import-each-other': ['apps/web/src/features/inbox/g.ts', "import '../calendar/h.ts';"],
  'only-the-http-edge-imports-fastify': ['apps/api/src/emails/email-service.ts', "import 'fastify';"],
  'routes-never-import-repositories': [
    'apps/api/src/emails/email-routes.ts',
    "import './email-repository.ts';",
  ],
  'api-folders-talk-through-index': ['apps/api/src/health/i.ts', "import '../web/j.ts';"],
  'no-circular': ['apps/api/src/web/j.ts', "import '../health/i.ts';"],
};
/** And what the rules allow: through an index, the top-level assembly, the HTTP edge, a folder's own files. */
const ALLOWED: Record<string, string> = {
  'apps/api/src/ops/ops-service.ts': "import '../auth/index.ts'; import '../lib/errors.ts';",
  'apps/api/src/auth/index.ts': "import './auth-service.ts';",
  'apps/api/src/app.ts': "import './ops/ops-service.ts'; import 'fastify';",
  'apps/api/src/ops/ops-routes.ts': "import 'fastify'; import './ops-service.ts';",
  'apps/web/src/app.tsx': "import './features/inbox/g.ts';",
  'bench/k.ts': "import '../apps/api/src/index.ts';",
};

describe('check-deps: .dependency-cruiser.cjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firstlight-depcruise-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each rule broken once, and nothing the architecture allows', () => {
    const files: Record<string, string> = { ...ALLOWED };
    for (const [path, text] of Object.values(BREAKING)) files[path] = `${files[path] ?? ''}${text}\n`;
    for (const empty of [
      'apps/api/src/config.ts',
      'apps/api/src/index.ts',
      'apps/api/src/auth/auth-service.ts',
      'apps/api/src/lib/errors.ts',
      'apps/api/src/emails/email-repository.ts',
      'apps/web/src/features/calendar/h.ts',
    ]) {
      files[empty] ??= 'export {};\n';
    }
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
    copyFileSync(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');
    let output = '';
    try {
      output = execFileSync(
        process.execPath,
        [bin, 'apps', 'packages', 'e2e', 'bench', '--config', '.dependency-cruiser.cjs', '-T', 'json'],
        { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      output = (error as { stdout: string }).stdout; // exits non-zero on violations, as it should here
    }
    const violations: { rule: { name: string }; from: string }[] = JSON.parse(output).summary.violations;
    const broken = new Set(violations.map((v) => v.rule.name));
    expect([...broken].sort()).toEqual([...Object.keys(BREAKING), 'no-folder-cycles-in-api'].sort());
    for (const path of Object.keys(ALLOWED)) {
      expect(violations.filter((v) => v.from === path && v.rule.name !== 'no-circular')).toEqual([]);
    }
  }, 60_000);

  it('passes known violations and fails new ones, naming fixed ones', () => {
    const v = (from: string) => ({
      type: 'dependency',
      from,
      to: 'x.ts',
      rule: { name: 'r', severity: 'error' },
    });
    const report = compare([v('a.ts'), v('b.ts')], [v('a.ts'), v('gone.ts')]);
    expect(report.failures).toBe(1);
    expect(report.lines).toEqual([
      `known  ${violationKey(v('a.ts'))}`,
      `NEW    ${violationKey(v('b.ts'))}`,
      `fixed  ${violationKey(v('gone.ts'))}: remove it from .dependency-cruiser-known-violations.json`,
    ]);
  });
});
