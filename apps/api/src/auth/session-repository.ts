import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';

export async function insertSession(
  db: Kysely<Database>,
  session: { id: string; userId: string; expiresAt: Date; userAgent: string | null; now: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
      user_agent: session.userAgent,
    })
    .execute();
}

/** The session's user and when it was last used, if it has passed neither its expiry nor its idle cut-off. */
export async function findLiveSession(
  db: Kysely<Database>,
  id: string,
  now: Date,
  idleSince: Date,
): Promise<{ userId: string; lastSeenAt: Date } | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select(['user_id', 'last_seen_at'])
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .executeTakeFirst();
  return row && { userId: row.user_id, lastSeenAt: row.last_seen_at };
}

/** Of these sessions, the ones still live (one query for all the sockets of an instance). */
export async function liveSessionIds(
  db: Kysely<Database>,
  ids: readonly string[],
  now: Date,
  idleSince: Date,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('id', 'in', ids)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', idleSince)
    .execute();
  return new Set(rows.map((row) => row.id));
}

/** Records use; the condition keeps concurrent requests of one page from writing the row each. */
export async function touchSession(db: Kysely<Database>, id: string, now: Date, staleBefore: Date) {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('id', '=', id)
    .where('last_seen_at', '<', staleBefore)
    .execute();
}

export async function deleteSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Every session of the user; returns their ids (the open sockets of those sessions are closed). */
export async function deleteUserSessions(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.deleteFrom('sessions').where('user_id', '=', userId).returning('id').execute();
  return rows.map((row) => row.id);
}

/** Sessions past their absolute expiry or idle for longer than the idle timeout. */
export async function deleteExpiredSessions(
  db: Kysely<Database>,
  now: Date,
  idleSince: Date,
): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleSince)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
