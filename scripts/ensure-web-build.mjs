// Builds the SPA when there is no build, or when its sources are newer than the build, so `npm start`
// never serves a stale page after a `git pull`.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const builtIndex = join(root, 'apps/web/dist/index.html');
const sources = [
  'apps/web/src',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'packages/contracts/src',
  'packages/recurrence/src',
];

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export function ensureWebBuild() {
  const builtAt = newestMtime(builtIndex);
  const changedAt = Math.max(...sources.map((source) => newestMtime(join(root, source))));
  if (builtAt && builtAt >= changedAt) return false;
  console.log(builtAt ? 'web app sources changed: rebuilding…' : 'building the web app (first start)…');
  execFileSync('npm', ['run', 'build', '--silent', '--workspace', '@firstlight/web'], {
    cwd: root,
    stdio: 'inherit',
    // Always the production bundle: called from the browser tests, the caller's NODE_ENV is `test`, and Vite would
    // then ship React's development build (1.5× the bytes, slower) — which `npm start` would go on serving.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureWebBuild();
