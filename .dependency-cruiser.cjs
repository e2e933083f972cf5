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

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between modules (ARCHITECTURE §1: "no cycles").',
      from: { pathNot: '(^|/)node_modules/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles-in-api',
      severity: 'error',
      comment:
        'No cycles between the capability folders of apps/api/src (auth ↔ ingestion, realtime ↔ ingestion…).',
      scope: 'folder',
      from: { path: '^apps/api/src/[^/]+' },
      to: { path: '^apps/api/src/[^/]+', circular: true },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      comment: 'Dependencies point one way: apps → packages.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-never-import-each-other',
      severity: 'error',
      comment: 'The web app and the API share only packages (contracts, recurrence).',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      severity: 'error',
      comment:
        'packages/contracts is zod schemas only: the single source of truth imports no other workspace.',
      from: { path: '^packages/contracts/' },
      to: { path: '^(apps|packages)/', pathNot: '^packages/contracts/' },
    },
    {
      name: 'recurrence-is-pure',
      severity: 'error',
      comment:
        'packages/recurrence is pure functions over plain data: no other workspace, no I/O module (its tests may run an oracle).',
      // The conformance CLI and its worker thread are tooling shipped beside the engine, not the engine.
      from: { path: '^packages/recurrence/src/', pathNot: [TEST_FILE, '/conformance-(cli|worker)\\.ts$'] },
      to: {
        path: [
          '^(apps|packages)/',
          '^(node:)?(fs|fs/promises|net|http|https|child_process|worker_threads|dgram|tls)$',
        ],
        pathNot: '^packages/recurrence/',
      },
    },
    {
      name: 'e2e-and-bench-use-the-api-entry',
      severity: 'error',
      comment:
        'e2e/ and bench/ import the API through its entry point (@firstlight/api), never its internals.',
      from: { path: '^(e2e|bench)/' },
      to: { path: '^apps/api/', pathNot: '^apps/api/src/index\\.ts$' },
    },
    {
      name: 'api-folders-talk-through-index',
      severity: 'error',
      comment:
        'A capability folder of apps/api/src uses another only through its index.ts (its public surface); lib/ is shared.',
      from: { path: API_FOLDER },
      to: {
        path: '^apps/api/src/[^/]+/',
        pathNot: ['^apps/api/src/$1/', '^apps/api/src/[^/]+/index\\.ts$', '^apps/api/src/lib/'],
      },
    },
    {
      name: 'only-the-http-edge-imports-fastify',
      severity: 'error',
      comment:
        'Services, repositories and runtimes never import Fastify: only *-routes.ts, *-plugin.ts and the top-level assembly do.',
      from: {
        path: '^apps/api/src/[^/]+/',
        // security/ is request guards (headers, origin check, rate limits): HTTP through and through.
        pathNot: ['-routes\\.ts$', '-plugin\\.ts$', '^apps/api/src/security/', TEST_FILE],
      },
      to: { path: FASTIFY },
    },
    {
      name: 'routes-never-import-repositories',
      severity: 'error',
      comment: 'Routes call a service; SQL lives in *-repository.ts, behind it.',
      from: { path: '^apps/api/src/.+-routes\\.ts$' },
      to: { path: '-repository\\.ts$' },
    },
    {
      name: 'web-shared-never-imports-features',
      severity: 'error',
      comment: 'apps/web: shared code (lib/ and the rest outside features/) → features → app, never back.',
      from: {
        path: '^apps/web/src/',
        pathNot: ['^apps/web/src/features/', '^apps/web/src/(app|main)\\.tsx$'],
      },
      to: { path: '^apps/web/src/features/' },
    },
    {
      name: 'web-features-never-import-each-other',
      severity: 'error',
      comment: 'apps/web: a feature never imports another feature; what two need moves to lib/.',
      from: { path: '^apps/web/src/features/([^/]+)/' },
      to: { path: '^apps/web/src/features/', pathNot: '^apps/web/src/features/$1/' },
    },
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
