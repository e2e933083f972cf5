import type { AccountStatus, Database } from '@firstlight/db';
import type { Kysely } from 'kysely';

export interface GoogleIdentity {
  sub: string;
  email: string;
  name: string | null;
}

/**
 * Signs a Google identity in: the user (by email) and the Google account (by `sub`, Google's stable id) are
 * created or refreshed in one transaction. A refresh token is only replaced when Google sent a new one
 * (Google sends it on first consent only); `sealToken` encrypts it bound to the account id.
 */
export async function upsertUserAndAccount(
  db: Kysely<Database>,
  identity: GoogleIdentity,
  grant: { refreshToken: string | null; scopes: string[] },
  sealToken: (refreshToken: string, accountId: string) => Buffer,
): Promise<{ userId: string; accountId: string; hasRefreshToken: boolean }> {
  return db.transaction().execute(async (trx) => {
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

    const existing = await trx
      .selectFrom('accounts')
      .select(['id', 'refresh_token_enc'])
      .where('provider', '=', 'google')
      .where('provider_subject', '=', identity.sub)
      .forUpdate()
      .executeTakeFirst();
    const accountId = existing?.id ?? crypto.randomUUID();
    const sealed = grant.refreshToken
      ? sealToken(grant.refreshToken, accountId)
      : (existing?.refresh_token_enc ?? null);
    if (existing) {
      await trx
        .updateTable('accounts')
        .set({
          user_id: user.id,
          email: identity.email,
          scopes: grant.scopes,
          refresh_token_enc: sealed,
          // A fresh sign-in with a usable token is what clears needs_reauth.
          status: sealed ? 'active' : 'needs_reauth',
          updated_at: new Date(),
        })
        .where('id', '=', accountId)
        .execute();
    } else {
      await trx
        .insertInto('accounts')
        .values({
          id: accountId,
          user_id: user.id,
          provider_subject: identity.sub,
          email: identity.email,
          scopes: grant.scopes,
          refresh_token_enc: sealed,
          status: sealed ? 'active' : 'needs_reauth',
        })
        .execute();
    }
    return { userId: user.id, accountId, hasRefreshToken: sealed !== null };
  });
}

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

export async function setAccountStatus(
  db: Kysely<Database>,
  accountId: string,
  status: AccountStatus,
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ status, updated_at: new Date() })
    .where('id', '=', accountId)
    .execute();
}
