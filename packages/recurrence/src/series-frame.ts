/**
 * What every entry point of expansion starts from: the compiled series, and how its start values map to
 * instants.
 */
import { type CompiledSeries, type CompileResult, compileSeries } from './compile.ts';
import { RecurrenceError } from './errors.ts';
import { instantToLocal, localToInstant, resolveZone, type Zone } from './local-time.ts';
import type { ExpandOptions, Series } from './types.ts';

export function compiled(series: Series | CompiledSeries): CompiledSeries {
  if ('rules' in series && 'overridden' in series) return series;
  const result: CompileResult = compileSeries(series);
  if (!result.ok) throw new RecurrenceError(result.error);
  return result.series;
}

export function allDayZone(options: ExpandOptions | undefined): Zone {
  const name = options?.allDayZone ?? 'UTC';
  const zone = resolveZone(name);
  if (!zone) throw new RecurrenceError({ code: 'unknown_zone', reason: `allDayZone '${name}' is unknown` });
  return zone;
}

/**
 * Maps start values (instant / floating date) to instants, and back to floating, for the window. A class,
 * not closures: expand runs per series per view, and its fixed costs add up over a calendar.
 */
export class Frame {
  constructor(
    /** Timed series: start values are instants already. */
    readonly timed: boolean,
    readonly zone: Zone,
  ) {}

  toInstant(start: number): number {
    return this.timed ? start : localToInstant(start, this.zone);
  }

  toLocal(instant: number): number {
    return instantToLocal(instant, this.zone);
  }
}

export function frameOf(series: CompiledSeries, options: ExpandOptions | undefined): Frame {
  return series.allDay ? new Frame(false, allDayZone(options)) : new Frame(true, series.zone!);
}
