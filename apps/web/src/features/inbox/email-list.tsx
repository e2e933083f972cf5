import type { EmailSummary } from '@firstlight/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { emailKey } from './email-order.ts';
import { EmailRow, rowId } from './email-row.tsx';

/** Every row has this height (inbox.css `.email-row`), so the virtualiser never measures and nothing jumps. */
export const ROW_HEIGHT = 72;
/**
 * Rows rendered beyond the viewport on each side: enough to scroll fast without blank rows, and a few dozen
 * nodes whatever the mailbox size.
 */
const OVERSCAN = 50;

interface EmailListProps {
  emails: EmailSummary[];
  hasMore: boolean;
  active: number;
  onActiveChange: (index: number) => void;
  onOpen: (index: number) => void;
  onClose: () => void;
  onNearEnd: () => void;
  /** Bumped by the "N new messages" button: the list jumps to its top, where the new rows went. */
  revealTop: number;
  /** The account a row belongs to, when the user has more than one (undefined: no label). */
  accountLabel?: (email: EmailSummary) => string | undefined;
}

/**
 * The inbox as a WAI-ARIA listbox: one tab stop, Up/Down/Home/End move the active row (announced through
 * aria-activedescendant), Enter opens it, Escape closes the pane. Only the rows near the viewport exist in the DOM.
 */
export function EmailList(props: EmailListProps) {
  const { emails, hasMore, active, onActiveChange, onOpen, onNearEnd, revealTop, accountLabel } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: emails.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    getItemKey: (index) => (emails[index] ? emailKey(emails[index]) : index),
  });
  const items = virtualizer.getVirtualItems();
  const lastRendered = items.at(-1)?.index ?? -1;

  // Infinite scroll: once the rendered rows reach the end of what is loaded, fetch the next page by cursor.
  useEffect(() => {
    if (hasMore && emails.length > 0 && lastRendered >= emails.length - 1) onNearEnd();
  }, [hasMore, lastRendered, emails.length, onNearEnd]);

  useEffect(() => {
    if (revealTop > 0) virtualizer.scrollToOffset(0);
  }, [revealTop, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT) - 1);
    const next = listKeyTarget(event.key, active, emails.length, page);
    if (next === 'none') return;
    event.preventDefault();
    if (typeof next === 'number') {
      onActiveChange(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    } else if (next === 'open') onOpen(active);
    else props.onClose();
  };

  // Point at the active row only while it is rendered: a reference to an unmounted id would say nothing.
  const activeEmail = items.some((item) => item.index === active) ? emails[active] : undefined;
  return (
    <div
      ref={scroller}
      className="email-scroller"
      role="listbox"
      tabIndex={0}
      aria-label="Messages, newest first"
      aria-activedescendant={activeEmail ? rowId(activeEmail) : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => active < 0 && emails.length > 0 && onActiveChange(0)}
      data-testid="email-list"
    >
      <div className="email-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const email = emails[item.index] as EmailSummary;
          return (
            <EmailRow
              key={item.key}
              email={email}
              index={item.index}
              start={item.start}
              selected={item.index === active}
              setSize={hasMore ? -1 : emails.length}
              account={accountLabel?.(email)}
              onPick={(index) => {
                onActiveChange(index);
                onOpen(index);
              }}
            />
          );
        })}
      </div>
    </div>
  );
}

/** What a key does in the list: move to a row (clamped), open the active one, close the pane, or nothing. */
export function listKeyTarget(
  key: string,
  active: number,
  count: number,
  page: number,
): number | 'open' | 'close' | 'none' {
  if (count === 0) return 'none';
  const moves: Record<string, number> = {
    ArrowDown: active + 1,
    ArrowUp: active - 1,
    PageDown: active + page,
    PageUp: active - page,
    Home: 0,
    End: count - 1,
  };
  const target = moves[key];
  if (target !== undefined) return Math.max(0, Math.min(count - 1, target));
  if ((key === 'Enter' || key === ' ') && active >= 0) return 'open';
  if (key === 'Escape') return 'close';
  return 'none';
}
