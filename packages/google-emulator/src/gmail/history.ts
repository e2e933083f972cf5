/**
 * The mailbox's change log, as `users.history.list` answers it
 * (https://developers.google.com/gmail/api/reference/rest/v1/users.history/list). Generated mail has no
 * records: a start id at or after the generated base is valid and sees only run-time changes.
 */
export type HistoryType = 'messageAdded' | 'messageDeleted' | 'labelAdded' | 'labelRemoved';

export interface MessageRef {
  id: string;
  threadId: string;
  labelIds: string[];
}

export interface HistoryRecord {
  id: number;
  type: HistoryType;
  message: MessageRef;
  /** For labelAdded / labelRemoved: the labels that changed. */
  labelIds?: string[];
}

/** One record as Gmail serialises it: `messages` always, plus the array named after its type. */
export function presentRecord(record: HistoryRecord) {
  const { id, threadId, labelIds } = record.message;
  const change =
    record.type === 'messageAdded' || record.type === 'messageDeleted'
      ? { message: { id, threadId, labelIds } }
      : { message: { id, threadId, labelIds }, labelIds: record.labelIds ?? [] };
  const field = {
    messageAdded: 'messagesAdded',
    messageDeleted: 'messagesDeleted',
    labelAdded: 'labelsAdded',
    labelRemoved: 'labelsRemoved',
  }[record.type];
  return { id: String(record.id), messages: [{ id, threadId }], [field]: [change] };
}
