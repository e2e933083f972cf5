/** What other folders use of the mail store: cursors for the list, and storing and counting messages. */
export { encodeEmailCursor } from './email-cursor.ts';
export { countEmails, type NewEmail, newestEmailPosition, storeEmails } from './email-repository.ts';
