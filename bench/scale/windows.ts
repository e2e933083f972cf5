import { round, sameTierGroups, saturated, weightedJain } from './figures.ts';
import type { ScalePlan } from './plan.ts';
import type { Sample } from './sampler.ts';

/**
 * Utilisation and fairness from the emulator's own per-window usage (`GET /admin/quota/usage`: each complete
 * quota window's project units, limit and per-user units), when the emulator has it; the sample-based
 * figures (cumulative counters differenced) stand in otherwise. Windows are Google's, not the harness's.
 */

interface UsageWindow {
  start: string;
  end: string;
  complete: boolean;
  gmail: { units: number; limit: number; users: Record<string, number> };
}

export async function usageWindows(emulatorUrl: string): Promise<UsageWindow[] | undefined> {
  try {
    const response = await fetch(`${emulatorUrl}/admin/quota/usage`);
    if (!response.ok) return undefined;
    const body = (await response.json()) as { windows?: UsageWindow[] };
    return body.windows?.filter((window) => window.complete);
  } catch {
    return undefined;
  }
}

export function fromWindows(
  plan: ScalePlan,
  windows: UsageWindow[],
  samples: Sample[],
  startedAt: number,
): { utilisation: number; fairness: number; windows: number } {
  let used = 0;
  let available = 0;
  const groups: number[][] = [];
  for (const window of windows) {
    const start = Date.parse(window.start) - startedAt;
    const end = Date.parse(window.end) - startedAt;
    // The window must lie within the samples (one before its start, one after its end), all saturated.
    const first = samples.findLast((sample) => sample.atMs <= start);
    const last = samples.find((sample) => sample.atMs >= end);
    if (!first || !last) continue;
    const span = samples.filter((sample) => sample.atMs >= first.atMs && sample.atMs <= last.atMs);
    if (!span.every((sample) => saturated(plan, sample))) continue;
    used += window.gmail.units;
    available += window.gmail.limit;
    groups.push(...sameTierGroups(first, last, (email) => window.gmail.users[email] ?? 0));
  }
  const { index, windows: fairWindows } = weightedJain(groups);
  return {
    utilisation: available ? round(used / available, 3) : Number.NaN,
    fairness: index,
    windows: fairWindows,
  };
}
