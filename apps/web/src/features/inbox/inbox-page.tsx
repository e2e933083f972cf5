import { MeResponse } from '@firstlight/contracts';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiRequestError, requestJson } from '../../lib/api-client.ts';
import { useRealtime } from '../../lib/realtime.ts';
import { ProgressBar } from './progress-bar.tsx';
import { useInbox } from './use-inbox.ts';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function InboxPage() {
  const navigate = useNavigate();
  const [me, setMe] = useState<MeResponse | null>(null);
  const { state, loadOlder, onMessage } = useInbox();
  const connection = useRealtime(onMessage, me !== null);

  useEffect(() => {
    const controller = new AbortController();
    requestJson('/api/me', MeResponse, { signal: controller.signal })
      .then(setMe)
      .catch((error) => {
        if (error instanceof ApiRequestError && error.status === 401) navigate('/', { replace: true });
      });
    return () => controller.abort();
  }, [navigate]);

  const signOut = async () => {
    await fetch('/auth/logout', { method: 'POST' });
    navigate('/', { replace: true });
  };

  return (
    <main className="page">
      <header className="topbar">
        <h1>Inbox</h1>
        <span className="who">{me?.account.email}</span>
        <button type="button" className="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      {me?.account.status === 'needs_reauth' && (
        <p role="alert" className="bad">
          Google access expired. <a href="/auth/google?consent=1">Sign in again</a> to resume syncing.
        </p>
      )}
      <ProgressBar progress={state.progress ?? me?.ingestion ?? null} />
      {connection === 'closed' && <p className="muted">Reconnecting…</p>}
      {state.error && (
        <p role="alert" className="bad">
          {state.error}
        </p>
      )}
      {state.loading && state.emails.length === 0 && <p role="status">Loading your newest mail…</p>}
      {!state.loading && state.emails.length === 0 && !state.error && <p>No messages yet.</p>}
      <ul className="email-list" aria-label="Messages">
        {state.emails.map((email) => (
          <li key={email.id} className="email-row" data-testid="email-row">
            <span className="from">{email.from ?? '(no sender)'}</span>
            <span className="subject">{email.subject ?? '(no subject)'}</span>
            <span className="snippet">{email.snippet}</span>
            <time dateTime={email.internalDate}>{dateFormat.format(new Date(email.internalDate))}</time>
          </li>
        ))}
      </ul>
      {state.nextCursor && (
        <button type="button" className="button" onClick={loadOlder}>
          Load older messages
        </button>
      )}
    </main>
  );
}
