import {
  OpsIngestionListResponse as ListSchema,
  type OpsIngestionListResponse,
  type OpsJob,
} from '@firstlight/contracts';
import { Fragment, useState } from 'react';
import { Link } from 'react-router';
import { ApiRequestError, requestJson } from '../../lib/api-client.ts';
import './ops.css';
import { duration, instant, number } from './format.ts';
import { IngestFailures } from './ingest-failures.tsx';
import { JobBatches } from './job-batches.tsx';
import { QuotaSection } from './quota-section.tsx';
import { OPS_POLL_MS, usePolling } from './use-polling.ts';

/** `/ops`: ingestion jobs, their batches and the Gmail quota, re-read every few seconds (polling, not the socket). */
export function OpsPage() {
  const list = usePolling(['ops', 'ingestions'], (signal) =>
    requestJson('/api/ops/ingestions?limit=100', ListSchema, { signal }),
  );
  const denied = list.error instanceof ApiRequestError && [401, 403].includes(list.error.status);
  return (
    <main className="page ops-page">
      <div className="page-head">
        <h1 className="page-title">Ingestion ops</h1>
        <span className="muted" role="status">
          {list.updatedAt
            ? `Updated ${list.updatedAt.toLocaleTimeString()} · every ${OPS_POLL_MS / 1000} s`
            : ''}
        </span>
      </div>
      {denied && (
        <section role="alert" className="card">
          <h2>{(list.error as ApiRequestError).status === 401 ? 'Sign in first' : 'Ops role required'}</h2>
          <p>
            {(list.error as ApiRequestError).status === 401
              ? 'This page is for the operations team. Sign in with an ops account to see it.'
              : 'Your account is signed in but is not in OPS_EMAILS, so it cannot see ingestion jobs.'}
          </p>
          <Link className="button" to="/">
            Back to Firstlight
          </Link>
        </section>
      )}
      {!denied && list.error && (
        <p role="alert" className="bad">
          Could not refresh: {list.error.message}
          {list.data ? ' (showing the last answer)' : ''}
        </p>
      )}
      {!denied && !list.data && !list.error && <p role="status">Loading jobs…</p>}
      {list.data && <OpsOverview data={list.data} />}
      <QuotaSection enabled={!denied && Boolean(list.data)} />
      {list.data && <JobsTable jobs={list.data.jobs} />}
      <IngestFailures enabled={!denied && Boolean(list.data)} />
    </main>
  );
}

function OpsOverview({ data }: { data: OpsIngestionListResponse }) {
  const { totals, quota } = data;
  const jobs = Object.entries(totals.jobsByStatus).filter(([, count]) => count > 0);
  const batches = Object.entries(totals.batchesByStatus);
  return (
    <section className="ops-overview" aria-label="Totals and quota">
      <div className="card stat">
        <h2>Messages ingested</h2>
        <p className="figure" data-testid="ops-messages">
          {number(totals.messagesIngested)}
        </p>
        <p className="muted">
          Jobs: {jobs.length ? jobs.map(([status, count]) => `${count} ${status}`).join(', ') : 'none'}
        </p>
      </div>
      <div className="card stat">
        <h2>Batches</h2>
        <p className="muted">{batches.map(([status, count]) => `${number(count)} ${status}`).join(' · ')}</p>
      </div>
      <div className="card stat">
        <h2>Gmail quota use</h2>
        <p className="figure">{number(Math.round(quota.quotaUnits))} units</p>
        <p className="muted">
          {number(quota.gmailCalls.total)} calls, {number(quota.gmailCalls.rateLimited)} rate-limited (429) ·
          this instance since {instant(quota.window.from)}
        </p>
      </div>
    </section>
  );
}

function JobsTable({ jobs }: { jobs: OpsJob[] }) {
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  if (jobs.length === 0) return <p>No ingestion jobs yet.</p>;
  return (
    <div className="ops-table-wrap">
      <table className="ops-table" data-testid="ops-jobs">
        <caption>Ingestion jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Batches</span>
            </th>
            <th scope="col">Account</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Ingested</th>
            <th scope="col">Failed</th>
            <th scope="col">Batches done</th>
            <th scope="col">First data</th>
            <th scope="col">Updated</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const expanded = open.has(job.id);
            return (
              <Fragment key={job.id}>
                <tr data-testid="ops-job-row">
                  <td>
                    <button
                      type="button"
                      className="button small"
                      aria-expanded={expanded}
                      aria-controls={`batches-${job.id}`}
                      aria-label={`Batches of ${job.accountEmail}'s ${job.kind.replace('_', ' ')}`}
                      onClick={() => toggle(job.id)}
                    >
                      {expanded ? '▾' : '▸'}
                    </button>
                  </td>
                  <th scope="row">{job.accountEmail}</th>
                  <td>{job.kind.replace('_', ' ')}</td>
                  <td>
                    <span className={`status ${job.status}`}>{job.status}</span>
                  </td>
                  <td>
                    {number(job.ingested)} of {number(job.total)}
                  </td>
                  <td>{number(job.failed)}</td>
                  <td>
                    {number(job.batches.byStatus.done ?? 0)} / {number(job.batches.total)}
                  </td>
                  <td>{duration(job.firstDataMs)}</td>
                  <td>{instant(job.updatedAt)}</td>
                  <td className="error-cell">{job.lastError ?? ''}</td>
                </tr>
                {expanded && (
                  <tr id={`batches-${job.id}`}>
                    <td colSpan={10}>
                      <JobBatches jobId={job.id} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
