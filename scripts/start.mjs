// `npm start`: build the SPA if needed, then run the API (which serves it) in this process through tsx.
// One process means Ctrl-C reaches the API's own shutdown, which stops the embedded PostgreSQL last.
import { register } from 'tsx/esm/api';
import { ensureWebBuild } from './ensure-web-build.mjs';

ensureWebBuild();
register();
await import('../apps/api/src/main.ts');
