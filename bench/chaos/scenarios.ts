import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { revokeAccess, runningBatches } from './observe.ts';
import { type ApiProcess, httpStatus, isAlive, postmasterPid, sleep } from './supervisor.ts';
import { type Audit, type Outcome, type Settings, Trial } from './trial.ts';

/**
 * The faults of issue 13, each against the product started as a user would start it. A scenario disturbs the
 * product and says what it saw; `Trial` waits for the backfill and audits it the same way for all of them.
 */

export interface Context {
  settings: Settings;
  /** The undisturbed run's time, or an estimate from the quota before it has run. */
  referenceS: number;
  timeoutS: number;
  random: () => number;
}

export interface ScenarioRun {
  outcome: Outcome;
  audit: Audit;
  /** What the scenario did and saw beyond the common figures (kills, restarts, outage, ...). */
  details: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  title: string;
  run(context: Context): Promise<ScenarioRun>;
}

/**
 * Opens the trial, runs `setup` (start, sign in: the clock starts at the callback's return), then `disturb`
 * beside the wait for the backfill; audits, and always closes.
 */
async function inTrial<T>(
  name: string,
  context: Context,
  database: 'embedded' | 'external',
  setup: (trial: Trial) => Promise<T>,
  disturb: (trial: Trial, setUp: T, details: Record<string, unknown>) => Promise<void>,
): Promise<ScenarioRun> {
  const began = performance.now();
  const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;
  const trial = await Trial.open(name, context.settings, database);
  const details: Record<string, unknown> = {};
  const overhead: Record<string, number> = { openS: seconds(began) };
  try {
    const setUp = await setup(trial);
    overhead.setupS = Math.round((seconds(began) - overhead.openS!) * 10) / 10;
    const disturbing = disturb(trial, setUp, details).catch((error: unknown) => {
      details.disturbanceError = error instanceof Error ? error.message : String(error);
    });
    const outcome = await trial.waitForBackfill(context.timeoutS);
    await disturbing;
    const auditing = performance.now();
    const audit = await trial.audit();
    overhead.auditS = seconds(auditing);
    return { outcome, audit, details: { ...details, overhead } };
  } finally {
    await trial.close();
  }
}

/** One API on the embedded database (or the trial's DATABASE_URL), signed in: the setup most scenarios share. */
async function signedInApi(trial: Trial): Promise<ApiProcess> {
  const api = await trial.api('a');
  await trial.startAndWait(api);
  await trial.signIn(api);
  return api;
}

/** Samples `/readyz` and `/healthz` once a second while `active()`: what a load balancer would have seen. */
async function probeHealth(apis: () => ApiProcess[], active: () => boolean) {
  const seen = { readyz: {} as Record<string, number>, healthz: {} as Record<string, number> };
  while (active()) {
    for (const api of apis().filter((entry) => entry.alive)) {
      const ready = String((await httpStatus(`${api.url}/readyz`)) ?? 'no answer');
      const live = String((await httpStatus(`${api.url}/healthz`)) ?? 'no answer');
      seen.readyz[ready] = (seen.readyz[ready] ?? 0) + 1;
      seen.healthz[live] = (seen.healthz[live] ?? 0) + 1;
    }
    await sleep(1_000);
  }
  return seen;
}

const baseline: Scenario = {
  name: 'baseline',
  title: 'undisturbed backfill',
  run: (context) => inTrial('baseline', context, 'embedded', signedInApi, async () => {}),
};

const killLoop: Scenario = {
  name: 'kill-loop',
  title: 'SIGKILLs of the API at random moments of the backfill, each restarted on the same DATA_DIR',
  run: (context) =>
    inTrial('kill-loop', context, 'embedded', signedInApi, async (trial, api, details) => {
      const kills: { atS: number; restartS: number }[] = [];
      details.kills = kills;
      // Uniform over 0.2..1.0 of a tenth of the undisturbed run after each restart (plus ~3 s to restart): all ten
      // kills land within the backfill, which the kills themselves lengthen.
      const gap = () => (0.2 + 0.8 * context.random()) * (context.referenceS / 10);
      for (let i = 0; i < context.settings.kills; i++) {
        if (!(await trial.until(trial.elapsedS() + gap()))) break;
        if (api.unexpectedExits.length) break; // it left on its own: not ours to restart
        const atS = Math.round(trial.elapsedS() * 10) / 10;
        await api.kill('SIGKILL');
        const began = performance.now();
        api.start();
        const up = await api.ready(90_000);
        kills.push({ atS, restartS: Math.round((performance.now() - began) / 100) / 10 });
        if (!up) break;
      }
      details.killCount = kills.length;
    }),
};

const postgresEmbedded: Scenario = {
  name: 'pg-embedded',
  title: 'the embedded PostgreSQL SIGKILLed mid-backfill (the product must bring it back)',
  run: (context) =>
    inTrial('pg-embedded', context, 'embedded', signedInApi, async (trial, api, details) => {
      if (!(await trial.until(context.referenceS * 0.35))) return;
      const pgDir = join(trial.dataDir(api.name), 'pg');
      const killed = postmasterPid(pgDir);
      if (!killed) throw new Error('no live postmaster in postmaster.pid');
      const killedAtS = trial.elapsedS();
      process.kill(killed, 'SIGKILL');
      details.killedAtS = Math.round(killedAtS * 10) / 10;
      const health = probeHealth(
        () => trial.apis,
        () => !trial.done && !details.postgresBackAfterS,
      );
      // Back = a new postmaster, started by the product (the harness never restarts it here).
      while (!trial.done && !details.postgresBackAfterS) {
        const now = postmasterPid(pgDir);
        if (now && now !== killed && isAlive(now))
          details.postgresBackAfterS = Math.round((trial.elapsedS() - killedAtS) * 10) / 10;
        await sleep(250);
      }
      details.duringOutage = await health;
      details.postgresRestartedByProduct = Boolean(details.postgresBackAfterS);
    }),
};

