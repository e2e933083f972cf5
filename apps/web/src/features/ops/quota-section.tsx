import { type OpsQuotaPlanResponse, OpsQuotaPlanResponse as QuotaSchema } from '@firstlight/contracts';
import { requestJson } from '../../lib/api-client.ts';
import { instant, number, percent, units, untilText, windowText } from './format.ts';
import { usePolling } from './use-polling.ts';

type Resource = OpsQuotaPlanResponse['resources'][number];

const RESOURCE_LABEL = { gmail: 'Gmail (units)', calendar: 'Calendar (requests)' } as const;

/**
 * The Google project's quota as the whole deployment uses it (`/api/ops/quota`, read from PostgreSQL: every
 * instance's grants), re-read with the rest of the page. Absent on a server without the quota route.
 */
export function QuotaSection({ enabled }: { enabled: boolean }) {
  const quota = usePolling(
    ['ops', 'quota'],
    (signal) => requestJson('/api/ops/quota', QuotaSchema, { signal }),
    enabled,
  );
  if (!quota.data) return null;
  return <QuotaSectionView data={quota.data} now={quota.updatedAt ?? new Date()} />;
}

export function QuotaSectionView({ data, now }: { data: OpsQuotaPlanResponse; now: Date }) {
  const resets = data.resetsAt
    ? `resets at ${instant(data.resetsAt)} (00:00 UTC, ${untilText(data.resetsAt, now)})`
    : 'resets at 00:00 UTC';
  return (
    <section className="card ops-quota" aria-labelledby="ops-quota-title" data-testid="ops-quota">
      <h2 id="ops-quota-title">Google quota</h2>
      <p className="muted">
        Every instance of the deployment (from the database) · {data.scheduler} scheduler · budget day{' '}
        {data.day} (UTC), {resets}
      </p>
      <dl className="ops-facts">
        <div>
          <dt>Units per stored message</dt>
          <dd data-testid="ops-units-per-message">{units(data.unitsPerMessage, 1)}</dd>
        </div>
        <div>
          <dt>Units per onboarded user</dt>
          <dd data-testid="ops-units-per-user">{units(data.unitsPerOnboardedUser, 0)}</dd>
        </div>
        {data.rateLimited && (
          <div>
            <dt>Gmail answers 429 (rate limited)</dt>
            <dd>
              {number(data.rateLimited.thisInstance)}{' '}
              <span className="muted">on this instance since {instant(data.rateLimited.since)}</span>
            </dd>
          </div>
        )}
      </dl>
      <ProjectTable resources={data.resources} />
      <ClassTable resources={data.resources} />
    </section>
  );
}

function ProjectTable({ resources }: { resources: Resource[] }) {
  // One window for both resources (config: Calendar's quota is per minute too, scaled with Gmail's).
  const per = windowText(resources[0]?.window?.windowMs ?? 60_000);
  return (
    <div className="ops-table-wrap">
      <table className="ops-table" data-testid="ops-quota-project">
        <caption>Project limit and today’s budget</caption>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            <th scope="col">Project limit ({per})</th>
            <th scope="col">Planned now ({per})</th>
            <th scope="col">Per-user limit ({per})</th>
            <th scope="col">Used today</th>
            <th scope="col">Left today</th>
            <th scope="col">429 holds</th>
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => {
            const w = r.window;
            const left = Math.max(0, r.dailyBudget - r.usedToday);
            return (
              <tr key={r.resource}>
                <th scope="row">{RESOURCE_LABEL[r.resource]}</th>
                <td>{w ? `${number(w.projectLimit)} (target ${percent(w.utilisation, 1)})` : '—'}</td>
                <td>
                  {w
                    ? `${number(Math.round(w.plannedPerWindow))} (${percent(w.plannedPerWindow, w.projectLimit)})`
                    : '—'}
                </td>
                <td>{w ? number(w.userLimit) : '—'}</td>
                <td>
                  {number(Math.round(r.usedToday))} of {number(r.dailyBudget)} (
                  {percent(r.usedToday, r.dailyBudget)})
                </td>
                <td>{number(Math.round(left))}</td>
                <td>{w ? holdText(w) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function holdText(w: NonNullable<Resource['window']>): string {
  const users = w.usersHeld === 1 ? '1 user' : `${number(w.usersHeld)} users`;
  return w.projectHeldUntil ? `project until ${instant(w.projectHeldUntil)}; ${users}` : users;
}

function ClassTable({ resources }: { resources: Resource[] }) {
  return (
    <div className="ops-table-wrap">
      <table className="ops-table" data-testid="ops-quota-classes">
        <caption>By priority class (highest first): today’s use and what waits now</caption>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            <th scope="col">Class</th>
            <th scope="col">Used today</th>
            <th scope="col">Stops at (day’s total)</th>
            <th scope="col">Today</th>
            <th scope="col">Waiting now</th>
          </tr>
        </thead>
        <tbody>
          {resources.flatMap((r) =>
            r.byClass.map((c) => (
              <tr key={`${r.resource}-${c.class}`}>
                <td>{r.resource}</td>
                <th scope="row">{c.class}</th>
                <td>{number(Math.round(c.units))}</td>
                <td>{number(Math.round(c.limit))}</td>
                <td>
                  <span className={`status ${c.waitingForTomorrow ? 'paused' : 'running'}`}>
                    {c.waitingForTomorrow ? 'spent: waits for tomorrow' : 'open'}
                  </span>
                </td>
                <td>{demandText(c.demand)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}

function demandText(demand: Resource['byClass'][number]['demand']): string {
  if (!demand) return '—';
  if (demand.users === 0) return 'nothing';
  const users = demand.users === 1 ? '1 user' : `${number(demand.users)} users`;
  return `${users}, ${number(Math.round(demand.units))} units`;
}
