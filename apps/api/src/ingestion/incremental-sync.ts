import type { MailSyncTask } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { markNeedsReauth as markAccountNeedsReauth } from '../accounts/index.ts';
import { encodeEmailCursor, newestEmailPosition, storeEmails } from '../emails/index.ts';
import { recordIngestFailures } from '../ingest-failures/index.ts';
import { type FetchedMail, type MailProvider, type MailSource, ReauthRequired } from '../providers/index.ts';
import type { TaskResult } from '../tasks/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { storedIds } from './batch-reads-repository.ts';
import { WorkStopped } from './lease-heartbeat.ts';
import { forgetAccount, openMailSource } from './mail-sources.ts';
import {
  advanceCursor,
  deleteEmails,
  findSyncTarget,
  recordSyncError,
  type SyncTarget,
} from './sync-repository.ts';
import { withWorkLease } from './work-lease.ts';
import { renewWorkLease } from './work-lease-repository.ts';

/** The bounded re-list after a 404: at most this many `messages.list` pages of `RELIST_PAGE_SIZE`. */
export const RELIST_MAX_PAGES = 5;
export const RELIST_PAGE_SIZE = 500;

export type SyncOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'history'; added: number; deleted: number; cursor: string }
  | { kind: 'relisted'; added: number; pages: number; caughtUp: boolean; cursor: string };

/**
 * Incremental sync of one account (ARCHITECTURE §3 step 6), run by the `mail-sync` task: `history.list` from
 * the stored historyId, added messages fetched and upserted, deleted ones removed, and the cursor moved to the
 * answer's `historyId` in the transaction that stores the last page (never ahead of the rows, never back).
 * A 404 (history expired) falls back to a bounded re-list of the newest mail. A revoked grant marks the
 * account `needs_reauth` and ends the task; anything else leaves the cursor where it was for the queue's retry.
 */
export async function runIncrementalSync(
  deps: BackfillDeps,
  task: MailSyncTask,
  signal?: AbortSignal,
): Promise<TaskResult> {
  try {
    const outcome = await syncAccount(deps, task.accountId, signal);
    if (outcome.kind !== 'skipped' && (outcome.added > 0 || ('deleted' in outcome && outcome.deleted > 0))) {
      deps.log.info({ accountId: task.accountId, ...outcome }, 'gmail sync applied');
    }
    return { outcome: 'done' };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Stopped before its last write: the cursor did not move, the next sync starts where this one did.
    if (error instanceof WorkStopped) {
      return error.reason === 'shutdown' ? { outcome: 'retry', reason } : { outcome: 'done' };
    }
    if (error instanceof ReauthRequired) {
      await markNeedsReauth(deps, task.accountId, reason);
      return { outcome: 'done' };
    }
    await recordSyncError(deps.db, task.accountId, reason);
    deps.log.warn({ accountId: task.accountId, err: error }, 'gmail sync failed; the queue will retry');
    return { outcome: 'retry', reason };
  }
}

/** One sync pass under the account's lock; the building block of the task and of `syncNow`. */
export async function syncAccount(
  deps: BackfillDeps,
  accountId: string,
  signal?: AbortSignal,
): Promise<SyncOutcome> {
  const lease = syncLease(deps);
  // The lease keeps its pre-rename name: an old and a new instance must not sync one account at once.
  const name = `gmail-sync:${accountId}`;
  const outcome = await withWorkLease(
    lease,
    name,
    async (held): Promise<SyncOutcome> => {
      // Read under the lease: a sync that just finished may have moved the cursor.
      const target = await findSyncTarget(deps.db, accountId);
      if (!target?.cursor) return { kind: 'skipped', reason: 'the backfill has not completed' };
      if (target.status !== 'active') return { kind: 'skipped', reason: `the account is ${target.status}` };
      const mail = await openMailSource(deps, target, { class: 'sync' }, held.signal);
      // Every write is fenced: it commits only while this worker still holds the lease.
      const fence = async (trx: Kysely<Database>) => {
        held.check();
        if (!(await renewWorkLease(trx, lease, name))) throw new WorkStopped('lease-lost');
      };
      const applied = await applyHistory(deps, mail, { ...target, cursor: target.cursor }, fence);
      return applied ?? relistNewest(deps, mail, target, fence);
    },
    signal,
  );
  return outcome ?? { kind: 'skipped', reason: 'another worker is syncing this account' };
}

const syncLease = (deps: BackfillDeps) => ({
  db: deps.db,
  instanceId: deps.instanceId,
  lease: { leaseMs: deps.settings.leaseMs, renewEveryMs: deps.settings.leaseRenewEveryMs },
  log: deps.log,
});

type Fence = (trx: Kysely<Database>) => Promise<void>;

type Mail = { provider: MailProvider; source: MailSource };

/** Undefined when the provider no longer knows the cursor (history expired): the caller re-lists. */
async function applyHistory(
  deps: BackfillDeps,
  mail: Mail,
  target: SyncTarget & { cursor: string },
  fence: Fence,
): Promise<SyncOutcome | undefined> {
  let pageToken: string | null = null;
  let added = 0;
  let deleted = 0;
  for (;;) {
    const page = await mail.source.changesSince(target.cursor, pageToken);
    if (page.kind === 'expired') return undefined;
    const fetched = await fetchAll(deps, mail, page.added);
    pageToken = page.nextPageToken;
    // "With no nextPageToken, keep the returned historyId" (GOOGLE-FACTS, Sync): only the last page's counts.
    const last = pageToken === null;
    if (last && !page.cursor) throw new Error('history.list answered without a historyId');
    const cursor = page.cursor ?? target.cursor;
    await deps.db.transaction().execute(async (trx) => {
      await fence(trx);
      added += await storeFetched(deps, mail.provider, trx, target, fetched);
      // Deleted, gone since (404), or moved to spam or trash: out of the inbox's view.
      deleted += await deleteEmails(trx, target.userId, [...page.removed, ...fetched.removed]);
      if (!last) return;
      await advanceCursor(trx, target.accountId, cursor, null);
      await announce(deps, trx, target.userId, added);
    });
    if (last) return { kind: 'history', added, deleted, cursor };
  }
}

