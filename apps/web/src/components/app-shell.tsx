import { type ReactNode, Suspense, useEffect } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { isUnauthorized } from '../lib/api-client.ts';
import { RealtimeProvider, useConnection } from '../lib/realtime-context.tsx';
import { useMe } from '../lib/use-me.ts';
import { AccountMenu } from './account-menu.tsx';
import { ConnectionIndicator } from './connection-indicator.tsx';
import './shell.css';

/**
 * The frame of the signed-in pages (inbox, calendar, ops): the top bar with the navigation, the connection
 * indicator and the account menu, and the one WebSocket the pages share. A visitor without a session sees only
 * the name: each page says what it needs (inbox and calendar go back to sign-in, ops explains).
 */
export function AppShell() {
  const me = useMe();
  return (
    <RealtimeProvider enabled={me.data !== undefined}>
      <SessionEndedRedirect />
      <header className="shell-bar">
        <div className="shell-inner">
          <span className="shell-brand">Firstlight</span>
          {me.data && (
            <>
              <nav aria-label="Firstlight" className="shell-nav">
                <ShellLink to="/inbox">Inbox</ShellLink>
                <ShellLink to="/calendar">Calendar</ShellLink>
                {me.data.user.isOps && <ShellLink to="/ops">Ops</ShellLink>}
              </nav>
              <ConnectionIndicator />
              <AccountMenu me={me.data} />
            </>
          )}
          {isUnauthorized(me.error) && <span className="shell-spacer" />}
        </div>
      </header>
      <Suspense fallback={<Loading />}>
        <Outlet />
      </Suspense>
    </RealtimeProvider>
  );
}

function ShellLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <NavLink to={to} className="shell-link">
      {children}
    </NavLink>
  );
}

/** The server closed the socket because the session ended (sign-out elsewhere, expiry): sign in again. */
function SessionEndedRedirect() {
  const connection = useConnection();
  const navigate = useNavigate();
  useEffect(() => {
    if (connection === 'signed_out') navigate('/', { replace: true });
  }, [connection, navigate]);
  return null;
}

export function Loading() {
  return (
    <main className="page" aria-busy="true">
      <p>Loading…</p>
    </main>
  );
}
