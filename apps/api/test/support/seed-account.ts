import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** A fresh user and one account of it, in one round trip (for tests below the sign-in). */
export async function seedAccount(
  db: Kysely<Database>,
  email: string,
): Promise<{ accountId: string; userId: string }> {
  const { rows } = await sql<{ accountId: string; userId: string }>`
    with u as (insert into users (email) values (${email}) returning id)
    insert into accounts (user_id, provider_subject, email)
    select id, ${`sub-${email}`}, ${email} from u
    returning id as "accountId", user_id as "userId"`.execute(db);
  return rows[0]!;
}
