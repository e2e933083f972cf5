import type { EmailSummary } from '@firstlight/contracts';
import { useEffect, useRef } from 'react';
import { dateFormat } from './email-row.tsx';
import { decodeEntities } from './email-text.ts';

/** The reading pane: headers and snippet (bodies stay in Gmail). Beside the list, or over it on a phone. */
export function MessagePane({ email, onClose }: { email: EmailSummary; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Read the new message from its subject when the pane opens; arrow keys keep working in the list.
  useEffect(() => {
    if (window.matchMedia('(max-width: 48rem)').matches) heading.current?.focus();
  }, []);
  return (
    <section className="message-pane" aria-labelledby="message-subject" data-testid="message-pane">
      <div className="pane-head">
        <h2 id="message-subject" ref={heading} tabIndex={-1}>
          {email.subject ?? '(no subject)'}
        </h2>
        <button type="button" className="button small" onClick={onClose} aria-label="Close message">
          Close
        </button>
      </div>
      <dl className="message-headers">
        <dt>From</dt>
        <dd>{email.from ?? '(no sender)'}</dd>
        <dt>To</dt>
        <dd>{email.to ?? '(no recipient)'}</dd>
        <dt>Subject</dt>
        <dd>{email.subject ?? '(no subject)'}</dd>
        <dt>Date</dt>
        <dd>
          <time dateTime={email.internalDate}>{dateFormat.format(new Date(email.internalDate))}</time>
        </dd>
      </dl>
      <p className="message-snippet">{decodeEntities(email.snippet ?? '')}</p>
    </section>
  );
}
