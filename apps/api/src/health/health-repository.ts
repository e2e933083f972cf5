import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** The cheapest round trip that proves the database answers queries. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
