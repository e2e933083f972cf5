import type { SeriesExceptions } from '@firstlight/db';

/** Applies one exception to a master's JSONB, as a set: re-applying the same change changes nothing. */
export function foldException(
  exceptions: SeriesExceptions,
  change: { key: string; cancelled: boolean; override: Record<string, unknown> },
): SeriesExceptions {
  const cancelled = new Set(exceptions.cancelled);
  const overrides = { ...exceptions.overrides };
  if (change.cancelled) {
    cancelled.add(change.key);
    delete overrides[change.key];
  } else {
    cancelled.delete(change.key);
    overrides[change.key] = change.override;
  }
  return { cancelled: [...cancelled].sort(), overrides };
}
