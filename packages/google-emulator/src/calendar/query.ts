/**
 * Query parameters of the Calendar routes (https://developers.google.com/calendar/api/v3/reference/events/list),
 * validated with zod; a bad one becomes Google's 400 `invalid` error naming the parameter.
 */
import { z } from 'zod';
import { GoogleError, invalidParameter } from './errors.js';
import { ianaZone, RFC3339 } from './time.js';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const instant = z
  .string()
  .regex(RFC3339)
  .transform((v) => Date.parse(v))
  .refine((v) => !Number.isNaN(v));
const zone = z.string().refine((v) => ianaZone(v) !== undefined);
/** Google: "The page size can never be larger than 2500 events"; larger values are capped, not refused. */
const maxResults = z.coerce
  .number()
  .int()
  .min(1)
  .transform((v) => Math.min(v, 2500));
const stringOrList = z.union([z.string(), z.array(z.string())]);

export const eventsListQuery = z.object({
  maxResults: maxResults.default(250),
  pageToken: z.string().optional(),
  syncToken: z.string().optional(),
  singleEvents: bool.default(false),
  showDeleted: bool.default(false),
  orderBy: z.enum(['startTime', 'updated']).optional(),
  timeMin: instant.optional(),
  timeMax: instant.optional(),
  timeZone: zone.optional(),
  updatedMin: instant.optional(),
  q: z.string().optional(),
  iCalUID: z.string().optional(),
  privateExtendedProperty: stringOrList.optional(),
  sharedExtendedProperty: stringOrList.optional(),
  eventTypes: stringOrList.optional(),
  showHiddenInvitations: bool.optional(),
  alwaysIncludeEmail: bool.optional(),
  maxAttendees: z.coerce.number().int().min(1).optional(),
});
export type EventsListQuery = z.infer<typeof eventsListQuery>;

export const instancesQuery = z.object({
  maxResults: maxResults.default(250),
  pageToken: z.string().optional(),
  showDeleted: bool.default(false),
  timeMin: instant.optional(),
  timeMax: instant.optional(),
  timeZone: zone.optional(),
  originalStart: z.string().optional(),
  maxAttendees: z.coerce.number().int().min(1).optional(),
  alwaysIncludeEmail: bool.optional(),
});
export type InstancesQuery = z.infer<typeof instancesQuery>;

export const calendarListQuery = z.object({
  maxResults: z.coerce.number().int().min(1).max(250).default(100),
  pageToken: z.string().optional(),
  showDeleted: bool.optional(),
  showHidden: bool.optional(),
  minAccessRole: z.enum(['freeBusyReader', 'owner', 'reader', 'writer']).optional(),
  syncToken: z.string().optional(),
});

/** Writes: `sendUpdates`/`sendNotifications` are accepted and ignored (the emulator sends no mail). */
export const writeQuery = z.object({
  sendUpdates: z.enum(['all', 'externalOnly', 'none']).optional(),
  sendNotifications: bool.optional(),
  conferenceDataVersion: z.coerce.number().int().min(0).max(1).optional(),
  maxAttendees: z.coerce.number().int().min(1).optional(),
  supportsAttachments: bool.optional(),
  timeZone: zone.optional(),
  alwaysIncludeEmail: bool.optional(),
});

/** Parses a query or throws Google's 400 naming the first bad parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const parameter = String(result.error.issues[0]?.path[0] ?? 'query');
  throw invalidParameter(parameter);
}

/**
 * Google (events.list, `syncToken`): "There are several query parameters that cannot be specified together
 * with nextSyncToken to ensure consistency of the client state": iCalUID, orderBy, privateExtendedProperty, q,
 * sharedExtendedProperty, timeMin, timeMax, updatedMin. Deletions are always included.
 */
export function checkSyncTokenCombination(query: EventsListQuery & Record<string, unknown>): void {
  if (!query.syncToken) return;
  const refused = [
    'timeMin',
    'timeMax',
    'q',
    'orderBy',
    'updatedMin',
    'iCalUID',
    'privateExtendedProperty',
    'sharedExtendedProperty',
  ];
  for (const name of refused) {
    if (query[name] !== undefined)
      throw invalidParameter(name, `Sync token cannot be used with the ${name} parameter.`);
  }
}

/** Google: "orderBy=startTime ... is only available when querying single events (singleEvents is True)". */
export function checkOrderBy(query: EventsListQuery): void {
  if (query.orderBy === 'startTime' && !query.singleEvents) {
    throw new GoogleError(
      400,
      'badRequest',
      'The requested ordering is not available for the particular query.',
    );
  }
}
