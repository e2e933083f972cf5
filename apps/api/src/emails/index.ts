/** Emails: the stored mail of every account of a user, and the inbox API over it. */
export { decodeEmailCursor, encodeEmailCursor } from './email-cursor.ts';
export {
  countEmails,
  type NewEmail,
  newestEmailPosition,
  storeEmails,
  upsertEmails,
} from './email-repository.ts';
export { emailRoutes } from './email-routes.ts';
