import type { EmailSummary } from '@firstlight/contracts';
import { EmailList } from './email-list.tsx';
import type { useEmailPages } from './use-email-pages.ts';

interface InboxBodyProps {
  pages: ReturnType<typeof useEmailPages>;
  syncing: boolean;
  active: number;
  onActiveChange: (index: number) => void;
  onOpen: (index: number) => void;
  onClose: () => void;
  revealTop: number;
  accountLabel: ((email: EmailSummary) => string | undefined) | undefined;
}

/** The list, or the loading / empty / error state in its place (same box, so nothing shifts). */
export function InboxBody(props: InboxBodyProps) {
  const { pages, syncing } = props;
  const errorLine = pages.error && (
    <p role="alert" className="bad inbox-error">
      Could not load messages: {pages.error}.{' '}
      <button type="button" className="button small" onClick={pages.retry}>
        Try again
      </button>
    </p>
  );
  if (pages.emails.length === 0) {
    return (
      <div className="email-scroller placeholder">
        {pages.status === 'loading' && <p role="status">Loading your newest mail…</p>}
        {pages.status === 'error' && errorLine}
        {pages.status === 'ready' && (
          <p role="status">{syncing ? 'Your mail is on its way…' : 'No messages in this mailbox.'}</p>
        )}
      </div>
    );
  }
  const count = pages.emails.length.toLocaleString('en-US');
  const end = pages.nextCursor ? '' : syncing ? ' · more arriving' : ' · end of mailbox';
  return (
    <>
      <EmailList
        emails={pages.emails}
        hasMore={pages.nextCursor !== null}
        active={props.active}
        onActiveChange={props.onActiveChange}
        onOpen={props.onOpen}
        onClose={props.onClose}
        onNearEnd={pages.loadOlder}
        revealTop={props.revealTop}
        accountLabel={props.accountLabel}
      />
      <p className="list-footer muted" role="status">
        {pages.loadingOlder ? 'Loading older messages…' : `${count} messages loaded${end}`}
      </p>
      {errorLine}
    </>
  );
}