/** What sync stores of `ids` (a sync is small: one request at a time), and what must not stay stored. */
async function fetchAll(
  deps: BackfillDeps,
  mail: Mail,
  ids: string[],
): Promise<FetchedMail & { removed: string[] }> {
  const size = Math.max(1, Math.min(mail.provider.maxFetch, deps.settings.partsPerRequest));
  const all: FetchedMail & { removed: string[] } = {
    emails: [],
    outOfView: [],
    gone: [],
    failures: [],
    removed: [],
  };
  for (let i = 0; i < ids.length; i += size) {
    const fetched = await mail.source.fetchMany(ids.slice(i, i + size));
    const hidden = new Set(fetched.outOfView);
    all.emails.push(...fetched.emails.filter((email) => !hidden.has(email.message_id)));
    all.failures.push(...fetched.failures);
    all.removed.push(...fetched.gone, ...fetched.outOfView);
  }
  return all;
}

/**
 * The cursor fell out of Gmail's history. getProfile's historyId first (anything after it is seen by the next
 * history.list), then the newest pages of messages.list, fetching only ids not stored yet, until a page holds
 * nothing new or the bound is reached. What this cannot see: deletions while history was lost, and more new
 * mail than the bound (both recorded in `last_error`; a fresh backfill would close them).
 */
async function relistNewest(
  deps: BackfillDeps,
  mail: Mail,
  target: SyncTarget,
  fence: Fence,
): Promise<SyncOutcome> {
  const profile = await mail.source.profile();
  if (!profile.cursor) throw new Error('getProfile answered without a historyId');
  const historyId = profile.cursor;
  let pageToken: string | null = null;
  let added = 0;
  let pages = 0;
  let caughtUp = false;
  while (!caughtUp && pages < RELIST_MAX_PAGES) {
    const page = await mail.source.listPage(pageToken, RELIST_PAGE_SIZE);
    pages++;
    const { ids } = page;
    const known = await storedIds(deps.db, target.userId, ids);
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      const fetched = await fetchAll(deps, mail, unknown);
      added += await deps.db.transaction().execute(async (trx) => {
        await fence(trx);
        return storeFetched(deps, mail.provider, trx, target, fetched);
      });
    }
    pageToken = page.nextPageToken;
    caughtUp = unknown.length === 0 || pageToken === null;
  }
  const note = caughtUp
    ? `history expired at ${target.cursor}: re-listed ${pages} page(s), stored ${added}; deletions meanwhile are not seen`
    : `history expired at ${target.cursor}: re-list stopped at ${pages} pages with new mail still on the last; older new mail and deletions meanwhile are missing`;
  await deps.db.transaction().execute(async (trx) => {
    await fence(trx);
    await advanceCursor(trx, target.accountId, historyId, note);
    await announce(deps, trx, target.userId, added);
  });
  deps.log.warn({ accountId: target.accountId, userId: target.userId, pages, added, caughtUp }, note);
  return { kind: 'relisted', added, pages, caughtUp, cursor: historyId };
}

/** `emails_ready` on commit when rows were added: the browser fetches them by cursor. */
async function announce(deps: BackfillDeps, trx: Kysely<Database>, userId: string, added: number) {
  if (added === 0) return;
  deps.metrics.messagesIngested.inc({ path: 'sync' }, added);
  const newest = await newestEmailPosition(trx, userId);
  await deps.bus.publish(trx, userId, {
    type: 'emails_ready',
    jobId: null,
    count: added,
    newestCursor: newest ? encodeEmailCursor(newest) : null,
  });
}

/**
 * Stores a page's messages (a row the database refuses is left out, its neighbours stored) and records what
 * could not be stored in `ingest_failures`, in the page's transaction. Returns how many rows were added.
 */
async function storeFetched(
  deps: BackfillDeps,
  provider: MailProvider,
  trx: Kysely<Database>,
  target: SyncTarget,
  fetched: FetchedMail,
): Promise<number> {
  const { inserted, refused } = await storeEmails(trx, fetched.emails);
  const failures = [
    ...fetched.failures.map((failure) => ({ gmailId: failure.messageId, reason: failure.reason })),
    ...refused,
  ];
  if (failures.length === 0) return inserted;
  await recordIngestFailures(
    trx,
    target,
    provider.failureSource,
    failures.map((failure) => ({ itemId: failure.gmailId, reason: failure.reason })),
  );
  // Ids and reasons only: never the messages' content.
  deps.log.warn(
    { accountId: target.accountId, userId: target.userId, failures: failures.slice(0, 20) },
    `${failures.length} synced messages could not be stored`,
  );
  return inserted;
}

/**
 * The grant is gone: the account waits for the user (no retry storm). There may be no job to pause — the
 * backfill is complete — so only the account is marked; signing in again makes it active and the poll resumes.
 */
async function markNeedsReauth(deps: BackfillDeps, accountId: string, reason: string): Promise<void> {
  await markAccountNeedsReauth(deps.db, accountId);
  forgetAccount(deps, accountId);
  await recordSyncError(deps.db, accountId, `reauth_required: ${reason}`);
  deps.log.warn({ accountId }, 'Google refused the refresh token; sync paused until sign-in');
}
