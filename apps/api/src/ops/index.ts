/** Ops: the operator's API, the metrics every capability records, and who holds the ops role. */
export { Metrics } from './metrics.ts';
export { hasOpsRole } from './ops-access.ts';
export { opsRoutes } from './ops-routes.ts';
