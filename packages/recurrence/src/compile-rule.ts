/**
 * A rule compiled for one DTSTART and zone: its iteration form (shared per process) and UNTIL read as a
 * floating bound and, on a timed series, as an instant (rule-iterator.ts stops at it).
 */
import type { IcalDateValue } from './ical-values.ts';
import type { IterRule } from './iter-rule.ts';
import { instantToLocal, localToInstant, offsetsNear, type Zone } from './local-time.ts';
import { prepareRule } from './prepare-rule.ts';
import type { RuleSpec } from './rule-grammar.ts';

export interface CompiledRule {
  readonly spec: RuleSpec;
  /** The original rule text, for memo keys and messages. */
  readonly text: string;
  /** DTSTART, floating. */
  readonly dtstart: number;
  /** Inclusive floating bound (UNTIL; when `untilInstant` is set, the latest local that can map before it). */
  readonly untilLocal: number | undefined;
  /** Timed series with a UTC or local UNTIL: the iteration stops at the first candidate past this instant. */
  readonly untilInstant: number | undefined;
  /** Candidates before this floating time are before `untilInstant` whatever the offset: no mapping needed. */
  readonly nearUntil: number;
  readonly zone: Zone | null;
  readonly iter: IterRule;
  /** COUNT rules: the COUNT-th occurrence (floating); null when not found within the budget. */
  lastLocal: number | null | undefined;
  /** The rule can never produce an occurrence (found when compiling). */
  readonly empty: boolean;
}

const prepared = new Map<string, IterRule>();

/**
 * The iteration form of a rule, shared by every compile of the same rule and DTSTART: its year masks are
 * then built once per process, not per request (the API expands uncompiled series).
 */
function preparedRule(spec: RuleSpec, text: string, dtstart: number): IterRule {
  const key = `${dtstart}|${text}`;
  let rule = prepared.get(key);
  if (!rule) {
    rule = prepareRule(spec, dtstart);
    if (prepared.size >= 500) prepared.clear();
    prepared.set(key, rule);
  }
  return rule;
}

/** Prepares a rule for DTSTART `dtstart` (floating) of a timed series in `zone`, or an all-day one. */
export function compileRule(spec: RuleSpec, text: string, dtstart: number, zone: Zone | null): CompiledRule {
  let untilLocal: number | undefined;
  let untilInstant: number | undefined;
  let nearUntil = Number.POSITIVE_INFINITY;
  const until: IcalDateValue | undefined = spec.until;
  if (until && zone === null) {
    // All-day: dates compare as dates; a date-time UNTIL is read in floating time (its own fields).
    untilLocal = until.kind === 'utc' ? until.instant : until.local;
  } else if (until && zone !== null) {
    if (until.kind === 'date') {
      untilLocal = until.local + 86_400_000 - 1; // the whole local day is included
    } else {
      // RFC 5545 §3.3.10: UNTIL "MUST be specified in a UTC time format" when DTSTART has a TZID, and
      // bounds the set as an instant. A floating UNTIL is read in the series' zone.
      untilInstant = until.kind === 'utc' ? until.instant : localToInstant(until.local, zone);
      // Locals up to this can map to an instant ≤ UNTIL; below `nearUntil` every one does.
      const { min, max } = offsetsNear(zone, untilInstant);
      untilLocal = instantToLocal(untilInstant, zone) + (max - min);
      nearUntil = untilInstant + min;
    }
  }
  const iter = preparedRule(spec, text, dtstart);
  return {
    spec,
    text,
    dtstart,
    untilLocal,
    untilInstant,
    nearUntil,
    zone,
    iter,
    lastLocal: undefined,
    empty: iter.empty,
  };
}
