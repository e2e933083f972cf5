import type { EmulatorAccount } from '../types.js';
import type { CalendarEvent, CalendarListEntry } from './model.js';

/** What the Calendar service is built from and what its list calls return (service.ts). */

/** Structural view of the core's AccountDirectory (src/accounts.ts). */
export interface CalendarAccountDirectory {
  get(email: string): EmulatorAccount | undefined;
  list(): EmulatorAccount[];
  seed: number;
}

export interface CalendarServiceOptions {
  accounts: CalendarAccountDirectory;
  /** Reference date the generated data is spread around (default 2025-06-01T00:00:00Z): fixed, for determinism. */
  anchor?: Date | string | number;
  /** Clock for `updated` of writes (default Date.now). */
  now?: () => number;
  /** Without timeMax, unbounded series expand to max(timeMin, anchor) + this many days (default 3 years). */
  horizonDays?: number;
  /** Accounts start with their primary calendar only, no events (the emulator's `calendars: 'empty'`). */
  empty?: boolean;
  /** Called after every run-time change to any account's calendars (the state dir saves them). */
  onChange?: () => void;
}

export const DEFAULT_ANCHOR = '2025-06-01T00:00:00Z';

export interface EventsPage {
  kind: 'calendar#events';
  etag: string;
  summary: string;
  updated: string;
  timeZone: string;
  accessRole: string;
  defaultReminders: CalendarListEntry['defaultReminders'];
  nextPageToken?: string;
  nextSyncToken?: string;
  items: Partial<CalendarEvent>[];
}
