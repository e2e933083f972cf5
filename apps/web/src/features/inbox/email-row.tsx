import type { EmailSummary } from '@firstlight/contracts';
import { decodeEntities, senderName } from './email-text.ts';

export const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The row's DOM id (aria-activedescendant): account and message, as message ids repeat across accounts. */
export function rowId(email: EmailSummary): string {
  return `email-${email.accountId}-${email.id}`;
}

interface EmailRowProps {
  email: EmailSummary;
  index: number;
  start: number;
  selected: boolean;
  /** -1 while more pages may follow (ARIA: size unknown). */
  setSize: number;
  /** The account's address, shown when the user has more than one account. */
  account: string | undefined;
  onPick: (index: number) => void;
}

/** One option of the inbox listbox, placed by the virtualiser. */
export function EmailRow({ email, index, start, selected, setSize, account, onPick }: EmailRowProps) {
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: keys go to the listbox (aria-activedescendant), not to each option
    // biome-ignore lint/a11y/useFocusableInteractive: options of an activedescendant listbox take no focus themselves
    <div
      id={rowId(email)}
      role="option"
      aria-selected={selected}
      aria-posinset={index + 1}
      aria-setsize={setSize}
      className={account ? 'email-row with-account' : 'email-row'}
      data-testid="email-row"
      data-index={index}
      data-account-id={email.accountId}
      style={{ transform: `translateY(${start}px)` }}
      onClick={() => onPick(index)}
    >
      <span className="from" title={email.from ?? undefined}>
        {senderName(email.from)}
      </span>
      {account && <span className="account">{account}</span>}
      <span className="subject">{email.subject ?? '(no subject)'}</span>
      <span className="snippet">{decodeEntities(email.snippet ?? '')}</span>
      <time dateTime={email.internalDate}>{dateFormat.format(new Date(email.internalDate))}</time>
    </div>
  );
}
