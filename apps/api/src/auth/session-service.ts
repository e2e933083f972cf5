import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findLiveSession,
  insertSession,
  liveSessionIds,
  touchSession,
} from './session-repository.ts';

/**
 * Server-side sessions: the browser holds a random 256-bit token (in a signed, httpOnly cookie); the database
 * holds its SHA-256 and the user. Chosen over a self-contained signed cookie so logout really ends a session
 * and a stolen database row cannot be replayed.
 *
 * A session ends 30 days after sign-in (absolute), or once unused for the idle timeout — whichever is first.
 */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;
/**
 * `last_seen_at` is written at most this often per session, so a page's requests do not each write a row; the
 * idle timeout is therefore exact to within this much (it can end a session up to 5 minutes early).
 */
export const SESSION_TOUCH_EVERY_MS = 5 * 60 * 1000;

export interface SessionPolicy {
  idleTimeoutMs: number;
}

export interface LiveSession {
  /** The row id: SHA-256 of the token. Never the token itself, so it may be logged or kept in memory. */
  sessionId: string;
  userId: string;
}

export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

const idleSince = (policy: SessionPolicy, now: Date) => new Date(now.getTime() - policy.idleTimeoutMs);

export async function startSession(
  db: Kysely<Database>,
  userId: string,
  userAgent: string | null,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await insertSession(db, {
    id: sessionIdOf(token),
    userId,
    expiresAt,
    userAgent: userAgent?.slice(0, 300) ?? null,
    now,
  });
  return { token, expiresAt };
}

/** The live session of a token, recording its use (at most every `SESSION_TOUCH_EVERY_MS`). */
export async function resolveSession(
  db: Kysely<Database>,
  token: string,
  policy: SessionPolicy,
  now = new Date(),
): Promise<LiveSession | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const sessionId = sessionIdOf(token);
  const row = await findLiveSession(db, sessionId, now, idleSince(policy, now));
  if (!row) return undefined;
  const staleBefore = new Date(now.getTime() - SESSION_TOUCH_EVERY_MS);
  if (row.lastSeenAt < staleBefore) await touchSession(db, sessionId, now, staleBefore);
  return { sessionId, userId: row.userId };
}

/** Of these session ids, those still live: open WebSockets check theirs with it. */
export async function stillLive(
  db: Kysely<Database>,
  sessionIds: readonly string[],
  policy: SessionPolicy,
  now = new Date(),
): Promise<Set<string>> {
  const live = new Set<string>();
  // Bounded statements: an instance may hold thousands of sockets.
  for (let start = 0; start < sessionIds.length; start += 1_000) {
    const chunk = sessionIds.slice(start, start + 1_000);
    for (const id of await liveSessionIds(db, chunk, now, idleSince(policy, now))) live.add(id);
  }
  return live;
}

/** Ends the token's session; returns its id. */
export async function endSession(db: Kysely<Database>, token: string): Promise<string> {
  const sessionId = sessionIdOf(token);
  await deleteSession(db, sessionId);
  return sessionId;
}

/** "Sign out everywhere": every session of the user, on every browser and device. */
export async function endAllSessions(db: Kysely<Database>, userId: string): Promise<string[]> {
  return deleteUserSessions(db, userId);
}

/** Deletes expired and idle sessions; returns how many. */
export async function pruneSessions(
  db: Kysely<Database>,
  policy: SessionPolicy,
  now = new Date(),
): Promise<number> {
  return deleteExpiredSessions(db, now, idleSince(policy, now));
}
