/** The Gmail adapter: the mail source port over Gmail, and the sign-in's first page. */
export { type BatchPartResponse, decodeBatch, encodeBatch } from './batch-codec.ts';
export { batchGetMessageMetadata, type Gmail, gmailClient, MAX_BATCH_PARTS } from './gmail-api.ts';
export { GmailMailProvider } from './gmail-mail-source.ts';
export { type MailOwner, METADATA_HEADERS, type ParsedMessage, parseGmailMessage } from './message-parser.ts';
