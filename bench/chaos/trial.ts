import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@firstlight/db';
import {
  backfillJob,
  type GoogleCounts,
  googleCounts,
  type JobView,
  mailboxIds,
  signIn,
  storedState,
} from './observe.ts';
import {
  ApiProcess,
  EmulatorProcess,
  type ExitRecord,
  forgetTempDir,
  HarnessPostgres,
  registerPostgresDir,
  registerTempDir,
  sleep,
} from './supervisor.ts';

/** The knobs of a run (environment variables, see bench/README.md § chaos). */
export interface Settings {
  messages: number;
  /** The quota window standing for Google's minute; the emulator's latency is scaled alike. */
  windowMs: number;
  kills: number;
  seed: number;
  /** A scenario gives up after this many times the undisturbed run (or its estimate)... */
  timeoutFactor: number;
  /** ...but never sooner than this. */
  minTimeoutS: number;
  /** How long the harness's own PostgreSQL stays dead. */
  pgDownMs: number;
  taskWorkers: string;
  logDir: string;
}

export type Ending = 'complete' | 'timeout' | 'api-gone';

export interface Outcome {
  ended: Ending;
  /** From the sign-in callback's return to the job seen complete (or to the end). */
  seconds: number;
  job: JobView | undefined;
  /** [seconds, status]: each change of the job's status as the ops endpoint showed it. */
  timeline: [number, string][];
}

export interface Audit extends GoogleCounts {
  mailbox: number;
  stored: number;
  /** Mailbox ids with no row at the end. */
  missing: number;
  /** Rows whose id is not in the mailbox (should be impossible). */
  strays: number;
  ingested: number;
  status: string | null;
  exits: (ExitRecord & { process: string })[];
}

/**
 * One scenario's world: its own folder (DATA_DIR or the harness's PostgreSQL), its own emulator (clean counters
 * and quota windows), its own user; the API processes it starts; the wait for the backfill; the audit.
 */
