import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { encodeEmailCursor, newestEmailPosition, storeEmails } from '../emails/index.ts';
import { recordIngestFailures } from '../ingest-failures/index.ts';
import type { MailPacing, MailProviders } from '../providers/index.ts';
import type { QuotaGrants } from '../quota/index.ts';
import type { EventBus } from '../realtime/index.ts';
import type { BackfillStarter } from './backfill-port.ts';
import { activeMailboxJob, completedMailboxJob, insertJob, recordFirstPage } from './job-repository.ts';

export interface OnboardingDeps {
  db: Kysely<Database>;
  bus: EventBus;
  backfill: BackfillStarter;
  pageSize: number;
  /** Mail adapters by `accounts.provider`: the first page goes through the same port as the backfill. */
  mail: MailProviders;
  /** The quota port: the first page is its interactive class (a person is waiting; served before any backfill). */
  quota: QuotaGrants;
  /** Attempts of one call before the first page gives up (the backfill then fetches those messages). */
  maxAttempts: number;
}

export interface OnboardingInput {
  userId: string;
  accountId: string;
  /** `accounts.provider` of the account just signed in. */
  provider: string;
  /** The credentials the sign-in just obtained (opaque here; the provider's adapter knows them). */
  grant: unknown;
  startedAt: number;
}

export interface OnboardingResult {
  jobId: string;
  stored: number;
  firstDataMs: number;
  /** Where `firstDataMs` went (ms): the sign-in before this, waiting for quota, Google's calls, our writes. */
  phases: { signInMs: number; quotaWaitMs: number; fetchMs: number; storeMs: number };
}

/**
 * After sign-in: the account's mailbox job (a re-sign-in resumes the unfinished one), the first page stored,
 * `first_data_ms` recorded (from the callback's start), `emails_ready` published, then the backfill handed off.
 */
export async function onboardMailbox(
  deps: OnboardingDeps,
  input: OnboardingInput,
): Promise<OnboardingResult> {
  // A mailbox already backfilled is kept current by incremental sync: a new sign-in must not start over.
  const synced = await completedMailboxJob(deps.db, input.accountId);
  const job =
    (await activeMailboxJob(deps.db, input.accountId)) ??
    synced ??
    (await insertJob(deps.db, {
      user_id: input.userId,
      account_id: input.accountId,
      kind: 'gmail_backfill',
    }));

  const account = { userId: input.userId, accountId: input.accountId };
  const provider = deps.mail[input.provider];
  if (!provider) throw new Error(`no mail provider ${input.provider} for account ${input.accountId}`);
  const fetchStarted = performance.now();
  const pacing = interactivePacing(deps.quota, account.accountId);
  const source = await provider.open(account, { pacing, maxAttempts: deps.maxAttempts, grant: input.grant });
  const page = await source.firstPage(deps.pageSize);
  const { fetched } = page;
  const storeStarted = performance.now();
  const { stored, refused } = await storeEmails(deps.db, fetched.emails);
  // Unparseable or refused by the database: recorded, and the rest is stored. Gone since listing: not failures.
  const failures = [
    ...fetched.failures.map((failure) => ({ itemId: failure.messageId, reason: failure.reason })),
    ...refused.map((row) => ({ itemId: row.gmailId, reason: row.reason })),
  ];
  await recordIngestFailures(deps.db, account, provider.failureSource, failures);
  const firstDataMs = Math.round(performance.now() - input.startedAt);
  const phases = {
    signInMs: Math.round(fetchStarted - input.startedAt),
    quotaWaitMs: Math.round(pacing.waitedMs),
    fetchMs: Math.round(storeStarted - fetchStarted - pacing.waitedMs),
    storeMs: Math.round(performance.now() - storeStarted),
  };
  const newest = await newestEmailPosition(deps.db, input.userId);

  await deps.db.transaction().execute(async (trx) => {
    await recordFirstPage(trx, job.id, {
      firstDataMs,
      estimate: page.totalEstimate,
      cursor: page.cursor,
      stored,
    });
    await deps.bus.publish(trx, input.userId, {
      type: 'emails_ready',
      jobId: job.id,
      count: stored,
      newestCursor: newest ? encodeEmailCursor(newest) : null,
    });
  });

  if (job.status === 'complete') return { jobId: job.id, stored, firstDataMs, phases };
  await deps.backfill.start({
    jobId: job.id,
    userId: input.userId,
    accountId: input.accountId,
    firstPageIds: page.listedIds,
  });
  return { jobId: job.id, stored, firstDataMs, phases };
}

/**
 * The first page's calls, charged to the interactive class under the account's quota. No per-process
 * concurrency cap and no yielding to sign-ins: this is the sign-in.
 */
function interactivePacing(
  quota: QuotaGrants,
  accountId: string,
): MailPacing & { readonly waitedMs: number } {
  let waitedMs = 0; // time spent waiting for the grant (the phases' quota wait)
  return {
    get waitedMs() {
      return waitedMs;
    },
    async run(units, call, signal) {
      const asked = performance.now();
      await quota.take({ resource: 'gmail', user: accountId, class: 'interactive', units }, signal);
      waitedMs += performance.now() - asked;
      return call();
    },
    penalise: (ms) => quota.penalise('gmail', { user: accountId }, ms),
  };
}
