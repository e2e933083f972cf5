import type { Database } from '@firstlight/db';
import type { Kysely, Transaction } from 'kysely';

export interface ProviderIdentity {
  /** The provider's stable id of the account (Google's `sub`). */
  sub: string;
  email: string;
  name: string | null;
}

export interface AccountGrant {
  refreshToken: string | null;
  scopes: string[];
}

/** Encrypts a refresh token bound to the account id (TokenCipher.encrypt). */
export type SealToken = (refreshToken: string, accountId: string) => Buffer;

export interface StoredAccount {
  userId: string;
  accountId: string;
  hasRefreshToken: boolean;
}

const PROVIDER = 'google';

/**
 * Signs an identity in. An account already connected (by `sub`, Google's stable id) signs in as the user who
 * owns it — a second account added to a user stays that user's. A new account joins the user with its address
 * (created if none). One transaction; the row is locked so two callbacks of one account do not race.
 */
export async function upsertUserAndAccount(
  db: Kysely<Database>,
  identity: ProviderIdentity,
  grant: AccountGrant,
  sealToken: SealToken,
): Promise<StoredAccount> {
  return db.transaction().execute(async (trx) => {
    const existing = await lockAccount(trx, identity.sub);
    const userId = existing
      ? await refreshOwner(trx, existing.user_id, identity)
      : await upsertUserByEmail(trx, identity);
    return saveAccount(trx, userId, existing, identity, grant, sealToken);
  });
}

/**
 * Connects an identity to a signed-in user ("add another account"). `undefined` when the account already
 * belongs to another user: accounts never move between users silently.
 */
export async function attachAccount(
  db: Kysely<Database>,
  userId: string,
  identity: ProviderIdentity,
  grant: AccountGrant,
  sealToken: SealToken,
): Promise<StoredAccount | undefined> {
  return db.transaction().execute(async (trx) => {
    const existing = await lockAccount(trx, identity.sub);
    if (existing && existing.user_id !== userId) return undefined;
    return saveAccount(trx, userId, existing, identity, grant, sealToken);
  });
}

type ExistingAccount = NonNullable<Awaited<ReturnType<typeof lockAccount>>>;

async function lockAccount(trx: Transaction<Database>, sub: string) {
  return trx
    .selectFrom('accounts')
    .select(['id', 'user_id', 'refresh_token_enc'])
    .where('provider', '=', PROVIDER)
    .where('provider_subject', '=', sub)
    .forUpdate()
    .executeTakeFirst();
}

async function upsertUserByEmail(trx: Transaction<Database>, identity: ProviderIdentity): Promise<string> {
  const user = await trx
    .insertInto('users')
    .values({ email: identity.email, display_name: identity.name })
    .onConflict((conflict) =>
      conflict.column('email').doUpdateSet((eb) => ({
        display_name: eb.fn.coalesce(eb.ref('excluded.display_name'), eb.ref('users.display_name')),
        updated_at: new Date(),
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return user.id;
}

/** The owner's name follows its own Google identity only (not that of a second account it added). */
async function refreshOwner(
  trx: Transaction<Database>,
  userId: string,
  identity: ProviderIdentity,
): Promise<string> {
  if (identity.name !== null) {
    await trx
      .updateTable('users')
      .set({ display_name: identity.name, updated_at: new Date() })
      .where('id', '=', userId)
      .where('email', '=', identity.email)
      .execute();
  }
  return userId;
}

/** A refresh token is only replaced when Google sent a new one (Google sends it on first consent only). */
async function saveAccount(
  trx: Transaction<Database>,
  userId: string,
  existing: ExistingAccount | undefined,
  identity: ProviderIdentity,
  grant: AccountGrant,
  sealToken: SealToken,
): Promise<StoredAccount> {
  const accountId = existing?.id ?? crypto.randomUUID();
  const sealed = grant.refreshToken
    ? sealToken(grant.refreshToken, accountId)
    : (existing?.refresh_token_enc ?? null);
  const fields = {
    email: identity.email,
    scopes: grant.scopes,
    refresh_token_enc: sealed,
    // A fresh sign-in with a usable token is what clears needs_reauth.
    status: sealed ? ('active' as const) : ('needs_reauth' as const),
  };
  if (existing) {
    await trx
      .updateTable('accounts')
      .set({ ...fields, updated_at: new Date() })
      .where('id', '=', accountId)
      .execute();
  } else {
    await trx
      .insertInto('accounts')
      .values({
        id: accountId,
        user_id: userId,
        provider: PROVIDER,
        provider_subject: identity.sub,
        ...fields,
      })
      .execute();
  }
  return { userId, accountId, hasRefreshToken: sealed !== null };
}

/** The user and the account they signed in with last (the `account` of /api/me). */
export async function findUserWithAccount(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.user_id', 'users.id')
    .select([
      'users.id as userId',
      'users.email as userEmail',
      'users.display_name as displayName',
      'accounts.id as accountId',
      'accounts.email as accountEmail',
      'accounts.status as accountStatus',
      'accounts.scopes as scopes',
    ])
    .where('users.id', '=', userId)
    .orderBy('accounts.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** What background work needs to act for an account: its address, status and sealed refresh token. */
export async function findAccountCredentials(db: Kysely<Database>, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['email', 'status', 'refresh_token_enc'])
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/**
 * The provider refused the account's refresh token (revoked, expired, password changed): the account waits for
 * the user to sign in again, which sets it back to active (saveAccount). The only writer of this status.
 */
export async function markNeedsReauth(db: Kysely<Database>, accountId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ status: 'needs_reauth', updated_at: new Date() })
    .where('id', '=', accountId)
    .execute();
}

/** `accounts.provider`: which adapter serves the account (undefined when the account is gone). */
export async function accountProvider(db: Kysely<Database>, accountId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select('provider')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.provider;
}
