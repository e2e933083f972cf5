import { z } from 'zod';
import { IngestionProgress } from './ingestion.ts';

export const AccountStatus = z.enum(['active', 'needs_reauth']);

/** Where an account's mail comes from; one adapter per provider (apps/api/src/providers). */
export const ProviderName = z.enum(['google']);
export type ProviderName = z.infer<typeof ProviderName>;

/** One connected account of the user, with its own mailbox ingestion (a user may connect several). */
export const ConnectedAccount = z.object({
  id: z.string().uuid(),
  provider: ProviderName,
  email: z.string(),
  status: AccountStatus,
  scopes: z.array(z.string()),
  ingestion: IngestionProgress.nullable(),
});
export type ConnectedAccount = z.infer<typeof ConnectedAccount>;

/** `GET /api/me`: who is signed in, their Google account, and their mailbox ingestion. */
export const MeResponse = z.object({
  user: z.object({
    id: z.string().uuid(),
    email: z.string(),
    displayName: z.string().nullable(),
    /** In `OPS_EMAILS`: the SPA links to `/ops` (the ops API checks the role again on every call). */
    // Defaulted so an SPA newer than the API instance it reaches (a rolling deploy) still parses the answer.
    isOps: z.boolean().default(false),
  }),
  /** The account signed in with most recently (`accounts` lists them all). */
  account: z.object({ email: z.string(), status: AccountStatus, scopes: z.array(z.string()) }),
  /** That account's mailbox ingestion. */
  ingestion: IngestionProgress.nullable(),
  /** Every connected account, oldest first, each with its own progress. */
  accounts: z.array(ConnectedAccount).default([]),
});
export type MeResponse = z.infer<typeof MeResponse>;

/** `POST /auth/logout-everywhere`: every session of the signed-in user ended, this browser's included. */
export const LogoutEverywhereResponse = z.object({
  /** Sessions deleted (this one and those of the user's other browsers and devices). */
  sessionsEnded: z.number().int().nonnegative(),
});
export type LogoutEverywhereResponse = z.infer<typeof LogoutEverywhereResponse>;
