import { OpsIngestionDetailResponse } from '@firstlight/contracts';
import { requestJson } from '../../lib/api-client.ts';
import { duration, number } from './format.ts';
import { usePolling } from './use-polling.ts';

/** A job's batches, re-read while the row stays open. */
export function JobBatches({ jobId }: { jobId: string }) {
  const detail = usePolling(['ops', 'job', jobId], (signal) =>
    requestJson(`/api/ops/ingestions/${encodeURIComponent(jobId)}`, OpsIngestionDetailResponse, { signal }),
  );
  if (!detail.data) {
    return detail.error ? (
      <p role="alert" className="bad">
        Could not load the batches: {detail.error.message}
      </p>
    ) : (
      <p role="status">Loading batches…</p>
    );
  }
  const { batches, failures, failuresTotal } = detail.data;
  return (
    <div className="ops-detail">
      {batches.length === 0 ? (
        <p>No batches yet (the lister has not written any).</p>
      ) : (
        <table className="ops-table batches" data-testid="ops-batches">
          <caption>Batches of job {jobId}</caption>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Messages</th>
              <th scope="col">Stored</th>
              <th scope="col">Failed</th>
              <th scope="col">Duration</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((batch) => (
              <tr key={batch.seq} data-testid="ops-batch-row">
                <td>{batch.seq}</td>
                <td>{batch.tier}</td>
                <td>
                  <span className={`status ${batch.status}`}>{batch.status}</span>
                </td>
                <td>{batch.attempts}</td>
                <td>{number(batch.messageCount)}</td>
                <td>{number(batch.storedCount)}</td>
                <td>{number(batch.failedCount)}</td>
                <td>{duration(batch.durationMs)}</td>
                <td className="error-cell">{batch.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {failuresTotal > 0 && (
        <details>
          <summary>
            {number(failuresTotal)} messages skipped
            {failuresTotal > failures.length ? ` (first ${failures.length})` : ''}
          </summary>
          <ul>
            {failures.map((failure) => (
              <li key={`${failure.seq}-${failure.gmailId}`}>
                batch {failure.seq}, {failure.gmailId}: {failure.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
