/**
 * The architecture's import rules (ARCHITECTURE.md, STYLE.md), checked by `npm run check:deps` (part of
 * `npm run lint`, so CI fails on a violation; scripts/check-deps.mjs, tested by scripts/check-deps.test.ts).
 * Today's known violations are listed in .dependency-cruiser-known-violations.json: they are printed, only a new
 * one fails. Regenerate that list only to shrink it (`npm run check:deps -- --update`).
 *
 * Naming rules the checks rely on (apps/api/src):
 * - a capability folder (`auth/`, `ingestion/`, …) is used by other folders only through its `index.ts`; the
 *   top-level files (`app.ts`, `main.ts`, `runtime.ts`, …) assemble the app and may reach into any folder;
 *   `lib/` is the shared toolbox (errors, logging policy), used directly by every folder;
 * - the HTTP edge is the files named `*-routes.ts` and `*-plugin.ts`, the `security/` guards and the top-level
 *   assembly: only they import Fastify; everything else (services, repositories, runtimes) is plain TypeScript;
 * - SQL lives in `*-repository.ts`, which routes never import.
 */

/** An apps/api/src capability folder: the first path segment under src that is a folder. */
const API_FOLDER = '^apps/api/src/([^/]+)/';
const FASTIFY = '(^|/)node_modules/(fastify|fastify-plugin|fastify-type-provider-zod|@fastify/[^/]+)/';
const TEST_FILE = '\\.test\\.tsx?$';
const IO_MODULES = '^(node:)?(fs|fs/promises|net|http|https|child_process|worker_threads|dgram|tls)$';

/** A rule that fails CI: `from` may not import `to` (dependency-cruiser's `forbidden` entries). */
const forbid = (name, comment, from, to, extra = {}) => ({
  name,
  severity: 'error',
  comment,
  from,
  to,
  ...extra,
});

module.exports = {
  forbidden: [
    forbid(
      'no-circular',
      'No import cycles between modules (ARCHITECTURE §1: "no cycles").',
      { pathNot: '(^|/)node_modules/' },
      { circular: true },
    ),
    forbid(
      'no-folder-cycles-in-api',
      'No cycles between the capability folders of apps/api/src (auth ↔ ingestion, realtime ↔ ingestion…).',
      { path: '^apps/api/src/[^/]+' },
      { path: '^apps/api/src/[^/]+', circular: true },
      { scope: 'folder' },
    ),
    forbid(
      'packages-never-import-apps',
      'Dependencies point one way: apps → packages.',
      { path: '^packages/' },
      { path: '^apps/' },
    ),
    forbid(
      'apps-never-import-each-other',
      'The web app and the API share only packages (contracts, recurrence).',
      { path: '^apps/([^/]+)/' },
      { path: '^apps/', pathNot: '^apps/$1/' },
    ),
    forbid(
      'contracts-import-nothing-of-ours',
      'packages/contracts is zod schemas only: the single source of truth imports no other workspace.',
      { path: '^packages/contracts/' },
      { path: '^(apps|packages)/', pathNot: '^packages/contracts/' },
    ),
    forbid(
      'recurrence-is-pure',
      'packages/recurrence is pure functions over plain data: no other workspace, no I/O module.',
      // Its tests (an oracle in Python) and the conformance CLI with its worker thread are tooling, not the engine.
      { path: '^packages/recurrence/src/', pathNot: [TEST_FILE, '/conformance-(cli|worker)\\.ts$'] },
      { path: ['^(apps|packages)/', IO_MODULES], pathNot: '^packages/recurrence/' },
    ),
    forbid(
      'e2e-and-bench-use-the-api-entry',
      'e2e/ and bench/ import the API through its entry point (@firstlight/api), never its internals.',
      { path: '^(e2e|bench)/' },
      { path: '^apps/api/', pathNot: '^apps/api/src/index\\.ts$' },
    ),
    forbid(
      'api-folders-talk-through-index',
      'A capability folder of apps/api/src uses another only through its index.ts (its public surface); lib/ is shared.',
      { path: API_FOLDER },
      {
        path: '^apps/api/src/[^/]+/',
        pathNot: ['^apps/api/src/$1/', '^apps/api/src/[^/]+/index\\.ts$', '^apps/api/src/lib/'],
      },
    ),
    forbid(
      'only-the-http-edge-imports-fastify',
      'Services, repositories and runtimes never import Fastify: only *-routes.ts, *-plugin.ts and the top-level assembly do.',
      // security/ is request guards (headers, origin check, rate limits): HTTP through and through.
      {
        path: '^apps/api/src/[^/]+/',
        pathNot: ['-routes\\.ts$', '-plugin\\.ts$', '^apps/api/src/security/', TEST_FILE],
      },
      { path: FASTIFY },
    ),
    forbid(
      'routes-never-import-repositories',
      'Routes call a service; SQL lives in *-repository.ts, behind it.',
      { path: '^apps/api/src/.+-routes\\.ts$' },
      { path: '-repository\\.ts$' },
    ),
    forbid(
      'web-shared-never-imports-features',
      'apps/web: shared code (lib/ and the rest outside features/) → features → app, never back.',
      { path: '^apps/web/src/', pathNot: ['^apps/web/src/features/', '^apps/web/src/(app|main)\\.tsx$'] },
      { path: '^apps/web/src/features/' },
    ),
    forbid(
      'web-features-never-import-each-other',
      'apps/web: a feature never imports another feature; what two need moves to lib/.',
      { path: '^apps/web/src/features/([^/]+)/' },
      { path: '^apps/web/src/features/', pathNot: '^apps/web/src/features/$1/' },
    ),
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: ['(^|/)dist/', '(^|/)\\.data/', '^bench/results/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.mjs', '.js', '.d.ts'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
