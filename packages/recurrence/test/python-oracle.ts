import { spawnSync } from 'node:child_process';

/**
 * The python interpreter for the dateutil oracle: `RECURRENCE_PYTHON` if set, else the first of `python3` (on
 * PATH: pyenv's shim on a developer machine) and `/usr/bin/python3` (Debian's, where `python3-dateutil`
 * installs) that can import dateutil and read a zone with zoneinfo. PATH order alone is not enough: a pyenv or
 * venv python3 without dateutil can hide the system one that has it, and the other way round.
 * Throws (the test fails, never skips) naming the Debian packages when none can.
 */
export const PROBE = "import dateutil.rrule, zoneinfo; zoneinfo.ZoneInfo('America/New_York')";

export function findPython(
  env: NodeJS.ProcessEnv = process.env,
  fallbacks: readonly string[] = ['python3', '/usr/bin/python3'],
): string {
  const candidates = env.RECURRENCE_PYTHON ? [env.RECURRENCE_PYTHON] : fallbacks;
  const tried: string[] = [];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', PROBE], { encoding: 'utf8', timeout: 20_000 });
    if (!probe.error && probe.status === 0) return candidate;
    const why = probe.error?.message ?? probe.stderr.trim().split('\n').at(-1) ?? `exit ${probe.status}`;
    tried.push(`${candidate}: ${why}`);
  }
  throw new Error(
    `no python3 that can import dateutil and zoneinfo for the differential test (tried ${tried.join('; ')}). ` +
      "Install Debian's python3-dateutil and tzdata (apt-get install python3-dateutil tzdata; .ci/run does), " +
      'or point RECURRENCE_PYTHON at an interpreter that has python-dateutil.',
  );
}
