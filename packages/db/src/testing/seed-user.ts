import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** A user with one connected account, as a first sign-in leaves them (mail and events belong to an account). */
export async function seedUser(
  db: Kysely<Database>,
  email: string,
): Promise<{ userId: string; accountId: string }> {
  const user = await db
    .insertInto('users')
    .values({ email, display_name: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const account = await db
    .insertInto('accounts')
    .values({ user_id: user.id, provider_subject: `sub-${email}`, email })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { userId: user.id, accountId: account.id };
}
