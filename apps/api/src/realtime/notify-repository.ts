import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/**
 * NOTIFY on `channel`: delivered to every listening instance when `executor`'s transaction commits (at once
 * outside one), so an event never announces a write that was rolled back.
 */
export async function notify(executor: Kysely<Database>, channel: string, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(executor);
}
