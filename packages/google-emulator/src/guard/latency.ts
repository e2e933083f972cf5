import type { LatencySetting } from '../options.ts';

/**
 * Median latencies (ms) per method, modelled on what Google's APIs answer from a nearby region. A call waits
 * median × a log-normal factor (σ≈0.35), so the tail looks like a network's rather than a constant.
 */
const GOOGLE_MEDIANS: Record<string, number> = {
  'gmail.users.getProfile': 60,
  'gmail.users.labels.list': 60,
  'gmail.users.messages.list': 140,
  'gmail.users.messages.get': 70,
  'gmail.users.history.list': 90,
  // The batch envelope: its parts run in parallel behind it, each with its own latency.
  'gmail.batch': 40,
  'calendar.calendarList.list': 80,
  'calendar.events.list': 160,
  'calendar.events.instances': 140,
  'calendar.events.get': 70,
  'calendar.events.patch': 180,
  'calendar.events.update': 180,
  'calendar.events.insert': 180,
  'calendar.events.delete': 150,
  'oauth.token': 90,
  'oauth.userinfo': 40,
};
const DEFAULT_MEDIAN = 80;

export function latencyFor(setting: LatencySetting, key: string): number {
  if (setting === 'none' || setting === 0) return 0;
  const scale = setting === 'google' ? 1 : setting;
  const median = GOOGLE_MEDIANS[key] ?? DEFAULT_MEDIAN;
  return median * scale * logNormal(0.35);
}

function logNormal(sigma: number): number {
  // Box–Muller: a standard normal from two uniforms.
  const u = 1 - Math.random();
  const v = Math.random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.exp(sigma * normal);
}

export const sleep = (ms: number) =>
  ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
