// @vitest-environment happy-dom
import type { ConnectedAccount, EmailSummary, IngestionProgress } from '@firstlight/contracts';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountLabeller } from './account-labels.ts';
import { AccountsProgress } from './accounts-progress.tsx';
import { EmailList } from './email-list.tsx';
import { NewMessagesButton } from './new-messages-button.tsx';

const WORK = '00000000-0000-4000-8000-0000000000a1';
const HOME = '00000000-0000-4000-8000-0000000000b2';

function email(id: string, minute: number, accountId = WORK): EmailSummary {
  return {
    id,
    accountId,
    threadId: id,
    internalDate: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    from: `Sender ${id} <${id}@example.com>`,
    to: 'me@example.com',
    subject: `Subject ${id}`,
    snippet: `Snippet of ${id}`,
    labelIds: ['INBOX'],
    sizeEstimate: 100,
  };
}

function account(id: string, address: string, ingestion: IngestionProgress | null = null): ConnectedAccount {
  return { id, provider: 'google', email: address, status: 'active', scopes: [], ingestion };
}

/** The list as the inbox page drives it: the active row in state, opens recorded. */
function Inbox({
  emails,
  label,
}: {
  emails: EmailSummary[];
  label?: (email: EmailSummary) => string | undefined;
}) {
  const [active, setActive] = useState(-1);
  const [opened, setOpened] = useState<string[]>([]);
  return (
    <>
      <EmailList
        emails={emails}
        hasMore={false}
        active={active}
        onActiveChange={setActive}
        onOpen={(index) => setOpened((list) => [...list, emails[index]?.subject ?? '?'])}
        onClose={() => setOpened((list) => [...list, 'closed'])}
        onNearEnd={() => {}}
        revealTop={0}
        accountLabel={label}
      />
      <output data-testid="opened">{opened.join(',')}</output>
    </>
  );
}

const rows = () => screen.getAllByRole('option');
const selected = () => rows().filter((row) => row.getAttribute('aria-selected') === 'true');

// happy-dom lays nothing out: give the scroller the size its CSS gives it in a browser, so the virtualiser
// (which renders only the rows in view, measured by clientWidth/clientHeight) has a viewport to fill.
const size = (name: 'clientHeight' | 'clientWidth', pixels: number) => {
  const original = Object.getOwnPropertyDescriptor(Element.prototype, name);
  Object.defineProperty(HTMLElement.prototype, name, {
    configurable: true,
    get(this: HTMLElement) {
      return this.getAttribute('role') === 'listbox' ? pixels : (original?.get?.call(this) ?? 0);
    },
  });
};
beforeAll(() => {
  size('clientHeight', 600);
  size('clientWidth', 800);
});
afterAll(() => {
  Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
  Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
});
afterEach(cleanup);

describe('inbox list', () => {
  const emails = [email('c', 30), email('b', 20), email('a', 10)];

  it('renders each message as an option, newest first, with sender, subject and snippet', () => {
    render(<Inbox emails={emails} />);
    expect(rows().map((row) => within(row).getByText(/^Subject/).textContent)).toEqual([
      'Subject c',
      'Subject b',
      'Subject a',
    ]);
    expect(rows()[0]?.textContent).toContain('Sender c');
    expect(rows()[0]?.textContent).toContain('Snippet of c');
    expect(rows()[2]?.getAttribute('aria-setsize')).toBe('3');
    expect(rows()[0]?.querySelector('.account')).toBeNull();
  });

  it('selects and opens the row clicked', async () => {
    const user = userEvent.setup();
    render(<Inbox emails={emails} />);
    await user.click(screen.getByText('Subject b'));
    expect(selected().map((row) => row.id)).toEqual([`email-${WORK}-b`]);
    expect(screen.getByTestId('opened').textContent).toBe('Subject b');
  });

  it('moves the active row with the keyboard and opens it with Enter, closes with Escape', async () => {
    const user = userEvent.setup();
    render(<Inbox emails={emails} />);
    const list = screen.getByRole('listbox');
    await user.click(list);
    // Focus makes the first row active, announced through aria-activedescendant.
    expect(list.getAttribute('aria-activedescendant')).toBe(`email-${WORK}-c`);
    await user.keyboard('{ArrowDown}');
    expect(selected()[0]?.textContent).toContain('Subject b');
    await user.keyboard('{End}');
    expect(selected()[0]?.textContent).toContain('Subject a');
    await user.keyboard('{ArrowDown}');
    expect(selected()[0]?.textContent).toContain('Subject a');
    await user.keyboard('{Home}{Enter}{Escape}');
    expect(list.getAttribute('aria-activedescendant')).toBe(`email-${WORK}-c`);
    expect(screen.getByTestId('opened').textContent).toBe('Subject c,closed');
  });

  it('keeps two accounts apart: the same message id twice is two rows, each labelled with its account', async () => {
    const user = userEvent.setup();
    const label = accountLabeller([account(WORK, 'work@example.com'), account(HOME, 'home@example.com')]);
    render(<Inbox emails={[email('m1', 30, HOME), email('m1', 30, WORK)]} label={label} />);
    expect(rows().map((row) => row.querySelector('.account')?.textContent)).toEqual([
      'home@example.com',
      'work@example.com',
    ]);
    await user.click(rows()[1] as HTMLElement);
    expect(selected().map((row) => row.id)).toEqual([`email-${WORK}-m1`]);
  });

  it('labels no row when there is one account', () => {
    expect(accountLabeller([account(WORK, 'work@example.com')])).toBeUndefined();
  });
});

describe('new messages button', () => {
  it('counts the held-back messages and shows them on click; absent when there are none', async () => {
    const user = userEvent.setup();
    let shown = 0;
    const { rerender } = render(<NewMessagesButton count={1} onShow={() => (shown += 1)} />);
    await user.click(screen.getByRole('button', { name: '1 new message' }));
    expect(shown).toBe(1);
    rerender(<NewMessagesButton count={1200} onShow={() => {}} />);
    expect(screen.getByRole('button').textContent).toBe('1,200 new messages');
    rerender(<NewMessagesButton count={0} onShow={() => {}} />);
    expect(screen.queryByRole('button')).toBeNull();
  });
});

describe('progress per account', () => {
  const progress = (accountId: string, ingested: number): IngestionProgress => ({
    jobId: accountId.replace('0000000000', '1111111111'),
    accountId,
    status: 'running',
    total: 100,
    ingested,
    failed: 0,
    currentTier: 'low',
    firstDataMs: 10,
    lastError: null,
  });

  it("shows today's single bar for one account and one named bar per account for two", () => {
    const sync = (entries: [string, IngestionProgress][]) => ({
      progress: new Map(entries),
      databaseUnavailable: false,
    });
    const { rerender } = render(
      <AccountsProgress
        accounts={[account(WORK, 'work@example.com')]}
        sync={sync([[WORK, progress(WORK, 40)]])}
      />,
    );
    expect(screen.getAllByRole('progressbar').map((bar) => bar.getAttribute('aria-label'))).toEqual([
      'Mailbox sync',
    ]);
    rerender(
      <AccountsProgress
        accounts={[account(WORK, 'work@example.com'), account(HOME, 'home@example.com')]}
        sync={sync([
          [WORK, progress(WORK, 40)],
          [HOME, progress(HOME, 75)],
        ])}
      />,
    );
    const bars = screen.getAllByRole('progressbar');
    expect(bars.map((bar) => [bar.getAttribute('aria-label'), bar.getAttribute('aria-valuenow')])).toEqual([
      ['Mailbox sync of work@example.com', '40'],
      ['Mailbox sync of home@example.com', '75'],
    ]);
  });
});
