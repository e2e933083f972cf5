// `npm start`: build the SPA if needed, then run the API (which serves it) in this process through tsx.
// One process means Ctrl-C reaches the API's own shutdown, which stops the embedded PostgreSQL last.
import { register } from 'tsx/esm/api';
import { ensureWebBuild } from './ensure-web-build.mjs';

// On Linux `npm install` brings Node 24 (node_modules/.bin/node, first on PATH in npm scripts); elsewhere the
// machine's own Node must be 24 or newer. Say so plainly rather than fail somewhere inside pg-boss.
if (Number(process.versions.node.split('.')[0]) < 24) {
  console.error(
    `firstlight: Node.js ${process.version} is too old: Node.js 24 or newer is needed (see .nvmrc)`,
  );
  process.exit(1);
}
ensureWebBuild();
register();
await import('../apps/api/src/main.ts');
