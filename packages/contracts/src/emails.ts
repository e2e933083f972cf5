import { z } from 'zod';

/** One stored email as the inbox shows it (metadata only; bodies stay in Gmail). */
export const EmailSummary = z.object({
  /** The provider's message id (unique within its account, not across accounts). */
  id: z.string(),
  /** The connected account the message belongs to. */
  accountId: z.string().uuid(),
  threadId: z.string(),
  /** ISO instant: Gmail's internalDate, the order of the inbox. */
  internalDate: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  snippet: z.string().nullable(),
  labelIds: z.array(z.string()),
  sizeEstimate: z.number().int().nullable(),
});
export type EmailSummary = z.infer<typeof EmailSummary>;

/** Opaque keyset cursor over (internal_date, account_id, message_id), newest first. */
export const EmailCursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor returned by this API');

/** The largest page `GET /api/emails` serves; the inbox asks for it (fewer round trips through 100,000 rows). */
export const EMAIL_PAGE_MAX = 200;
/** The inbox's first request, which the server also preloads with the page (see apps/api web-routes). */
export const INBOX_FIRST_PAGE_URL = `/api/emails?limit=${EMAIL_PAGE_MAX}`;

export const EmailListQuery = z.object({
  cursor: EmailCursor.optional(),
  limit: z.coerce.number().int().min(1).max(EMAIL_PAGE_MAX).default(50),
});
export type EmailListQuery = z.infer<typeof EmailListQuery>;

export const EmailListResponse = z.object({
  emails: z.array(EmailSummary),
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: EmailCursor.nullable(),
});
export type EmailListResponse = z.infer<typeof EmailListResponse>;
