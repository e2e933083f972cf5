import type { ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The embedded server's process: started, watched, restarted when it dies on its own, stopped — and the
 * leftovers of a previous run killed with SIGKILL (an orphaned server, orphaned backends) cleared first.
 */

const STOP_TIMEOUT_MS = 15_000;
const RESTART_MIN_DELAY_MS = 200;
const RESTART_MAX_DELAY_MS = 5_000;
/** How long orphaned backends get to notice their postmaster died and exit before we stop them. */
const ORPHAN_GRACE_MS = 3_000;

export interface SupervisedServer {
  /** The server running now (a new one after a restart). */
  readonly child: ChildProcess;
  /** Stops it for good (no restart), then runs `cleanup`; the same promise on a second call. */
  stop(cleanup: () => Promise<void>): Promise<void>;
}

/**
 * Supervision: a server that exits without our `stop()` (killed, crashed) is started again on the same data
 * directory and port, so every connection string stays valid and pools reconnect on their own. Postgres
 * recovers from its WAL; backends orphaned by a SIGKILLed postmaster are waited for (then stopped, in
 * `beforeRestart`), because postgres refuses to start while one still holds the old shared memory.
 */
export function superviseServer(
  first: ChildProcess,
  options: {
    launch: () => Promise<ChildProcess>;
    port: number;
    warn: (message: string) => void;
    /** False: a server that dies stays down (a harness playing an operator's server). */
    restart: boolean;
    beforeRestart: () => Promise<void>;
  },
): SupervisedServer {
  const { warn } = options;
  let child = first;
  let stopping: Promise<void> | undefined;
  let restarting: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let wakeRetry: (() => void) | undefined;

  const supervise = (current: ChildProcess) => {
    current.once('exit', (code, signal) => {
      if (stopping || current !== child || !options.restart) return;
      warn(
        `the server (pid ${current.pid}) exited on its own (code ${code}, signal ${signal}); restarting it`,
      );
      restarting = restart();
    });
  };
  const restart = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await options.beforeRestart();
        if (stopping) return;
        const next = await options.launch();
        if (stopping) {
          await stopChild(next);
          return;
        }
        child = next;
        supervise(next);
        warn(`restarted (pid ${next.pid}) on port ${options.port}`);
        return;
      } catch (error) {
        const delay = Math.min(RESTART_MAX_DELAY_MS, RESTART_MIN_DELAY_MS * 2 ** (attempt - 1));
        warn(`restart attempt ${attempt} failed (${firstLine(error)}); retrying in ${delay} ms`);
        await new Promise<void>((resolveWait) => {
          wakeRetry = resolveWait;
          retryTimer = setTimeout(resolveWait, delay);
        });
      }
    }
  };
  supervise(child);

  return {
    get child() {
      return child;
    },
    stop: (cleanup) => {
      stopping ??= (async () => {
        clearTimeout(retryTimer);
        wakeRetry?.();
        await restarting;
        await stopChild(child);
        await cleanup();
      })();
      return stopping;
    },
  };
}

/** A server left running by a previous run that was killed (SIGKILL) holds the data dir: stop it. */
export async function stopOrphanedServer(dataDir: string, ownerFile: string, log: (line: string) => void) {
  const pidText = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const serverPid = Number(pidText?.split('\n')[0]);
  if (!serverPid || !isAlive(serverPid)) return; // no server, or a stale file postgres clears itself
  const ownerPid = Number(await readFile(ownerFile, 'utf8').catch(() => '0'));
  if (ownerPid && ownerPid !== process.pid && isAlive(ownerPid)) {
    throw new Error(
      `the embedded PostgreSQL in ${dataDir} is in use by another Firstlight process (pid ${ownerPid}); ` +
        'stop it first or set DATA_DIR to another folder',
    );
  }
  log(`stopping an orphaned embedded PostgreSQL (pid ${serverPid}) left by a previous run`);
  process.kill(serverPid, 'SIGINT');
  await waitForExit(serverPid);
}

/**
 * After a SIGKILL of the postmaster its backends live on until they notice (most within milliseconds; one busy
 * in a statement can take longer), attached to the old shared memory, and a new postmaster refuses to start
 * while they are: wait for them, then stop them — their transactions died with the postmaster anyway. Found
 * by their working directory (every postgres process runs in its data directory); where /proc is missing the
 * restart simply retries until they are gone.
 */
export async function stopOrphanedBackends(dataDir: string, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + ORPHAN_GRACE_MS;
  const dir = await realpath(dataDir);
  for (;;) {
    const orphans = await processesIn(dir);
    if (orphans.length === 0) return;
    if (Date.now() > deadline) {
      log(`stopping orphaned postgres backends: ${orphans.join(', ')}`);
      for (const pid of orphans) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function processesIn(dir: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const found: number[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    if (cwd === dir) found.push(pid);
  }
  return found;
}

/** The line that says why (postgres' FATAL), not the banner before it. */
function firstLine(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  return (lines.find((line) => /FATAL|PANIC/.test(line)) ?? lines[0] ?? '').trim();
}

export function waitUntilReady(child: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      log(text.trimEnd());
      if (text.includes('database system is ready to accept connections')) resolvePromise();
    });
    child.once('exit', (code, signal) => {
      reject(
        new Error(
          `embedded PostgreSQL exited during start (code ${code}, signal ${signal}):\n${output.trim()}`,
        ),
      );
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once('exit', () => resolvePromise()));
  child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  const timer = setTimeout(() => child.kill('SIGQUIT'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
