import { useCallback, useMemo, useState } from 'react';
import { useRequireSignIn } from '../../lib/use-me.ts';
import { accountLabeller } from './account-labels.ts';
import { AccountsProgress, anySyncing } from './accounts-progress.tsx';
import { emailKey } from './email-order.ts';
import { InboxBody } from './inbox-body.tsx';
import { MessagePane } from './message-pane.tsx';
import { NewMessagesButton } from './new-messages-button.tsx';
import { useInbox } from './use-inbox.ts';
import './inbox.css';

/** `/inbox`: every connected account's mail, merged newest first, with each mailbox's sync progress. */
export function InboxPage() {
  useRequireSignIn();
  const { accounts, pages, sync } = useInbox();
  // The active row by identity, not position: rows arriving above it do not move the selection.
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [paneOpen, setPaneOpen] = useState(false);
  const [revealTop, setRevealTop] = useState(0);
  const { emails } = pages;
  const active = useMemo(
    () => (activeKey === null ? -1 : emails.findIndex((email) => emailKey(email) === activeKey)),
    [emails, activeKey],
  );
  const setActive = useCallback(
    (index: number) => {
      const email = emails[index];
      setActiveKey(email ? emailKey(email) : null);
    },
    [emails],
  );
  const accountLabel = useMemo(() => accountLabeller(accounts), [accounts]);

  const onShowNewer = () => {
    pages.showNewer();
    setRevealTop((count) => count + 1);
  };
  const open = emails[active];
  return (
    <main className="page inbox-page">
      <h1 className="page-title">Inbox</h1>
      <AccountsProgress accounts={accounts} sync={sync} />
      <div className={`inbox-layout${paneOpen && open ? ' with-pane' : ''}`}>
        <div className="list-wrap">
          <NewMessagesButton count={pages.newer.length} onShow={onShowNewer} />
          <InboxBody
            pages={pages}
            syncing={anySyncing(sync)}
            active={active}
            onActiveChange={setActive}
            onOpen={(index) => {
              setActive(index);
              setPaneOpen(true);
            }}
            onClose={() => setPaneOpen(false)}
            revealTop={revealTop}
            accountLabel={accountLabel}
          />
        </div>
        {paneOpen && open && <MessagePane email={open} onClose={() => setPaneOpen(false)} />}
      </div>
    </main>
  );
}
