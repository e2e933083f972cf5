import { markNeedsReauth } from '../accounts/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { markJobPaused } from './job-repository.ts';
import { forgetAccount } from './mail-sources.ts';

/**
 * The refresh token stopped working (revoked, expired, password changed): the account needs the user, not
 * retries. The account is marked `needs_reauth`, the job `paused` (users are told over the WebSocket), and the
 * task completes so the queue does not retry in a storm. Signing in again resumes the job. A finished job stays
 * finished (the job machine never leaves complete or failed): only the account waits for the user.
 */
export async function pauseForReauth(
  deps: Pick<BackfillDeps, 'db' | 'bus' | 'mail' | 'log'>,
  job: { jobId: string; userId: string; accountId: string },
  reason: string,
): Promise<void> {
  await markNeedsReauth(deps.db, job.accountId);
  forgetAccount(deps, job.accountId);
  const paused = await markJobPaused(deps, job.jobId, reason);
  deps.log.warn(
    { userId: job.userId, jobId: job.jobId },
    paused
      ? 'Google refused the refresh token; job paused until sign-in'
      : 'Google refused the refresh token; the account waits for sign-in (the job is not running)',
  );
}
