import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { encodeEmailCursor, newestEmailPosition } from '../emails/index.ts';
import type { GoogleSettings, OAuth2Client } from '../google/index.ts';
import { recordIngestFailures } from '../ingest-failures/index.ts';
import { fetchFirstPage, GONE } from '../providers/index.ts';
import type { EventBus } from '../realtime/index.ts';
import type { BackfillStarter } from './backfill-port.ts';
import { activeMailboxJob, completedMailboxJob, insertJob, recordFirstPage } from './job-repository.ts';

export interface OnboardingDeps {
  db: Kysely<Database>;
  bus: EventBus;
  settings: GoogleSettings;
  backfill: BackfillStarter;
  pageSize: number;
}

export interface OnboardingResult {
  jobId: string;
  stored: number;
  firstDataMs: number;
}

/**
 * After sign-in: the account's mailbox job (a re-sign-in resumes the unfinished one), the first page stored,
 * `first_data_ms` recorded (from the callback's start), `emails_ready` published, then the backfill handed off.
 */
export async function onboardMailbox(
  deps: OnboardingDeps,
  input: { userId: string; accountId: string; oauth: OAuth2Client; startedAt: number },
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

  const page = await fetchFirstPage({
    db: deps.db,
    oauth: input.oauth,
    settings: deps.settings,
    userId: input.userId,
    accountId: input.accountId,
    pageSize: deps.pageSize,
  });
  await recordIngestFailures(
    deps.db,
    { accountId: input.accountId, userId: input.userId },
    'gmail',
    page.failed
      .filter((failure) => failure.reason !== GONE) // deleted since listing
      .map((failure) => ({ itemId: failure.gmailId, reason: failure.reason })),
  );
  const firstDataMs = Math.round(performance.now() - input.startedAt);
  const newest = await newestEmailPosition(deps.db, input.userId);

  await deps.db.transaction().execute(async (trx) => {
    await recordFirstPage(trx, job.id, {
      firstDataMs,
      estimate: page.messagesTotal,
      cursor: page.newestHistoryId,
      stored: page.stored,
    });
    await deps.bus.publish(trx, input.userId, {
      type: 'emails_ready',
      jobId: job.id,
      count: page.stored,
      newestCursor: newest ? encodeEmailCursor(newest) : null,
    });
  });

  if (job.status === 'complete') return { jobId: job.id, stored: page.stored, firstDataMs };
  await deps.backfill.start({
    jobId: job.id,
    userId: input.userId,
    accountId: input.accountId,
    firstPageIds: page.listedIds,
  });
  return { jobId: job.id, stored: page.stored, firstDataMs };
}
