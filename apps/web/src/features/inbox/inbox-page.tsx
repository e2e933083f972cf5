import { MeResponse } from '@firstlight/contracts';
import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiRequestError, requestJson } from '../../lib/api-client.ts';
import { useRealtime } from '../../lib/realtime.ts';
import { EmailList } from './email-list.tsx';
import { MessagePane } from './message-pane.tsx';
import { ProgressBar } from './progress-bar.tsx';
import { useInbox } from './use-inbox.ts';

export function InboxPage() {
  const navigate = useNavigate();
  const [me, setMe] = useState<MeResponse | null>(null);
  const { state, loadFirst, loadOlder, showNewer, onMessage, seedProgress } = useInbox();
  const connection = useRealtime(onMessage, me !== null);
  const [active, setActive] = useState(-1);
  const [paneOpen, setPaneOpen] = useState(false);
  const [revealTop, setRevealTop] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    requestJson('/api/me', MeResponse, { signal: controller.signal })
      .then((answer) => {
        setMe(answer);
        seedProgress(answer.ingestion);
      })
      .catch((error) => {
        if (error instanceof ApiRequestError && error.status === 401) navigate('/', { replace: true });
      });
    return () => controller.abort();
  }, [navigate, seedProgress]);

  useEffect(() => {
    if (connection === 'signed_out') navigate('/', { replace: true });
  }, [connection, navigate]);

  const signOut = async (everywhere: boolean) => {
    await fetch(everywhere ? '/auth/logout-everywhere' : '/auth/logout', { method: 'POST' });
    navigate('/', { replace: true });
  };

  const onShowNewer = () => {
    // The new rows go on top: keep the same message active and open, shifted by how many arrived.
    setActive((index) => (index >= 0 ? index + state.newer.length : index));
    showNewer();
    setRevealTop((count) => count + 1);
  };

  const open = state.emails[active];
  return (
    <main className="page inbox-page">
      <header className="topbar">
        <h1>Inbox</h1>
        <span className="who">{me?.account.email}</span>
        <Link className="button" to="/calendar">
          Calendar
        </Link>
        {me?.user.isOps && (
          <Link className="button" to="/ops">
            Ops
          </Link>
        )}
        <button type="button" className="button" onClick={() => signOut(false)}>
          Sign out
        </button>
        <button
          type="button"
          className="button"
          title="End every session of this account, on all browsers and devices"
          onClick={() => signOut(true)}
        >
          Sign out everywhere
        </button>
      </header>
      <ProgressBar
        progress={state.progress}
        needsReauth={me?.account.status === 'needs_reauth'}
        databaseUnavailable={state.databaseUnavailable}
      />
      <p className="connection muted" role="status">
        {connection === 'closed' ? 'Connection lost — reconnecting…' : ''}
      </p>
      <div className={`inbox-layout${paneOpen && open ? ' with-pane' : ''}`}>
        <div className="list-wrap">
          {state.newer.length > 0 && (
            <button type="button" className="button primary new-messages" onClick={onShowNewer}>
              {state.newer.length.toLocaleString('en-US')} new{' '}
              {state.newer.length === 1 ? 'message' : 'messages'}
            </button>
          )}
          <InboxBody
            state={state}
            active={active}
            onActiveChange={setActive}
            onOpen={(index) => {
              setActive(index);
              setPaneOpen(true);
            }}
            onClose={() => setPaneOpen(false)}
            onNearEnd={loadOlder}
            onRetry={state.emails.length === 0 ? loadFirst : loadOlder}
            revealTop={revealTop}
          />
        </div>
        {paneOpen && open && <MessagePane email={open} onClose={() => setPaneOpen(false)} />}
      </div>
    </main>
  );
}

interface InboxBodyProps {
  state: ReturnType<typeof useInbox>['state'];
  active: number;
  onActiveChange: (index: number) => void;
  onOpen: (index: number) => void;
  onClose: () => void;
  onNearEnd: () => void;
  onRetry: () => void;
  revealTop: number;
}

/** The list, or the loading / empty / error state in its place (same box, so nothing shifts). */
function InboxBody(props: InboxBodyProps) {
  const { state, active, onActiveChange, onOpen, onClose, onNearEnd, onRetry, revealTop } = props;
  const syncing = state.progress !== null && !['complete', 'failed'].includes(state.progress.status);
  const errorLine = state.error && (
    <p role="alert" className="bad inbox-error">
      Could not load messages: {state.error}.{' '}
      <button type="button" className="button small" onClick={onRetry}>
        Try again
      </button>
    </p>
  );
  if (state.emails.length === 0) {
    return (
      <div className="email-scroller placeholder">
        {state.status === 'loading' && <p role="status">Loading your newest mail…</p>}
        {state.status === 'error' && errorLine}
        {state.status === 'ready' && (
          <p role="status">{syncing ? 'Your mail is on its way…' : 'No messages in this mailbox.'}</p>
        )}
      </div>
    );
  }
  return (
    <>
      <EmailList
        emails={state.emails}
        hasMore={state.nextCursor !== null}
        active={active}
        onActiveChange={onActiveChange}
        onOpen={onOpen}
        onClose={onClose}
        onNearEnd={onNearEnd}
        revealTop={revealTop}
      />
      <p className="list-footer muted" role="status">
        {state.loadingOlder
          ? 'Loading older messages…'
          : `${state.emails.length.toLocaleString('en-US')} messages loaded${state.nextCursor ? '' : syncing ? ' · more arriving' : ' · end of mailbox'}`}
      </p>
      {errorLine}
    </>
  );
}
