/**
 * The Calendar resources the emulator stores and returns, shaped like Google's Calendar v3 JSON
 * (https://developers.google.com/calendar/api/v3/reference/events). Only fields a client can see.
 */

export interface EventDateTime {
  /** All-day: `YYYY-MM-DD`. */
  date?: string;
  /** Timed: RFC 3339 with offset. */
  dateTime?: string;
  /** IANA zone; required on recurring events (the zone the rule expands in). */
  timeZone?: string;
}

export interface EventPerson {
  email: string;
  displayName?: string;
  self?: boolean;
}

export interface EventAttendee extends EventPerson {
  responseStatus: 'needsAction' | 'declined' | 'tentative' | 'accepted';
  organizer?: boolean;
}

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

export interface CalendarEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: EventStatus;
  htmlLink: string;
  created: string;
  updated: string;
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  creator: EventPerson;
  organizer: EventPerson;
  start: EventDateTime;
  end: EventDateTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventDateTime;
  transparency?: 'opaque' | 'transparent';
  visibility?: 'default' | 'public' | 'private' | 'confidential';
  iCalUID: string;
  sequence: number;
  attendees?: EventAttendee[];
  reminders: { useDefault: boolean; overrides?: { method: 'email' | 'popup'; minutes: number }[] };
  eventType: 'default';
}

/** Fields a client may write through insert/update/patch (Google ignores read-only ones). */
export const WRITABLE_FIELDS = [
  'summary',
  'description',
  'location',
  'colorId',
  'start',
  'end',
  'recurrence',
  'transparency',
  'visibility',
  'attendees',
  'reminders',
  'status',
  'sequence',
] as const;

export type WritableField = (typeof WRITABLE_FIELDS)[number];
export type EventWrite = Partial<Pick<CalendarEvent, WritableField>> & { id?: string };

export interface CalendarListEntry {
  kind: 'calendar#calendarListEntry';
  etag: string;
  id: string;
  summary: string;
  description?: string;
  timeZone: string;
  colorId: string;
  backgroundColor: string;
  foregroundColor: string;
  selected: boolean;
  accessRole: 'owner' | 'writer' | 'reader' | 'freeBusyReader';
  defaultReminders: { method: 'email' | 'popup'; minutes: number }[];
  notificationSettings?: { notifications: { type: string; method: 'email' }[] };
  primary?: boolean;
  conferenceProperties: { allowedConferenceSolutionTypes: string[] };
}