export class Trial {
  readonly email: string;
  readonly opsToken = randomBytes(24).toString('base64url');
  readonly apis: ApiProcess[] = [];
  readonly notes: string[] = [];
  /** performance.now() when the sign-in callback returned; the clock of the scenario. */
  startedAt = 0;
  #done = false;
  // Shared by instances on one database (they must read each other's tokens and sessions).
  readonly #keys = {
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  };

  private constructor(
    readonly name: string,
    readonly settings: Settings,
    readonly dir: string,
    readonly emulator: EmulatorProcess,
    readonly postgres: HarnessPostgres | undefined,
  ) {
    this.email = `${name}@example.com`;
  }

  /** `external`: a PostgreSQL of the harness, given to the API as DATABASE_URL; `embedded`: the product's own. */
  static async open(name: string, settings: Settings, database: 'embedded' | 'external'): Promise<Trial> {
    const dir = await mkdtemp(join(tmpdir(), `firstlight-chaos-${name}-`));
    registerTempDir(dir);
    await chmod(dir, 0o755); // as root the embedded PostgreSQL runs as `postgres`, which must enter it
    await mkdir(join(settings.logDir, name), { recursive: true });
    const emulator = await EmulatorProcess.start(
      [
        `--accounts=${name}@example.com:${settings.messages}`,
        `--seed=${settings.seed}`,
        '--auto-approve',
        `--quota-window-ms=${settings.windowMs}`,
        `--latency=${settings.windowMs / 60_000}`,
      ],
      join(settings.logDir, name, 'emulator.log'),
    );
    let postgres: HarnessPostgres | undefined;
    if (database === 'external') {
      postgres = new HarnessPostgres(join(dir, 'server'));
      await postgres.start();
    }
    return new Trial(name, settings, dir, emulator, postgres);
  }

  get done(): boolean {
    return this.#done;
  }

  /** The data directory of API `label` (with the embedded database, its PostgreSQL is in `pg/` under it). */
  dataDir(label: string): string {
    return join(this.dir, `data-${label}`);
  }

  /** An API process (not started), configured as a user would: env vars only. */
  async api(label: string): Promise<ApiProcess> {
    const env: Record<string, string> = {
      DATA_DIR: this.dataDir(label),
      GOOGLE_EMULATOR_URL: this.emulator.url,
      GMAIL_QUOTA_WINDOW_MS: String(this.settings.windowMs),
      TASK_QUEUE: 'embedded',
      TASK_WORKERS: this.settings.taskWorkers,
      OPS_TOKEN: this.opsToken,
      LOG_LEVEL: 'info',
      // The trials sign in and poll from one address, faster than people do.
      RATE_LIMIT_SIGN_IN_PER_MIN: '1000000',
      RATE_LIMIT_PER_MIN: '1000000',
      DATABASE_URL: this.postgres ? this.postgres.url : '',
      ...(this.postgres ? this.#keys : {}),
    };
    if (!this.postgres) registerPostgresDir(join(this.dataDir(label), 'pg'));
    const api = await ApiProcess.create(
      label,
      env,
      join(this.settings.logDir, this.name, `api-${label}.log`),
    );
    this.apis.push(api);
    return api;
  }

  async startAndWait(api: ApiProcess): Promise<void> {
    api.start();
    if (!(await api.ready(90_000)))
      throw new Error(
        `API ${api.name} did not become ready: ${api.exits.at(-1)?.tail.join('\n') ?? 'timeout'}`,
      );
  }

  async signIn(api: ApiProcess, consent = false): Promise<void> {
    await signIn(api.url, this.email, consent);
    if (!this.startedAt) this.startedAt = performance.now();
  }

  elapsedS(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Sleeps until `seconds` into the scenario; false if the scenario ended first. */
  async until(seconds: number): Promise<boolean> {
    while (!this.#done && this.elapsedS() < seconds) await sleep(200);
    return !this.#done;
  }

  async job(): Promise<JobView | undefined> {
    const urls = this.apis.filter((api) => api.alive).map((api) => api.url);
    return backfillJob(urls, this.opsToken);
  }

  /**
   * Until the job is complete, the time is up, or every API is gone and one of them left on its own (the
   * harness restarts only processes it killed itself, and never one that exited).
   */
  async waitForBackfill(timeoutS: number): Promise<Outcome> {
    const timeline: [number, string][] = [];
    let job: JobView | undefined;
    let lastPrint = 0;
    let ended: Ending | undefined;
    while (!ended) {
      job = (await this.job()) ?? job;
      const seconds = Math.round(this.elapsedS() * 10) / 10;
      if (job && job.status !== timeline.at(-1)?.[1]) timeline.push([seconds, job.status]);
      if (job?.status === 'complete') ended = 'complete';
      else if (this.apis.every((api) => !api.alive) && this.apis.some((api) => api.unexpectedExits.length))
        ended = 'api-gone';
      else if (seconds > timeoutS) ended = 'timeout';
      else {
        if (seconds - lastPrint >= 10) {
          lastPrint = seconds;
          const alive = this.apis.filter((api) => api.alive).length;
          console.log(
            `  [${this.name}] ${Math.round(seconds)} s: ${job?.ingested ?? '?'} of ${job?.total ?? '?'} (${job?.status ?? 'no answer'}), ${alive} API up`,
          );
        }
        await sleep(500);
      }
    }
    this.#done = true;
    return { ended, seconds: this.elapsedS(), job, timeline };
  }

  /** Everything stopped, then counted: Google's counters first (the mailbox listing is charged too). */
  async audit(): Promise<Audit> {
    this.#done = true;
    for (const api of this.apis) await api.kill();
    const counts = await googleCounts(this.emulator.url);
    const mailbox = await mailboxIds(this.emulator.url, this.email);
    const stored = await this.#stored();
    let missing = 0;
    for (const id of mailbox) if (!stored.ids.has(id)) missing++;
    let strays = 0;
    for (const id of stored.ids) if (!mailbox.has(id)) strays++;
    return {
      ...counts,
      mailbox: mailbox.size,
      stored: stored.rows,
      missing,
      strays,
      ingested: stored.ingested,
      status: stored.status,
      exits: this.apis.flatMap((api) => api.exits.map((exit) => ({ process: api.name, ...exit }))),
    };
  }

  async close(): Promise<void> {
    this.#done = true;
    for (const api of this.apis) await api.kill();
    await this.emulator.kill();
    await this.postgres?.stop();
    forgetTempDir(this.dir);
  }

  async #stored() {
    if (this.postgres) return storedState(this.postgres.url, this.email);
    // The product's PostgreSQL died with (or before) its API: start it on the same data for the count.
    const label = this.apis[0]?.name ?? 'a';
    const pg = await startEmbeddedPostgres({ dataDir: join(this.dataDir(label), 'pg') });
    try {
      return await storedState(pg.url, this.email);
    } finally {
      await pg.stop();
    }
  }
}