const postgresExternal: Scenario = {
  name: 'pg-external',
  title: 'DATABASE_URL: the server SIGKILLed mid-backfill, started again by the harness',
  run: (context) =>
    inTrial('pg-external', context, 'external', signedInApi, async (trial, _api, details) => {
      if (!(await trial.until(context.referenceS * 0.35))) return;
      const postgres = trial.postgres!;
      details.killedAtS = Math.round(trial.elapsedS() * 10) / 10;
      postgres.kill();
      let back = false;
      const health = probeHealth(
        () => trial.apis,
        () => !trial.done && !back,
      );
      await sleep(context.settings.pgDownMs);
      // Backends of the killed postmaster may hold its shared memory for a moment: retry the start.
      for (let attempt = 0; !back; attempt++) {
        try {
          await postgres.start();
          back = true;
        } catch (error) {
          if (attempt >= 30) throw error;
          await sleep(1_000);
        }
      }
      details.downS = Math.round((trial.elapsedS() - (details.killedAtS as number)) * 10) / 10;
      details.duringOutage = await health;
    }),
};

const twoInstances: Scenario = {
  name: 'two-instances',
  title: 'two instances on one DATABASE_URL, the one running the batch SIGKILLed',
  run: (context) =>
    inTrial(
      'two-instances',
      context,
      'external',
      async (trial) => {
        const a = await trial.api('a');
        const b = await trial.api('b');
        // One after the other: starting together is deliverable 3's test, not this takeover's.
        await trial.startAndWait(a);
        await trial.startAndWait(b);
        await trial.signIn(a);
        return [a, b] as const;
      },
      async (trial, [a, b], details) => {
        if (!(await trial.until(context.referenceS * 0.4))) return;
        const url = trial.postgres!.url;
        while (!trial.done && (await runningBatches(url)) === 0) await sleep(200);
        if (trial.done) return;
        // The busy one reads Google's answers: compare the bytes each has read over a second.
        const before = [a.readBytes(), b.readBytes()];
        await sleep(1_000);
        const rates = [a.readBytes() - before[0]!, b.readBytes() - before[1]!];
        const victim = rates[0]! >= rates[1]! ? a : b;
        details.runningBatchesAtKill = await runningBatches(url);
        details.bytesReadPerS = { a: rates[0], b: rates[1] };
        details.killed = victim.name;
        details.killedAtS = Math.round(trial.elapsedS() * 10) / 10;
        await victim.kill('SIGKILL');
      },
    ),
};

const revocation: Scenario = {
  name: 'revoke',
  title: 'refresh token revoked mid-backfill, then the user signs in again',
  run: (context) =>
    inTrial('revoke', context, 'embedded', signedInApi, async (trial, api, details) => {
      if (!(await trial.until(context.referenceS * 0.35))) return;
      const revokedAtS = trial.elapsedS();
      details.revokedAtS = Math.round(revokedAtS * 10) / 10;
      await revokeAccess(trial.emulator.url, trial.email);
      // The user notices the "sign in again" prompt once the job says paused (or after 30 s regardless).
      while (!trial.done && trial.elapsedS() - revokedAtS < 30 && (await trial.job())?.status !== 'paused')
        await sleep(250);
      if (trial.done) return;
      const paused = (await trial.job())?.status === 'paused';
      details.pausedAfterS = paused ? Math.round((trial.elapsedS() - revokedAtS) * 10) / 10 : null;
      await trial.signIn(api, true); // the progress bar's link: /auth/google?consent=1
      details.signedInAgainAtS = Math.round(trial.elapsedS() * 10) / 10;
    }),
};

/** Error-level (pino ≥ 50) lines of a log from byte `from` on: an orderly stop must write none. */
function errorLinesSince(logFile: string, from: number): string[] {
  return readFileSync(logFile, 'utf8')
    .slice(from)
    .split('\n')
    .filter((line) => {
      if (!line.startsWith('{')) return /\bError\b|\n\s+at /.test(line);
      try {
        return ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50;
      } catch {
        return false;
      }
    });
}

const ctrlC: Scenario = {
  name: 'ctrl-c',
  title: 'Ctrl-C (SIGINT) mid-backfill and `npm start` again, three times; nobody signs in again',
  run: (context) =>
    inTrial('ctrl-c', context, 'embedded', signedInApi, async (trial, api, details) => {
      const stops: { atS: number; stopS: number; exitCode: number | null; errorLines: number }[] = [];
      details.stops = stops;
      for (let i = 1; i <= 3; i++) {
        if (!(await trial.until(context.referenceS * 0.2 * i))) break;
        const logAt = readFileSync(api.logFile, 'utf8').length;
        const atS = Math.round(trial.elapsedS() * 10) / 10;
        const began = performance.now();
        await api.kill('SIGINT');
        const stopS = Math.round((performance.now() - began) / 100) / 10;
        const errors = errorLinesSince(api.logFile, logAt);
        stops.push({ atS, stopS, exitCode: api.exits.at(-1)?.code ?? null, errorLines: errors.length });
        if (errors.length) details.firstErrorLine = errors[0];
        api.start();
        if (!(await api.ready(90_000))) break;
      }
      details.maxStopS = Math.max(0, ...stops.map((stop) => stop.stopS));
    }),
};

export const SCENARIOS: Scenario[] = [
  baseline,
  killLoop,
  postgresEmbedded,
  postgresExternal,
  twoInstances,
  revocation,
  ctrlC,
];
