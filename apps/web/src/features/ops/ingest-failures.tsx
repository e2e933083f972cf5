import {
  OpsIngestFailuresResponse as FailuresSchema,
  type OpsIngestFailuresResponse,
} from '@firstlight/contracts';
import { requestJson } from '../../lib/api-client.ts';
import { instant, number } from './format.ts';
import { usePolling } from './use-polling.ts';

/**
 * Items Google sent that could not be stored (no id, no date, refused by the database) or that a sync skipped:
 * counts by source and reason, and the most recent ones by id — ids and reasons only, never content.
 */
export function IngestFailures({ enabled }: { enabled: boolean }) {
  const failures = usePolling(
    ['ops', 'ingest-failures'],
    (signal) => requestJson('/api/ops/ingest-failures', FailuresSchema, { signal }),
    enabled,
  );
  if (!failures.data) return null;
  return <IngestFailuresView data={failures.data} />;
}

export function IngestFailuresView({ data }: { data: OpsIngestFailuresResponse }) {
  return (
    <section className="card" aria-label="Items that could not be stored" data-testid="ops-ingest-failures">
      <h2>Items that could not be stored</h2>
      {data.bySourceAndReason.length === 0 ? (
        <p className="muted">None: every message and event Google sent was stored.</p>
      ) : (
        <>
          <p className="muted">
            {data.bySourceAndReason
              .map((row) => `${number(row.items)} ${row.source}: ${row.reason}`)
              .join(' · ')}
          </p>
          <div className="ops-table-wrap">
            <table className="ops-table">
              <caption>Most recently seen</caption>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Account</th>
                  <th scope="col">Item id</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Seen</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {data.recent.map((failure) => (
                  <tr key={`${failure.accountEmail}|${failure.source}|${failure.itemId}|${failure.reason}`}>
                    <td>{failure.source}</td>
                    <td>{failure.accountEmail}</td>
                    <td>
                      <code>{failure.itemId ?? '(no id)'}</code>
                    </td>
                    <td>{failure.reason}</td>
                    <td>{number(failure.count)}</td>
                    <td>{instant(failure.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
