/**
 * The calendar capability's public surface: other folders import calendar/ only through this file. The
 * routes and the runtime for the app; the source port (and the helpers a provider adapter maps events with)
 * for adapters in providers/.
 */
export { calendarRoutes } from './calendar-routes.ts';
export { CalendarRuntime, type CalendarRuntimeDeps } from './calendar-runtime.ts';
export type {
  CalendarProvider,
  CalendarSource,
  CalendarSources,
  EventPass,
  EventRow,
  Mapped,
  NewSeries,
  OccurrenceChange,
  SourceCalendar,
  SourceFailure,
} from './calendar-source.ts';
export { LoopSlice } from './loop-slice.ts';
export type { WritebackEnqueuer } from './occurrence-edits.ts';
export { seriesBounds } from './series-bounds.ts';
