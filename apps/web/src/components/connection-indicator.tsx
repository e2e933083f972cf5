import { useConnection } from '../lib/realtime-context.tsx';

const LABEL = {
  connecting: 'Connecting…',
  open: 'Live',
  closed: 'Connection lost — reconnecting…',
  signed_out: 'Signed out',
} as const;

/** Whether live updates arrive: a dot and a word, announced politely when it changes. */
export function ConnectionIndicator() {
  const connection = useConnection();
  return (
    <p className="connection" data-state={connection} role="status" data-testid="connection">
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{LABEL[connection]}</span>
    </p>
  );
}
