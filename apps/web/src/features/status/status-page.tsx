import { useReadiness } from './use-readiness.ts';

/** The first page: is the server ready (database reachable, migrations applied)? */
export function StatusPage() {
  const state = useReadiness();
  return (
    <main className="page">
      <h1>Firstlight</h1>
      <p className="lede">Your Gmail and Google Calendar, onboarded in a second.</p>
      <section aria-labelledby="status-heading" className="card">
        <h2 id="status-heading">Server status</h2>
        {state.kind === 'loading' && <p role="status">Checking…</p>}
        {state.kind === 'error' && (
          <p role="alert" className="bad">
            Cannot reach the server: {state.message}
          </p>
        )}
        {state.kind === 'loaded' && (
          <>
            <p
              role="status"
              className={state.readiness.status === 'ready' ? 'good' : 'bad'}
              data-testid="readiness"
            >
              {state.readiness.status === 'ready' ? 'Ready' : 'Not ready'}
            </p>
            <dl>
              <dt>Database</dt>
              <dd>
                {state.readiness.checks.database.ok
                  ? `reachable (${state.readiness.checks.database.latencyMs ?? 0} ms)`
                  : `unreachable: ${state.readiness.checks.database.error}`}
              </dd>
              <dt>Migrations</dt>
              <dd>
                {state.readiness.checks.migrations.ok
                  ? `${state.readiness.checks.migrations.applied} applied, none pending`
                  : (state.readiness.checks.migrations.error ?? 'not applied')}
              </dd>
            </dl>
          </>
        )}
      </section>
    </main>
  );
}
