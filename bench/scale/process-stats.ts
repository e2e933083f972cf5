import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU and peak RSS of the processes of a run, from Linux /proc. A minimal local reading until the emulator
 * helper's `bench/process-cpu.ts` lands (then this file is replaced by it). Off Linux every reading is 0.
 */

const TICKS_PER_S = 100; // USER_HZ on Linux

interface Times {
  /** utime + stime of the process itself, in ticks. */
  own: number;
  /** cutime + cstime: reaped children (PostgreSQL's ended backends). */
  children: number;
  ppid: number;
}

function timesOf(pid: number): Times | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = (field: number) => Number(fields[field - 3]);
    return { own: at(14) + at(15), children: at(16) + at(17), ppid: at(4) };
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process; `tree`: with its live children and reaped ones (a PostgreSQL postmaster). */
export function cpuSeconds(pid: number | undefined, tree = false): number {
  if (!pid) return 0;
  const self = timesOf(pid);
  if (!self) return 0;
  let ticks = self.own;
  if (tree) {
    ticks += self.children;
    for (const entry of safeReaddir('/proc')) {
      const child = Number(entry);
      if (!Number.isInteger(child) || child === pid) continue;
      const times = timesOf(child);
      if (times?.ppid === pid) ticks += times.own;
    }
  }
  return ticks / TICKS_PER_S;
}

/** Peak resident set (VmHWM) in MB; 0 when the process is gone. */
export function rssPeakMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** CPU seconds of named processes between two readings, as % of one core over `seconds`. */
export class CpuMeter {
  readonly #start = new Map<string, number>();
  readonly #startedAt = performance.now();

  constructor(private readonly processes: Record<string, () => { pid?: number; tree?: boolean }>) {
    for (const [name, which] of Object.entries(processes)) {
      const { pid, tree } = which();
      this.#start.set(name, cpuSeconds(pid, tree));
    }
  }

  /** % of one core each process used since the meter started. */
  read(): Record<string, number> {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    return Object.fromEntries(
      Object.entries(this.processes).map(([name, which]) => {
        const { pid, tree } = which();
        const used = cpuSeconds(pid, tree) - (this.#start.get(name) ?? 0);
        return [name, Math.round((100 * used) / seconds)];
      }),
    );
  }
}
