/**
 * The conformance CLI's worker thread: runs the cases it is sent, one at a time, so that the main thread can
 * time each one out (a hanging case is terminated with its worker and counted as a failure).
 */
import { parentPort } from 'node:worker_threads';
import { runCaseSafely } from './conformance.ts';
import type { ConformanceCase } from './conformance-case.ts';

// Test hook (conformance-cases.test.ts): a case of this name hangs, as an engine defect would.
const hang = process.env.CONFORMANCE_TEST_HANG_CASE;

parentPort!.on('message', (c: ConformanceCase) => {
  if (hang !== undefined && c.name === hang) for (;;);
  parentPort!.postMessage(runCaseSafely(c));
});
