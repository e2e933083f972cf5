import type { EmailSummary } from '@firstlight/contracts';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { decodeEntities, senderName } from './email-text.ts';

/** Every row has this height (styles.css `.email-row`), so the virtualiser never measures and nothing jumps. */
export const ROW_HEIGHT = 72;
/**
 * Rows rendered beyond the viewport on each side: enough to scroll fast without blank rows, and a few dozen
 * nodes whatever the mailbox size.
 */
const OVERSCAN = 50;

export const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function rowId(email: EmailSummary): string {
  return `email-${email.id}`;
}

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
}

/**
 * The inbox as a WAI-ARIA listbox: one tab stop, Up/Down/Home/End move the active row (announced through
 * aria-activedescendant), Enter opens it, Escape closes the pane. Only the rows near the viewport exist in the DOM.
 */
export function EmailList({
  emails,
  hasMore,
  active,
  onActiveChange,
  onOpen,
  onClose,
  onNearEnd,
  revealTop,
}: EmailListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: emails.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    getItemKey: (index) => emails[index]?.id ?? index,
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

  const move = (index: number) => {
    const next = Math.max(0, Math.min(emails.length - 1, index));
    onActiveChange(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT) - 1);
    const target: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: emails.length - 1,
    };
    if (emails.length === 0) return;
    if (event.key in target) move(target[event.key] as number);
    else if ((event.key === 'Enter' || event.key === ' ') && active >= 0) onOpen(active);
    else if (event.key === 'Escape') onClose();
    else return;
    event.preventDefault();
  };

  // Point at the active row only while it is rendered: a reference to an unmounted id would say nothing.
  const activeRendered = items.some((item) => item.index === active);
  const activeEmail = activeRendered ? emails[active] : undefined;
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
            // biome-ignore lint/a11y/useKeyWithClickEvents: keys go to the listbox (aria-activedescendant), not to each option
            // biome-ignore lint/a11y/useFocusableInteractive: options of an activedescendant listbox take no focus themselves
            <div
              key={item.key}
              id={rowId(email)}
              role="option"
              aria-selected={item.index === active}
              aria-posinset={item.index + 1}
              aria-setsize={hasMore ? -1 : emails.length}
              className="email-row"
              data-testid="email-row"
              data-index={item.index}
              style={{ transform: `translateY(${item.start}px)` }}
              onClick={() => {
                onActiveChange(item.index);
                onOpen(item.index);
              }}
            >
              <span className="from" title={email.from ?? undefined}>
                {senderName(email.from)}
              </span>
              <span className="subject">{email.subject ?? '(no subject)'}</span>
              <span className="snippet">{decodeEntities(email.snippet ?? '')}</span>
              <time dateTime={email.internalDate}>{dateFormat.format(new Date(email.internalDate))}</time>
            </div>
          );
        })}
      </div>
    </div>
  );
}
