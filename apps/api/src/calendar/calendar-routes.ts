import {
  BusyQuery,
  BusyResponse,
  CalendarRangeQuery,
  CalendarRangeResponse,
  EditResponse,
  OccurrenceParams,
  OccurrencePatch,
  SeriesParams,
  SplitResponse,
  SplitSeries,
  WritebackDto,
} from '@firstlight/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { busy, eventsForRange, listWritebacks } from './calendar-service.ts';
import {
  cancelOccurrence,
  deleteSeries,
  patchOccurrence,
  type WritebackEnqueuer,
} from './occurrence-edits.ts';
import { splitSeriesAt } from './series-split-edit.ts';

/** The calendar API: a window of singles + series (expanded by the browser), occurrence edits, free/busy. */
export const calendarRoutes: FastifyPluginAsyncZod<{ enqueue: WritebackEnqueuer }> = async (
  app,
  { enqueue },
) => {
  const deps = { db: app.db, enqueue };
  // preParsing: anonymous callers get 401 before any body is parsed or input validated (no schema details),
  // and after every onRequest hook (the rate limiter counts them too).
  app.addHook('preParsing', async (request) => app.requireUser(request));

  app.get(
    '/api/calendar/events',
    {
      schema: { querystring: CalendarRangeQuery, response: { 200: CalendarRangeResponse } },
    },
    async (request) =>
      eventsForRange(app.db, request.userId!, new Date(request.query.from), new Date(request.query.to)),
  );

  app.get(
    '/api/calendar/busy',
    {
      schema: { querystring: BusyQuery, response: { 200: BusyResponse } },
    },
    async (request) =>
      busy(app.db, request.userId!, new Date(request.query.from), new Date(request.query.to)),
  );

  app.post(
    '/api/calendar/series/:id/occurrences/:originalStart/cancel',
    {
      schema: { params: OccurrenceParams, response: { 200: EditResponse } },
    },
    async (request) =>
      cancelOccurrence(deps, request.userId!, request.params.id, request.params.originalStart),
  );

  app.patch(
    '/api/calendar/series/:id/occurrences/:originalStart',
    {
      schema: { params: OccurrenceParams, body: OccurrencePatch, response: { 200: EditResponse } },
    },
    async (request) =>
      patchOccurrence(deps, request.userId!, request.params.id, request.params.originalStart, request.body),
  );

  app.delete(
    '/api/calendar/series/:id',
    {
      schema: { params: SeriesParams, response: { 200: z.object({ writeback: WritebackDto }) } },
    },
    async (request) => deleteSeries(deps, request.userId!, request.params.id),
  );

  app.post(
    '/api/calendar/series/:id/split',
    {
      schema: { params: SeriesParams, body: SplitSeries, response: { 200: SplitResponse } },
    },
    async (request) => splitSeriesAt(deps, request.userId!, request.params.id, request.body.from),
  );

  app.get(
    '/api/calendar/writebacks',
    {
      schema: { response: { 200: z.object({ writebacks: z.array(WritebackDto) }) } },
    },
    async (request) => ({ writebacks: await listWritebacks(app.db, request.userId!) }),
  );
};
