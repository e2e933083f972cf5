import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { deleteSession, findLiveSession, insertSession } from './session-repository.ts';

/**
 * Server-side sessions: the browser holds a random 256-bit token (in a signed, httpOnly cookie); the database
 * holds its SHA-256 and the user. Chosen over a self-contained signed cookie so logout really ends a session
 * and a stolen database row cannot be replayed.
 */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export async function startSession(
  db: Kysely<Database>,
  userId: string,
  userAgent: string | null,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await insertSession(db, {
    id: hash(token),
    userId,
    expiresAt,
    userAgent: userAgent?.slice(0, 300) ?? null,
  });
  return { token, expiresAt };
}

export async function resolveSession(
  db: Kysely<Database>,
  token: string,
  now = new Date(),
): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  return (await findLiveSession(db, hash(token), now))?.userId;
}

export async function endSession(db: Kysely<Database>, token: string): Promise<void> {
  await deleteSession(db, hash(token));
}
