/**
 * Google Calendar v3 emulation as a Fastify plugin. The core registers it and guards every route that
 * carries `config.google` (bearer auth → `request.googleAccount`, quota, faults, latency).
 * Paths are Google's (https://developers.google.com/calendar/api/v3/reference), so the real
 * `@googleapis/calendar` client works by changing only `rootUrl`.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorAccount } from '../types.js';
import { registerAdminRoutes } from './admin.js';
import { GoogleError } from './errors.js';
import type { EventWrite } from './model.js';
import { parseQuery, writeQuery } from './query.js';
import { type CalendarAccountDirectory, CalendarService, type CalendarServiceOptions } from './service.js';

export { GoogleError } from './errors.js';
export { expandSeries, type Occurrence, type SeriesInput } from './expand.js';
export type { CalendarEvent, CalendarListEntry, EventDateTime } from './model.js';
export {
  type CalendarAccountDirectory,
  CalendarService,
  type CalendarServiceOptions,
  DEFAULT_ANCHOR,
} from './service.js';

export interface CalendarPluginOptions extends Omit<CalendarServiceOptions, 'accounts'> {
  accounts: CalendarAccountDirectory;
  /** Use this service instead of creating one (to share it with the core's admin or a test). */
  service?: CalendarService;
}

/** Live services by account directory, so the core can reach the one its plugin instance uses. */
const services = new Map<CalendarAccountDirectory, CalendarService>();

/** The service the plugin registered for this account directory (undefined before registration). */
export function calendarServiceFor(accounts: CalendarAccountDirectory): CalendarService | undefined {
  return services.get(accounts);
}

/** Makes every existing syncToken of the account answer 410 Gone, in every live emulator of this process. */
export function invalidateSyncTokens(email: string): void {
  for (const service of services.values()) service.invalidateSyncTokens(email);
}

const google = (method: string) => ({ google: { api: 'calendar' as const, method, cost: 1 } });

type Params = { calendarId: string; eventId: string };

export const calendarRoutes: FastifyPluginAsync<CalendarPluginOptions> = async (app, options) => {
  const service = options.service ?? new CalendarService(options);
  services.set(options.accounts, service);
  app.addHook('onClose', async () => {
    if (services.get(options.accounts) === service) services.delete(options.accounts);
  });

  registerEventReads(app, service);
  registerEventWrites(app, service);
  registerAdminRoutes(app, service);
};

/** Runs a handler; GoogleErrors become Google's JSON error bodies. */
const handle =
  <P>(
    run: (account: EmulatorAccount, request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => unknown,
  ) =>
  async (request: FastifyRequest<{ Params: P }>, reply: FastifyReply) => {
    const account = request.googleAccount;
    if (!account) {
      // The core's auth hook sets googleAccount on every route with config.google.
      return reply.code(401).send(new GoogleError(401, 'authError', 'Invalid Credentials').body());
    }
    try {
      return await run(account, request, reply);
    } catch (error) {
      if (error instanceof GoogleError) return reply.code(error.status).send(error.body());
      throw error;
    }
  };

const query = (request: FastifyRequest) => (request.query ?? {}) as Record<string, unknown>;
const body = (request: FastifyRequest) => (request.body ?? {}) as EventWrite;
const zoneOf = (request: FastifyRequest) => parseQuery(writeQuery, request.query).timeZone;

/** calendarList.list, events.list, events.get, events.instances. */
function registerEventReads(app: FastifyInstance, service: CalendarService): void {
  app.get(
    '/calendar/v3/users/me/calendarList',
    { config: google('calendarList.list') },
    handle((account, request) => service.listCalendars(account, request.query)),
  );

  app.get<{ Params: Pick<Params, 'calendarId'> }>(
    '/calendar/v3/calendars/:calendarId/events',
    { config: google('events.list') },
    handle((account, request) => service.listEvents(account, request.params.calendarId, query(request))),
  );

  app.get<{ Params: Params }>(
    '/calendar/v3/calendars/:calendarId/events/:eventId',
    { config: google('events.get') },
    handle((account, request) =>
      service.getEvent(account, request.params.calendarId, request.params.eventId, zoneOf(request)),
    ),
  );

  app.get<{ Params: Params }>(
    '/calendar/v3/calendars/:calendarId/events/:eventId/instances',
    { config: google('events.instances') },
    handle((account, request) =>
      service.instances(account, request.params.calendarId, request.params.eventId, request.query),
    ),
  );
}

/** events.insert, patch, update, delete. */
function registerEventWrites(app: FastifyInstance, service: CalendarService): void {
  app.post<{ Params: Pick<Params, 'calendarId'> }>(
    '/calendar/v3/calendars/:calendarId/events',
    { config: google('events.insert') },
    handle((account, request) =>
      service.insertEvent(account, request.params.calendarId, body(request), zoneOf(request)),
    ),
  );

  app.patch<{ Params: Params }>(
    '/calendar/v3/calendars/:calendarId/events/:eventId',
    { config: google('events.patch') },
    handle((account, request) =>
      service.patchEvent(
        account,
        request.params.calendarId,
        request.params.eventId,
        body(request),
        zoneOf(request),
      ),
    ),
  );

  app.put<{ Params: Params }>(
    '/calendar/v3/calendars/:calendarId/events/:eventId',
    { config: google('events.update') },
    handle((account, request) =>
      service.updateEvent(
        account,
        request.params.calendarId,
        request.params.eventId,
        body(request),
        zoneOf(request),
      ),
    ),
  );

  app.delete<{ Params: Params }>(
    '/calendar/v3/calendars/:calendarId/events/:eventId',
    { config: google('events.delete') },
    handle((account, request, reply) => {
      parseQuery(writeQuery, request.query);
      service.deleteEvent(account, request.params.calendarId, request.params.eventId);
      // Google answers a delete with 204 and an empty body.
      return reply.code(204).send();
    }),
  );
}
