import type { ConnectedAccount, IngestionProgress, MeResponse } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { findUserWithAccount } from '../accounts/index.ts';
import { DomainError } from '../lib/errors.ts';

/** Mailbox progress, read by ingestion (wired by the app, so auth does not depend on ingestion). */
export interface MeProgress {
  /** The latest mailbox job of the user. */
  mailbox(userId: string): Promise<IngestionProgress | null>;
  /** Every connected account, oldest first, each with its own progress. */
  accounts(userId: string): Promise<ConnectedAccount[]>;
}

export interface MeDeps {
  db: Kysely<Database>;
  progress: MeProgress;
  /** In OPS_EMAILS (ops/ops-access.ts): the SPA links to /ops. */
  isOps(email: string): boolean;
}

/** `GET /api/me`: the user, the account signed in with last, and every account with its progress. */
export async function describeMe(deps: MeDeps, userId: string): Promise<MeResponse> {
  const row = await findUserWithAccount(deps.db, userId);
  if (!row) throw new DomainError(401, 'unauthenticated', 'the signed-in user no longer exists');
  const [ingestion, accounts] = await Promise.all([
    deps.progress.mailbox(row.userId),
    deps.progress.accounts(row.userId),
  ]);
  return {
    user: {
      id: row.userId,
      email: row.userEmail,
      displayName: row.displayName,
      isOps: deps.isOps(row.userEmail),
    },
    account: { email: row.accountEmail, status: row.accountStatus, scopes: row.scopes },
    ingestion,
    accounts,
  };
}
