// `npm run bench [-- name ...]`: runs each benchmark in bench/ (or the named ones) in its own process; each
// prints a table and writes bench/results/<name>.json. Benchmarks print figures; they assert nothing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .map((file) => /^([a-z0-9-]+)\.bench\.(ts|mjs)$/.exec(file))
  .filter(Boolean)
  .map((match) => ({ name: match[1], file: match[0] }));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !available.some((bench) => bench.name === name));
if (unknown.length) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; available: ${available.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
const selected = wanted.length ? available.filter((bench) => wanted.includes(bench.name)) : available;
let failed = 0;
for (const bench of selected) {
  console.log(`\n== ${bench.name}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${bench.file}`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
