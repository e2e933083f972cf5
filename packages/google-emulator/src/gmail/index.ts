/** Gmail v1 emulation: the plugin the core registers, and the service behind it (admin and tests). */
export { GmailError } from './errors.ts';
export type { HistoryRecord, HistoryType, MessageRef } from './history.ts';
export { Mailbox, type MailboxOptions } from './mailbox.ts';
export { type ApiMessage, type MessageFormat, RAW_ATTACHMENT_LIMIT } from './render.ts';
export { type GmailPluginOptions, gmailRoutes, gmailServiceFor } from './routes.ts';
export { type GmailAccountDirectory, GmailService, type GmailServiceOptions } from './service.ts';
