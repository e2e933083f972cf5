/**
 * Time to first data: N sign-ins against the emulator's Google-like latency. For each, the time from the
 * callback's start to the first page stored (`first_data_ms`, measured in the server) and the callback's
 * wall time as the browser sees it (redirect to /inbox with the rows already there); with Chromium, the time
 * from the callback request to the first email row painted. Side by side, the naive design: the callback
 * stores the whole first 1000-message batch before the user sees anything (`naive-first-batch.ts`).
 *   npm run bench -- ttfd            (SIGNINS=20, BROWSER_SIGNINS=10 by default)
 */

// @ts-expect-error: a plain .mjs script without types
import { ensureWebBuild } from '../scripts/ensure-web-build.mjs';
import { firstRowPaintMs } from './first-row-in-chromium.ts';
import { naiveCallbackMs } from './naive-first-batch.ts';
import { signInOverHttp } from './sign-in-http.ts';
import { percentile, printTable, startBenchProduct, writeResult } from './support.ts';

const signIns = Number(process.env.SIGNINS ?? 20);
const browserSignIns = Number(process.env.BROWSER_SIGNINS ?? 10);
const mailbox = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com`, mailboxSize: 5000 }));
const ours = mailbox('user', signIns);
const naive = mailbox('naive', signIns);
const inBrowser = mailbox('browser', browserSignIns);
// Built before the product starts: a rebuild under a serving product would fail the first run's browser part.
(ensureWebBuild as () => boolean)();
const product = await startBenchProduct({ accounts: [...ours, ...naive, ...inBrowser], autoApprove: true });
try {
  const callbackMs: number[] = [];
  for (const account of ours) {
    callbackMs.push((await signInOverHttp(product.url, account.email)).callbackMs);
  }
  const jobs = await product.db.selectFrom('ingestion_jobs').select('first_data_ms').execute();
  const firstData = jobs.map((job) => job.first_data_ms ?? Number.NaN);

  const naiveMs: number[] = [];
  for (const account of naive)
    naiveMs.push(await naiveCallbackMs(product.db, product.emulator.url, account.email));

  const paintMs = await firstRowPaintMs(
    product.url,
    inBrowser.map((account) => account.email),
  );

  const figures: Record<string, number> = {
    median_ms: percentile(firstData, 50),
    p95_ms: percentile(firstData, 95),
    callback_median_ms: Math.round(percentile(callbackMs, 50)),
    callback_p95_ms: Math.round(percentile(callbackMs, 95)),
    sign_ins: signIns,
  };
  if (paintMs) {
    figures.first_row_painted_median_ms = Math.round(percentile(paintMs, 50));
    figures.first_row_painted_p95_ms = Math.round(percentile(paintMs, 95));
    figures.browser_sign_ins = paintMs.length;
  }
  const baseline = {
    median_ms: Math.round(percentile(naiveMs, 50)),
    p95_ms: Math.round(percentile(naiveMs, 95)),
    first_batch_messages: 1000,
    sign_ins: signIns,
  };
  printTable(`ttfd — ${signIns} sign-ins each, emulator latency 'google'`, [
    ['first page stored (50 messages), median (ms)', figures.median_ms!],
    ['first page stored (50 messages), p95 (ms)', figures.p95_ms!],
    ['callback round trip, median (ms)', figures.callback_median_ms!],
    ['callback round trip, p95 (ms)', figures.callback_p95_ms!],
    ...(paintMs
      ? ([
          [
            `Chromium: callback → first row painted, median (ms, ${paintMs.length} sign-ins)`,
            figures.first_row_painted_median_ms!,
          ],
          ['Chromium: callback → first row painted, p95 (ms)', figures.first_row_painted_p95_ms!],
        ] as [string, number][])
      : [['Chromium', 'not installed: browser figures left out'] as [string, string]]),
    ['naive: first 1000 messages stored before the redirect, median (ms)', baseline.median_ms],
    ['naive: the same, p95 (ms)', baseline.p95_ms],
  ]);
  await writeResult('ttfd', figures, baseline);
} finally {
  await product.close();
}
