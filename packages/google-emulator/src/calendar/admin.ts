/**
 * Admin routes (no `config.google`: not guarded, not counted): simulate changes made elsewhere — another
 * device editing the calendar, or Google expiring sync tokens — so tests and demos can drive sync paths.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { GoogleError } from './errors.js';
import type { EventWrite } from './model.js';
import type { CalendarService } from './service.js';

type AccountParams = { email: string };
type EventParams = AccountParams & { calendarId: string; eventId: string };

export function registerAdminRoutes(app: FastifyInstance, service: CalendarService): void {
  const run = async (reply: FastifyReply, work: () => unknown, status = 200) => {
    try {
      const result = work();
      return status === 204 ? reply.code(204).send() : reply.code(status).send(result);
    } catch (error) {
      if (error instanceof GoogleError) return reply.code(error.status).send(error.body());
      throw error;
    }
  };

  /** Every syncToken of the account answers 410 from now on (Google's "full sync required"). */
  app.post<{ Params: AccountParams }>('/admin/calendar/:email/invalidate-sync-tokens', (request, reply) =>
    run(reply, () => service.invalidateSyncTokens(request.params.email), 204),
  );

  /** Forgets the account's calendars; the next request regenerates them from the seed. */
  app.post<{ Params: AccountParams }>('/admin/calendar/:email/reset', (request, reply) =>
    run(reply, () => service.reset(request.params.email), 204),
  );

  /** Summary for a human: calendars with event counts and the current change number. */
  app.get<{ Params: AccountParams }>('/admin/calendar/:email', (request, reply) =>
    run(reply, () => {
      const account = service.account(request.params.email);
      return {
        email: account.email,
        changeSeq: account.changeSeq,
        tokenGeneration: account.tokenGeneration,
        anchor: new Date(service.anchor).toISOString(),
        calendars: [...account.calendars.values()].map((c) => ({
          id: c.entry.id,
          summary: c.entry.summary,
          timeZone: c.entry.timeZone,
          events: c.events.size,
          series: [...c.events.values()].filter((e) => e.event.recurrence).length,
        })),
      };
    }),
  );

  app.post<{ Params: Omit<EventParams, 'eventId'> }>(
    '/admin/calendar/:email/calendars/:calendarId/events',
    (request, reply) =>
      run(reply, () =>
        service.insertEvent(request.params.email, request.params.calendarId, request.body as EventWrite),
      ),
  );

  app.patch<{ Params: EventParams }>(
    '/admin/calendar/:email/calendars/:calendarId/events/:eventId',
    (request, reply) =>
      run(reply, () =>
        service.patchEvent(
          request.params.email,
          request.params.calendarId,
          request.params.eventId,
          request.body as EventWrite,
        ),
      ),
  );

  app.delete<{ Params: EventParams }>(
    '/admin/calendar/:email/calendars/:calendarId/events/:eventId',
    (request, reply) =>
      run(
        reply,
        () => service.deleteEvent(request.params.email, request.params.calendarId, request.params.eventId),
        204,
      ),
  );
}
