/**
 * iCalendar content lines as Google sends them in `recurrence` (RFC 5545 §3.1, §3.3.4–5, §3.8.5).
 */
import { fail } from './errors.ts';
import { checkedUtc } from './local-time.ts';

export interface ContentLine {
  /** Upper-cased property name: RRULE, EXRULE, RDATE, EXDATE. */
  name: string;
  /** Upper-cased parameter names → values (TZID, VALUE). */
  params: Record<string, string>;
  value: string;
}

/** `EXDATE;TZID=Europe/Berlin:20250916T170000` → { name, params, value }. */
export function parseContentLine(line: string): ContentLine {
  const colon = line.indexOf(':');
  if (colon <= 0) return fail('invalid_rrule', `recurrence line without a name: '${line}'`);
  const [name = '', ...rawParams] = line.slice(0, colon).split(';');
  const params: Record<string, string> = {};
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq <= 0) fail('invalid_date', `malformed parameter '${raw}' in '${line}'`);
    // RFC 5545 §3.2: a parameter value may be quoted (TZID="America/New_York").
    params[raw.slice(0, eq).toUpperCase()] = raw.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return { name: name.trim().toUpperCase(), params, value: line.slice(colon + 1).trim() };
}

/**
 * A DATE or DATE-TIME value: `utc` (`...Z`, an instant), `floating` (a local time, zone from context) or
 * `date` (floating midnight).
 */
export type IcalDateValue =
  | { kind: 'utc'; instant: number }
  | { kind: 'floating'; local: number }
  | { kind: 'date'; local: number };

const ICAL_DATE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/i;

/** RFC 5545 §3.3.4 DATE / §3.3.5 DATE-TIME; undefined when malformed. */
export function parseIcalDateValue(text: string): IcalDateValue | undefined {
  const m = ICAL_DATE.exec(text.trim());
  if (!m) return undefined;
  const hasTime = m[4] !== undefined;
  const ms = checkedUtc(
    +m[1]!,
    +m[2]!,
    +m[3]!,
    hasTime ? +m[4]! : 0,
    hasTime ? +m[5]! : 0,
    hasTime ? +m[6]! : 0,
  );
  if (ms === undefined) return undefined;
  if (!hasTime) return { kind: 'date', local: ms };
  return m[7] ? { kind: 'utc', instant: ms } : { kind: 'floating', local: ms };
}
