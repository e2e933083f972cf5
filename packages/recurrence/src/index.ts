// The recurrence engine (issue: calendar) lands here: pure RRULE expansion with TZID/DST and exceptions.
export { ConformanceCase, ConformanceFile } from './conformance-case.ts';
