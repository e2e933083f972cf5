// `npm run bench [-- name]`: runs the benchmarks in bench/ (each prints a table and writes
// bench/results/<name>.json). The benchmark suite arrives with its issue; this lists what exists.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const benches = readdirSync(dir).filter((name) => /^[a-z0-9-]+\.bench\.(mjs|ts)$/.test(name));
if (benches.length === 0) {
  console.log('no benchmarks yet');
} else {
  console.log(`benchmarks: ${benches.join(', ')}`);
}
