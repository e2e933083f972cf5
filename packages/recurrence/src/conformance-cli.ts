/**
 * `npm run conformance -- [--timeout-ms=N] <file.json>...`: expands every case of each conformance file
 * (format: conformance/README.md) in a worker thread with a time limit per case (default 5000 ms; a case
 * past it is a failure and its worker is replaced, so a hang does not stall the run), prints one line per
 * failing case, progress on stderr for long files, a line per file and, last, `N passed, N failed`.
 * Exit code: 0 all passed, 1 some failed, 2 a file is unreadable or not a conformance file (nothing is run).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type CaseOutcome, parseConformanceText } from './conformance.ts';
import type { ConformanceCase } from './conformance-case.ts';

const USAGE = 'usage: npm run conformance -- [--timeout-ms=N] <cases.json>...';
const PROGRESS_EVERY = 50;

/** Runs cases one at a time in a worker; a case past `timeoutMs` fails and gets a fresh worker. */
class CaseRunner {
  private worker: Worker | undefined;

  constructor(private readonly timeoutMs: number) {}

  private spawn(): Worker {
    // Inherits process.execArgv, so the tsx loader (npm run conformance) reaches the worker too.
    this.worker ??= new Worker(new URL('./conformance-worker.ts', import.meta.url));
    return this.worker;
  }

  run(c: ConformanceCase): Promise<CaseOutcome> {
    const worker = this.spawn();
    return new Promise((done) => {
      const finish = (outcome: CaseOutcome) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        done(outcome);
      };
      const onMessage = (outcome: CaseOutcome) => finish(outcome);
      const onError = (error: Error) => {
        this.worker = undefined;
        finish({ name: c.name, passed: false, detail: `worker failed: ${error.message}` });
      };
      const timer = setTimeout(() => {
        this.worker = undefined;
        void worker.terminate();
        finish({ name: c.name, passed: false, detail: `timed out after ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(c);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}

async function main(argv: string[]): Promise<number> {
  let timeoutMs = 5000;
  const files: string[] = [];
  for (const arg of argv) {
    const m = /^--timeout-ms=(\d+)$/.exec(arg);
    if (m) timeoutMs = Number(m[1]);
    else if (arg.startsWith('--')) {
      console.error(`${arg}: unknown option\n${USAGE}`);
      return 2;
    } else files.push(arg);
  }
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  // Read and validate every file first: a typo in the last one should not cost a long run.
  const loaded: { path: string; cases: ConformanceCase[] }[] = [];
  for (const file of files) {
    // npm runs scripts from the package root; a relative path means the caller's directory.
    const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      console.error(
        `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      return 2;
    }
    const parsed = parseConformanceText(text, path);
    if (!parsed.ok) {
      for (const line of parsed.lines) console.error(line);
      return 2;
    }
    loaded.push({ path, cases: parsed.cases });
  }
  const runner = new CaseRunner(timeoutMs);
  let passed = 0;
  let failed = 0;
  try {
    for (const { path, cases } of loaded) {
      let filePassed = 0;
      for (const [i, c] of cases.entries()) {
        const outcome = await runner.run(c);
        if (outcome.passed) filePassed++;
        else console.log(`FAIL ${outcome.name}: ${outcome.detail}`);
        if (cases.length > PROGRESS_EVERY && (i + 1) % PROGRESS_EVERY === 0)
          console.error(`${path}: ${i + 1}/${cases.length}`);
      }
      passed += filePassed;
      failed += cases.length - filePassed;
      if (loaded.length > 1)
        console.log(`${path}: ${filePassed} passed, ${cases.length - filePassed} failed`);
    }
  } finally {
    await runner.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
