import { createDatabase } from '@firstlight/db';

/**
 * How the harness sees the product: as a browser (sign-in over HTTP through the emulator's consent flow), as
 * an operator (`/api/ops/*` with the ops token), as Google (the emulator's admin API) and, at the end, as an
 * auditor (a direct connection to the database, compared with the mailbox).
 */

/** A browser's sign-in: `/auth/google` → the emulator's (auto-approving) consent → the callback. */
export async function signIn(baseUrl: string, email: string, consent = false): Promise<void> {
  for (let askConsent = consent; ; askConsent = true) {
    const start = await fetch(
      `${baseUrl}/auth/google?login_hint=${encodeURIComponent(email)}${askConsent ? '&consent=1' : ''}`,
      { redirect: 'manual' },
    );
    if (start.status !== 302) throw new Error(`/auth/google answered ${start.status}`);
    const pending = cookieHeader(start.headers.getSetCookie());
    const grant = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    if (grant.status !== 302) throw new Error(`the emulator's consent answered ${grant.status}`);
    const callback = await fetch(grant.headers.get('location')!, {
      redirect: 'manual',
      headers: { cookie: pending },
    });
    if (callback.status !== 302)
      throw new Error(`the callback answered ${callback.status}: ${await callback.text()}`);
    // Without a refresh token the product sends the browser round again with prompt=consent.
    if (!askConsent && callback.headers.get('location')?.includes('consent=1')) continue;
    return;
  }
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((entry) => entry.split(';')[0]).join('; ');
}

export interface JobView {
  status: string;
  total: number | null;
  ingested: number;
  lastError: string | null;
}

/** The user's Gmail backfill as `/api/ops/ingestions` shows it; undefined while no instance answers. */
export async function backfillJob(baseUrls: string[], opsToken: string): Promise<JobView | undefined> {
  for (const url of baseUrls) {
    try {
      const response = await fetch(`${url}/api/ops/ingestions?limit=10`, {
        headers: { authorization: `Bearer ${opsToken}` },
        signal: AbortSignal.timeout(3_000),
      });
      if (!response.ok) continue;
      const body = (await response.json()) as { jobs: (JobView & { kind: string })[] };
      const job = body.jobs.find((entry) => entry.kind === 'gmail_backfill');
      if (job)
        return { status: job.status, total: job.total, ingested: job.ingested, lastError: job.lastError };
    } catch {
      // down, restarting, or its database is: try the next one
    }
  }
  return undefined;
}

export interface GoogleCounts {
  /** Every answer with HTTP 429, whatever the cause. */
  errors429: number;
  /** Of which: the per-user or per-project quota window. */
  quota429: number;
  /** Of which: the per-user concurrency limit. */
  concurrency429: number;
  gmailUnits: number;
}

interface EmulatorStats {
  methods: Record<string, { calls: number; units: number; errors: Record<string, number> }>;
  errorsByCause: Record<string, number>;
}

export async function googleCounts(emulatorUrl: string): Promise<GoogleCounts> {
  const stats = (await (await fetch(`${emulatorUrl}/admin/stats`)).json()) as EmulatorStats;
  const entries = Object.entries(stats.methods);
  return {
    errors429: entries.reduce((sum, [, entry]) => sum + (entry.errors['429'] ?? 0), 0),
    // The guard answers quota and concurrency refusals with 429 (userErrorStyle '429', the default).
    quota429: stats.errorsByCause.quota ?? 0,
    concurrency429: stats.errorsByCause.concurrency ?? 0,
    gmailUnits: entries
      .filter(([method]) => method.startsWith('gmail.'))
      .reduce((sum, [, entry]) => sum + entry.units, 0),
  };
}

/** The user removes the app's access: every refresh token answers `invalid_grant` from now on. */
export async function revokeAccess(emulatorUrl: string, email: string): Promise<void> {
  const response = await fetch(`${emulatorUrl}/admin/accounts/${encodeURIComponent(email)}/revoke`, {
    method: 'POST',
  });
  if (!response.ok) throw new Error(`revoke answered ${response.status}`);
}

/**
 * Every message id of the mailbox as the product lists it (`messages.list`, spam and trash left out), read
 * through the emulator with an admin-minted token. Run after the scenario's Google counters are read: these
 * calls are charged like any other. A 429 (the window the product just used) is waited out.
 */
export async function mailboxIds(emulatorUrl: string, email: string): Promise<Set<string>> {
  const minted = await fetch(`${emulatorUrl}/admin/accounts/${encodeURIComponent(email)}/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const { access_token: token } = (await minted.json()) as { access_token: string };
  const ids = new Set<string>();
  let pageToken: string | undefined;
  let refusals = 0;
  do {
    const query = new URLSearchParams({ maxResults: '500', ...(pageToken ? { pageToken } : {}) });
    const response = await fetch(`${emulatorUrl}/gmail/v1/users/me/messages?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status === 429 && refusals++ < 60) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    if (!response.ok) throw new Error(`messages.list answered ${response.status}`);
    const page = (await response.json()) as { messages?: { id: string }[]; nextPageToken?: string };
    for (const message of page.messages ?? []) ids.add(message.id);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return ids;
}

export interface StoredState {
  ids: Set<string>;
  /** Rows in `emails` for the user (the primary key makes them distinct; counted apart all the same). */
  rows: number;
  /** The job's own counter, what the progress bar shows. */
  ingested: number;
  status: string | null;
}

/** What the database holds for the user, read directly (not through the API). */
export async function storedState(databaseUrl: string, email: string): Promise<StoredState> {
  const db = createDatabase({ connectionString: databaseUrl, max: 2, applicationName: 'chaos-audit' });
  try {
    const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (!user) return { ids: new Set(), rows: 0, ingested: 0, status: null };
    const emails = await db
      .selectFrom('emails')
      .select('message_id')
      .where('user_id', '=', user.id)
      .execute();
    const job = await db
      .selectFrom('ingestion_jobs')
      .select(['ingested', 'status'])
      .where('user_id', '=', user.id)
      .where('kind', '=', 'gmail_backfill')
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return {
      ids: new Set(emails.map((row) => row.message_id)),
      rows: emails.length,
      ingested: job?.ingested ?? 0,
      status: job?.status ?? null,
    };
  } finally {
    await db.destroy();
  }
}

/** Batches leased right now (status `running`): is the kill "mid-batch"? */
export async function runningBatches(databaseUrl: string): Promise<number> {
  const db = createDatabase({ connectionString: databaseUrl, max: 1, applicationName: 'chaos-audit' });
  try {
    const row = await db
      .selectFrom('ingestion_batches')
      .select(db.fn.countAll<number>().as('n'))
      .where('status', '=', 'running')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } catch {
    return 0;
  } finally {
    await db.destroy();
  }
}
