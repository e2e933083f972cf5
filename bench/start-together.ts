/**
 * Instances started together (issue 13, deliverable 3), measured with the real entry point: N processes of
 * `apps/api/src/main.ts` started at the same moment with one DATABASE_URL naming an empty database, T tries.
 * Counts the processes that logged "Firstlight is ready", then stops them (SIGTERM) and drops the database.
 *
 *   npx tsx bench/start-together.ts [instances=4] [tries=10]
 *
 * A throwaway embedded PostgreSQL (temporary data dir) serves every try.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '@firstlight/db';
import pg from 'pg';

const instances = Number(process.argv[2] ?? 4);
const tries = Number(process.argv[3] ?? 10);
const READY_TIMEOUT_MS = 90_000;
const root = fileURLToPath(new URL('..', import.meta.url));

const dir = await mkdtemp(join(tmpdir(), 'fl-start-together-'));
// As root the embedded PostgreSQL runs as `postgres`, which must be able to enter the folder.
await chmod(dir, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), settings: { fsync: 'off' } });
const admin = async (statement: string) => {
  const client = new pg.Client({ connectionString: postgres.adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
};

interface Outcome {
  ready: boolean;
  failure?: string;
}

function startOne(databaseUrl: string, dataDir: string): { child: ChildProcess; outcome: Promise<Outcome> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      DATA_DIR: dataDir,
      // One key set for all, as several instances of one deployment have.
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      SESSION_SECRET: 's'.repeat(40),
      DEMO_ACCOUNTS: 'demo@example.com:10',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const outcome = new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ ready: false, failure: 'not ready in time' }), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Firstlight is ready')) {
        clearTimeout(timer);
        resolve({ ready: true });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const lastLines = output.trim().split('\n').slice(-3).join(' | ');
      resolve({ ready: false, failure: `exited ${code}: ${lastLines}` });
    });
  });
  return { child, outcome };
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

let allReady = 0;
try {
  for (let attempt = 1; attempt <= tries; attempt++) {
    const name = `fl_together_${randomBytes(4).toString('hex')}`;
    await admin(`create database ${name}`);
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    const started = Array.from({ length: instances }, (_, i) =>
      startOne(url.toString(), join(dir, `data-${i}`)),
    );
    const outcomes = await Promise.all(started.map((one) => one.outcome));
    await stopAll(started.map((one) => one.child));
    await admin(`drop database ${name} with (force)`);
    const ready = outcomes.filter((outcome) => outcome.ready).length;
    if (ready === instances) allReady++;
    console.log(`try ${attempt}: ${ready} of ${instances} ready`);
    for (const outcome of outcomes) if (outcome.failure) console.log(`  ${outcome.failure}`);
  }
  console.log(`${allReady} of ${tries} tries: all ${instances} instances ready`);
} finally {
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
}
