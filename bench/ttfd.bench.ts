/**
 * Time to first data: N sign-ins against the emulator's Google-like latency. For each, the time from the
 * callback's start to the first page stored (`first_data_ms`, measured in the server) and the callback's
 * wall time as the browser sees it (redirect to /inbox with the rows already there).
 *   npm run bench -- ttfd            (SIGNINS=20 by default)
 */

import { signInOverHttp } from './sign-in-http.ts';
import { percentile, printTable, startBenchProduct, writeResult } from './support.ts';

const signIns = Number(process.env.SIGNINS ?? 20);
const accounts = Array.from({ length: signIns }, (_, i) => ({
  email: `user${i}@example.com`,
  mailboxSize: 5000,
}));
const product = await startBenchProduct({ accounts, autoApprove: true });
try {
  const callbackMs: number[] = [];
  for (const account of accounts) {
    callbackMs.push((await signInOverHttp(product.url, account.email)).callbackMs);
  }
  const jobs = await product.db.selectFrom('ingestion_jobs').select('first_data_ms').execute();
  const firstData = jobs.map((job) => job.first_data_ms ?? Number.NaN);
  const figures = {
    median_ms: percentile(firstData, 50),
    p95_ms: percentile(firstData, 95),
    callback_median_ms: percentile(callbackMs, 50),
    callback_p95_ms: percentile(callbackMs, 95),
    sign_ins: signIns,
  };
  printTable(`ttfd — ${signIns} sign-ins, emulator latency 'google'`, [
    ['first page stored, median (ms)', figures.median_ms],
    ['first page stored, p95 (ms)', figures.p95_ms],
    ['callback round trip, median (ms)', Math.round(figures.callback_median_ms)],
    ['callback round trip, p95 (ms)', Math.round(figures.callback_p95_ms)],
  ]);
  await writeResult('ttfd', figures);
} finally {
  await product.close();
}
