/** Gmail's system labels (https://developers.google.com/gmail/api/guides/labels), as labels.list shows them. */
const SYSTEM_LABELS = [
  'CHAT',
  'SENT',
  'INBOX',
  'IMPORTANT',
  'TRASH',
  'DRAFT',
  'SPAM',
  'CATEGORY_FORUMS',
  'CATEGORY_UPDATES',
  'CATEGORY_PERSONAL',
  'CATEGORY_PROMOTIONS',
  'CATEGORY_SOCIAL',
  'STARRED',
  'UNREAD',
];

/** Labels hidden from the label list in Gmail's UI carry no visibility fields in the API either. */
const SHOWN = new Set(['SENT', 'INBOX', 'IMPORTANT', 'TRASH', 'DRAFT', 'SPAM', 'STARRED', 'UNREAD']);

export function systemLabels() {
  return SYSTEM_LABELS.map((id) =>
    SHOWN.has(id)
      ? { id, name: id, messageListVisibility: 'hide', labelListVisibility: 'labelShow', type: 'system' }
      : { id, name: id, type: 'system' },
  );
}
