/**
 * Deterministic randomness for the generator, and the calendar-list entries it creates.
 */
import { CITIES, LANGUAGES, NAMES } from './catalogue.js';
import type { CalendarListEntry } from './model.js';

/** mulberry32: small, fast, and good enough to pick test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Draw {
  constructor(readonly next: () => number) {}
  int = (lo: number, hi: number) => lo + Math.floor(this.next() * (hi - lo + 1));
  pick = <T>(items: readonly T[]): T => items[Math.floor(this.next() * items.length)]!;
  chance = (p: number) => this.next() < p;
  /** Google-style event id: base32hex. */
  id = (length = 26) =>
    Array.from({ length }, () => this.pick([...'abcdefghijklmnopqrstuv0123456789'])).join('');
  fill = (text: string) =>
    text
      .replace('{name}', this.pick(NAMES))
      .replace('{city}', this.pick(CITIES))
      .replace('{language}', this.pick(LANGUAGES));
}

/** A calendarList entry as Google returns it for a calendar the user owns. */
export function calendarEntry(
  id: string,
  summary: string,
  timeZone: string,
  primary: boolean,
): CalendarListEntry {
  return {
    kind: 'calendar#calendarListEntry',
    etag: `"${primary ? 1 : 2}${String(id.length).padStart(12, '0')}"`,
    id,
    summary,
    timeZone,
    colorId: primary ? '14' : '7',
    backgroundColor: primary ? '#9fe1e7' : '#42d692',
    foregroundColor: '#000000',
    selected: true,
    accessRole: 'owner',
    defaultReminders: primary ? [{ method: 'popup', minutes: 10 }] : [],
    ...(primary
      ? {
          primary: true,
          notificationSettings: { notifications: [{ type: 'eventCreation', method: 'email' }] },
        }
      : {}),
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  };
}
