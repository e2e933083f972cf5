/** What other folders use of ops: the metrics they count into, and who holds the ops role. */

export { Metrics } from './metrics.ts';
export { hasOpsRole } from './ops-access.ts';
