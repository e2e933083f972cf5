import type { ConnectedAccount, MeResponse } from '@firstlight/contracts';
import { useRef } from 'react';
import { ADD_ACCOUNT_URL, signOut } from '../lib/session.ts';
import { connectedAccounts } from '../lib/use-me.ts';

const STATUS_LABEL: Record<ConnectedAccount['status'], string> = {
  active: 'connected',
  needs_reauth: 'needs sign-in',
};

/**
 * The signed-in address and, behind it (a disclosure, so it costs no script to open), the connected accounts
 * with their state, "Add another Google account" and the two sign-outs.
 */
export function AccountMenu({ me }: { me: MeResponse }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const leave = (everywhere: boolean) => void signOut(everywhere);
  return (
    <details
      className="account-menu"
      ref={menu}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && menu.current?.open) menu.current.open = false;
      }}
    >
      <summary className="account-summary">
        <span className="visually-hidden">Account: </span>
        <span className="who">{me.user.email}</span>
      </summary>
      <div className="account-panel">
        <p className="account-heading">Connected accounts</p>
        <ul className="account-list" aria-label="Connected accounts">
          {connectedAccounts(me).map((account) => (
            <li key={account.id || account.email} className="account-item">
              <span className="account-email">{account.email}</span>
              <span className={`account-status ${account.status}`}>{STATUS_LABEL[account.status]}</span>
            </li>
          ))}
        </ul>
        <a className="button small" href={ADD_ACCOUNT_URL}>
          Add another Google account
        </a>
        <div className="account-actions">
          <button type="button" className="button small" onClick={() => leave(false)}>
            Sign out
          </button>
          <button
            type="button"
            className="button small"
            title="End every session of this account, on all browsers and devices"
            onClick={() => leave(true)}
          >
            Sign out everywhere
          </button>
        </div>
      </div>
    </details>
  );
}
