import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * CPU per process over an interval, from Linux's /proc/<pid>/stat (user + system time), so a benchmark can say
 * which process the cores went to: the product, the emulator, PostgreSQL. On 2 cores they compete, and a
 * benchmark that does not say so measures the emulator and calls it the product.
 *
 *   const meter = startCpuMeter({ api: ownProcess(), emulator: pidOf(emulator.pid), postgres: postgresOf(dir) });
 *   … the load …
 *   const cpu = meter.stop();   // { api: { cpu_s, user_s, system_s, pct_core }, …, interval_s }
 *
 * PostgreSQL is a postmaster and one backend per connection; backends come and go. Its group sums the live
 * processes of the tree plus the postmaster's `cutime`/`cstime` (the CPU of children it has reaped), so a
 * backend that exits mid-run is still counted. Other groups count their own processes only. Off Linux (no /proc)
 * every figure is NaN.
 */

/** The pids of a group, asked at every sample (a postmaster restarted by its supervisor has a new pid). */
export interface ProcessGroup {
  pids(): number[];
  /** Include the CPU of children the group's first process has waited for (PostgreSQL's exited backends). */
  reapedChildren?: boolean;
}

export interface CpuFigure {
  cpu_s: number;
  user_s: number;
  system_s: number;
  /** Percent of one core over the interval (200 = both cores of a 2-core machine). */
  pct_core: number;
}

export type CpuReport = Record<string, CpuFigure> & { interval_s: number };

interface Ticks {
  user: number;
  system: number;
  childrenUser: number;
  childrenSystem: number;
}

let clockTicks: number | undefined;
/** USER_HZ: the unit of /proc's times (100 on every Linux build in practice; asked once). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields after the command (which may hold spaces and parentheses): state is [0], ppid [1], utime [11] … */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function ticksOf(pid: number): Ticks | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  const [user, system, childrenUser, childrenSystem] = fields.slice(11, 15).map(Number);
  return { user: user!, system: system!, childrenUser: childrenUser!, childrenSystem: childrenSystem! };
}

/** Live processes whose parent is `parent` (one pass over /proc). */
export function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    if (Number(statFields(pid)?.[1]) === parent) children.push(pid);
  }
  return children;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** This process (in a benchmark that runs the API in-process, the API — and the benchmark's own driver). */
export const ownProcess = (): ProcessGroup => ({ pids: () => [process.pid] });

/** One process by pid (e.g. the emulator's child process, `EmulatorProcess.pid`). */
export const pidOf = (pid: number | undefined): ProcessGroup => ({
  pids: () => (pid === undefined ? [] : [pid]),
});

/** The postmaster of `dataDir` (its `postmaster.pid`) and every backend under it. */
export function postgresOf(dataDir: string): ProcessGroup {
  return { pids: () => postgresTree(postmasterPidOf(dataDir)), reapedChildren: true };
}

/** The postmaster whose pid is given (e.g. `EmbeddedPostgresHandle.pid`) and its backends. */
export function postgresByPid(postmasterPid: number): ProcessGroup {
  return { pids: () => postgresTree(postmasterPid), reapedChildren: true };
}

function postgresTree(postmaster: number | undefined): number[] {
  return postmaster === undefined ? [] : [postmaster, ...childrenOf(postmaster)];
}

export function postmasterPidOf(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Ticks per pid of a group; the first pid's reaped children are counted under it when asked. */
function sample(group: ProcessGroup): Map<number, Ticks> {
  const ticks = new Map<number, Ticks>();
  group.pids().forEach((pid, k) => {
    const t = ticksOf(pid);
    if (!t) return;
    const reaped = group.reapedChildren && k === 0;
    ticks.set(pid, reaped ? t : { ...t, childrenUser: 0, childrenSystem: 0 });
  });
  return ticks;
}

/**
 * A reaped group is conserved as a whole (a backend that exits moves its time into the postmaster's cutime),
 * so its delta is total minus total; elsewhere a process gone by the end is left out of both ends.
 */
function delta(group: ProcessGroup, start: Map<number, Ticks>, end: Map<number, Ticks>) {
  let user = 0;
  let system = 0;
  for (const [pid, t] of end) {
    user += t.user + t.childrenUser;
    system += t.system + t.childrenSystem;
    const s = group.reapedChildren ? undefined : start.get(pid);
    if (s) {
      user -= s.user + s.childrenUser;
      system -= s.system + s.childrenSystem;
    }
  }
  if (group.reapedChildren)
    for (const t of start.values()) {
      user -= t.user + t.childrenUser;
      system -= t.system + t.childrenSystem;
    }
  return { user, system };
}

/**
 * Starts measuring the groups; `stop()` answers each group's CPU since the start (and can be called again for
 * a later end). A process that started during the interval counts from zero; one that ended is lost unless
 * its parent reaped it in a `reapedChildren` group.
 */
export function startCpuMeter(groups: Record<string, ProcessGroup>): { stop(): CpuReport } {
  const startedAt = performance.now();
  const before = new Map(Object.entries(groups).map(([name, group]) => [name, sample(group)]));
  return {
    stop: () => {
      const seconds = (performance.now() - startedAt) / 1000;
      const hz = ticksPerSecond();
      const report: Record<string, CpuFigure> = {};
      for (const [name, group] of Object.entries(groups)) {
        const { user, system } = delta(group, before.get(name)!, sample(group));
        const known = existsProc();
        const cpu = (user + system) / hz;
        report[name] = {
          cpu_s: known ? round(cpu, 2) : Number.NaN,
          user_s: known ? round(user / hz, 2) : Number.NaN,
          system_s: known ? round(system / hz, 2) : Number.NaN,
          pct_core: known && seconds > 0 ? round((100 * cpu) / seconds, 1) : Number.NaN,
        };
      }
      return Object.assign(report, { interval_s: round(seconds, 1) }) as CpuReport;
    },
  };
}

const existsProc = () => statFields(process.pid) !== undefined;
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `{api: {pct_core: 40, …}}` → `{cpu_pct_api: 40, cpu_s_api: …}`: flat figures for bench/results/*.json. */
export function cpuFigures(report: CpuReport): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const [name, figure] of Object.entries(report)) {
    if (typeof figure !== 'object') continue;
    figures[`cpu_pct_${name}`] = figure.pct_core;
    figures[`cpu_s_${name}`] = figure.cpu_s;
  }
  return figures;
}

/** Rows for `printTable`: one per group, "40.2 % of a core (12.1 s)". */
export function cpuRows(report: CpuReport): [string, string][] {
  return Object.entries(report).flatMap(([name, figure]): [string, string][] =>
    typeof figure === 'object'
      ? [
          [
            `CPU of ${name} (% of one core, over ${report.interval_s} s)`,
            `${figure.pct_core} (${figure.cpu_s} s)`,
          ],
        ]
      : [],
  );
}
