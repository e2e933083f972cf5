/**
 * Parameters of the Gmail routes, validated with zod; a bad value becomes Gmail's 400 `invalidArgument`.
 *
 * `q` supports a subset of Gmail's search operators (https://support.google.com/mail/answer/7190):
 * `after:` / `before:` (YYYY/MM/DD or YYYY-MM-DD — midnight in PST, i.e. UTC−08:00 all year, as the API
 * guide says dates are interpreted — or epoch seconds), `from:` (case-insensitive substring of the sender's
 * name or address), `is:unread|starred|important`, `in:inbox|sent|spam|trash|anywhere`, `label:` and
 * `category:`. `after` is inclusive and `before` exclusive, so adjacent day windows split mail without overlap.
 * Anything else (free text, other operators) is refused with a 400 rather than silently ignored.
 */
import { z } from 'zod';
import { invalidArgument } from './errors.ts';
import type { HistoryType } from './history.ts';
import type { MessageFormat } from './render.ts';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const stringList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
/** Gmail caps maxResults at 500 rather than refusing larger values. */
const maxResults = z.coerce
  .number()
  .int()
  .min(1)
  .transform((v) => Math.min(v, 500))
  .default(100);

export const messagesListQuery = z.object({
  maxResults,
  pageToken: z.string().optional(),
  q: z.string().optional(),
  labelIds: stringList.optional(),
  includeSpamTrash: bool.default(false),
});

export const messagesGetQuery = z.object({
  format: z.enum(['minimal', 'metadata', 'full', 'raw'] satisfies MessageFormat[]).default('full'),
  metadataHeaders: stringList.default([]),
});

const historyTypes = ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'] as const;
export const historyListQuery = z.object({
  startHistoryId: z.string().regex(/^\d+$/).transform(Number),
  maxResults,
  pageToken: z.string().optional(),
  labelId: z.string().optional(),
  historyTypes: z
    .union([z.enum(historyTypes), z.array(z.enum(historyTypes))])
    .transform((v): HistoryType[] => (Array.isArray(v) ? v : [v]))
    .optional(),
});

/** Parses a query or throws Gmail's 400 naming the first bad parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const parameter = String(issue?.path[0] ?? 'query');
  const given = (query as Record<string, unknown> | undefined)?.[parameter];
  if (given === undefined) throw invalidArgument(`Missing required parameter: ${parameter}`);
  throw invalidArgument(`Invalid value for ${parameter}: ${JSON.stringify(given)}`);
}

export interface ListFilter {
  /** internalDate ≥ after (ms). */
  after?: number;
  /** internalDate < before (ms). */
  before?: number;
  /** Lower-cased substring of the From name or address. */
  from?: string;
  /** Every one must be on the message. */
  labelIds: string[];
  includeSpamTrash: boolean;
}

const PST_OFFSET_MS = 8 * 3_600_000;

export function parseSearch(q: string | undefined, filter: ListFilter): ListFilter {
  const result = { ...filter, labelIds: [...filter.labelIds] };
  for (const term of (q ?? '').trim().split(/\s+/).filter(Boolean)) {
    const match = /^([a-z]+):(.+)$/i.exec(term);
    const operator = match?.[1]?.toLowerCase();
    const value = match?.[2]?.replace(/^"|"$/g, '') ?? '';
    switch (operator) {
      case 'after':
        result.after = Math.max(result.after ?? -Infinity, searchDate(value, term));
        break;
      case 'before':
        result.before = Math.min(result.before ?? Infinity, searchDate(value, term));
        break;
      case 'from':
        result.from = value.toLowerCase();
        break;
      case 'is':
        result.labelIds.push(labelFor(value, ['unread', 'starred', 'important'], term));
        break;
      case 'in':
        if (value.toLowerCase() === 'anywhere') result.includeSpamTrash = true;
        else result.labelIds.push(labelFor(value, ['inbox', 'sent', 'spam', 'trash'], term));
        if (/^(spam|trash)$/i.test(value)) result.includeSpamTrash = true;
        break;
      case 'label':
        result.labelIds.push(value.toUpperCase());
        break;
      case 'category':
        result.labelIds.push(`CATEGORY_${value.toUpperCase()}`);
        break;
      default:
        throw invalidArgument(`Unsupported search term in the emulator: ${term}`);
    }
  }
  return result;
}

function labelFor(value: string, allowed: string[], term: string): string {
  if (!allowed.includes(value.toLowerCase())) throw invalidArgument(`Unsupported search term: ${term}`);
  return value.toUpperCase();
}

function searchDate(value: string, term: string): number {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const match = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!match) throw invalidArgument(`Invalid date in search term: ${term}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + PST_OFFSET_MS;
}
