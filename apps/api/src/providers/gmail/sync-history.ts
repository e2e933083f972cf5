import type { gmail_v1 } from '@googleapis/gmail';

export interface HistoryChanges {
  /** Added or relabelled, and not deleted later on the same page, in history order. */
  added: string[];
  deleted: string[];
}

/**
 * What one `history.list` page asks of the store. Records come oldest first and a Gmail id is never reused, so
 * an id added then deleted on the same page needs no fetch (it would answer 404); a delete on a later page
 * removes a row an earlier page stored.
 */
export function changesOf(records: readonly gmail_v1.Schema$History[]): HistoryChanges {
  const added = new Set<string>();
  const deleted = new Set<string>();
  for (const record of records) {
    // A label change (read, archived, moved to trash or spam) is fetched again: the message's labels then
    // decide whether its row is updated or removed from the inbox's view.
    for (const change of [...(record.labelsAdded ?? []), ...(record.labelsRemoved ?? [])]) {
      const id = change.message?.id;
      if (id && !deleted.has(id)) added.add(id);
    }
    for (const change of record.messagesAdded ?? []) {
      const id = change.message?.id;
      if (id && !deleted.has(id)) added.add(id);
    }
    for (const change of record.messagesDeleted ?? []) {
      const id = change.message?.id;
      if (!id) continue;
      added.delete(id);
      deleted.add(id);
    }
  }
  return { added: [...added], deleted: [...deleted] };
}
