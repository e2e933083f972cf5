import { createHash, timingSafeEqual } from 'node:crypto';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import { DomainError } from '../lib/errors.ts';
import { findUserEmail } from './ops-repository.ts';

export interface OpsCredentials {
  /** The request's `Authorization` header. */
  authorization: string | undefined;
  /** Resolves the signed-in user's id; only called when the token does not open the door. */
  sessionUser: () => Promise<string | undefined>;
}

/** `Bearer <token>` → the token. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
}

/** Constant time: both sides are hashed to 32 bytes first, so neither their content nor their length leaks. */
export function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** A user's email in `OPS_EMAILS` (config lowercases them; Google may not). */
export function hasOpsRole(access: Config['ops'], email: string): boolean {
  return access.emails.includes(email.toLowerCase());
}

/**
 * The ops role: the ops token, or a session whose user's email is in `OPS_EMAILS` (config lowercases them).
 * Throws 401 without either, 403 for a signed-in user who is not ops. Returns the session user, if any.
 */
export async function requireOpsRole(
  db: Kysely<Database>,
  access: Config['ops'],
  credentials: OpsCredentials,
): Promise<{ userId: string | undefined }> {
  const presented = bearerToken(credentials.authorization);
  if (presented !== undefined && access.token !== undefined && tokenMatches(presented, access.token)) {
    return { userId: undefined };
  }
  const userId = await credentials.sessionUser();
  if (!userId) throw new DomainError(401, 'unauthenticated', 'sign in as an ops user or send the ops token');
  const email = await findUserEmail(db, userId);
  if (!email || !hasOpsRole(access, email)) {
    throw new DomainError(403, 'forbidden', 'the ops role is required');
  }
  return { userId };
}
