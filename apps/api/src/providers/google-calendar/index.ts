/** Google Calendar behind the calendar source port (calendar/calendar-source.ts). */

export { mapEvent, mapEvents } from './event-mapper.ts';
export { GoogleCalendarProvider } from './google-calendar-provider.ts';
