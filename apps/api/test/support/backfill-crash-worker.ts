/**
 * A disposable API process for the crash test: builds the real app (embedded queue) on the test's database,
 * signs the user in — which starts the backfill — prints `signed-in`, then works until the test SIGKILLs it.
 * A killed process runs no shutdown hook: its leases stay in the database and its pg-boss jobs stay active,
 * which is what a crashed Cloud Run instance leaves behind.
 *
 * Run as `node --import tsx backfill-crash-worker.ts` with FIRSTLIGHT_CRASH_WORKER = JSON of
 * `AppOnDatabaseOptions & { email?: string }`.
 */
import { type AppOnDatabaseOptions, buildAppOnDatabase } from './backfill-app.ts';
import { signIn } from './sign-in.ts';

const options = JSON.parse(process.env.FIRSTLIGHT_CRASH_WORKER ?? '') as AppOnDatabaseOptions & {
  email?: string;
};
const { app } = await buildAppOnDatabase(options);
// Without an email: a restarted instance, which signs nobody in and only works what the database says.
if (options.email) await signIn(app, options.email);
process.stdout.write('signed-in\n');
// The queue's workers keep the event loop busy; this keeps the process up should they idle.
setInterval(() => {}, 60_000);
