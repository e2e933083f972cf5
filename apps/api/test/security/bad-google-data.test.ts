import { cleanText } from '@firstlight/contracts';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFullSync, storeIncremental } from '../../src/calendar/calendar-store.ts';
import { storeEmails } from '../../src/emails/email-repository.ts';
import {
  type FailureOwner,
  type IngestFailure,
  recordIngestFailures,
} from '../../src/ingest-failures/index.ts';
import { mapEvent } from '../../src/providers/google-calendar/event-mapper.ts';
import { decodeBatch, parseGmailMessage } from '../../src/providers/index.ts';
import { seedAccount } from '../support/seed-account.ts';

/**
 * Hostile data from Google (issue 14, deliverable 4): arbitrary Gmail message JSON and Calendar event JSON —
 * NUL, lone surrogates, huge strings and numbers, missing fields, wrong types, arrays for objects — through the
 * real parsers and the real writes into PostgreSQL. Properties: every valid item is stored, every item that
 * cannot be stored has a recorded reason, no exception escapes, and a bad item never keeps its neighbours out.
 * Each case is one chunk (a few items in one round of statements) for a fresh account, on one database.
 */

/** 1,000 cases per property (issue 14). Each takes a few ms; the bound is for a busy 2-core machine. */
const FUZZ_RUNS = 1000;
const FUZZ_TIMEOUT_MS = 180_000;

let test: TestDatabase;
let accounts = 0;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test.drop());

/** A fresh user and Google account in one round trip: each case's rows and failures are its own. */
async function newOwner(): Promise<FailureOwner> {
  return seedAccount(test.db, `fuzz${accounts++}@example.com`);
}

async function failuresOf(owner: FailureOwner) {
  return test.db
    .selectFrom('ingest_failures')
    .select(['source', 'item_id', 'reason', 'count'])
    .where('account_id', '=', owner.accountId)
    .execute();
}

// ---------- Gmail ----------

/** Google's batch answer as text, so the bodies go through the API's own decoder (JSON.parse and all). */
function batchAnswer(bodies: unknown[]): { contentType: string; body: string } {
  const boundary = 'batch_fuzz';
  const parts = bodies.map((body, index) => {
    const json = JSON.stringify(body) ?? 'null';
    return [
      `--${boundary}`,
      'Content-Type: application/http',
      `Content-ID: <response-part${index}>`,
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; charset=UTF-8',
      '',
      json,
    ].join('\r\n');
  });
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: `${parts.join('\r\n')}\r\n--${boundary}--\r\n`,
  };
}

/** The backfill's write path for one chunk: parse each part, store the chunk, record what could not be stored. */
async function ingestChunk(owner: FailureOwner, bodies: unknown[]) {
  const answer = batchAnswer(bodies);
  const parts = decodeBatch(answer.contentType, answer.body);
  const parsed = parts.map((part) => parseGmailMessage(owner, part.body));
  const emails = parsed.flatMap((result) => (result.ok ? [result.email] : []));
  const { refused } = await storeEmails(test.db, emails);
  const failures: IngestFailure[] = [
    ...parsed.flatMap((result) => (result.ok ? [] : [{ itemId: result.gmailId, reason: result.reason }])),
    ...refused.map((failure) => ({ itemId: failure.gmailId, reason: failure.reason })),
  ];
  await recordIngestFailures(test.db, owner, 'gmail', failures);
  return { parsed, refused };
}

const GMAIL_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Independent of the parser: what a message needs to be storable at all — an id and a date. */
function storableMessage(raw: unknown): raw is { id: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const { id, internalDate } = raw as { id?: unknown; internalDate?: unknown };
  return (
    typeof id === 'string' &&
    GMAIL_ID.test(id) &&
    typeof internalDate === 'string' &&
    /^\d{1,15}$/.test(internalDate)
  );
}

/** Text as hostile as Google could send: NUL, lone surrogates of both halves, astral, U+FFFD, controls. */
const nastyText = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.string({
      unit: fc.constantFrom('\u0000', '\ud800', '\udfff', 'a', 'é', '😀', '\uFFFD', '\u0001', '"', '\\'),
      maxLength: 12,
    }),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  // Longer than every column's bound (the summary's is 8,000), a NUL in each pair, a lone surrogate last.
  {
    weight: 1,
    arbitrary: fc.integer({ min: 4_000, max: 12_000 }).map((n) => `${'x\u0000'.repeat(n)}\ud800`),
  },
  // Astral characters past every bound: cut without splitting a pair.
  { weight: 1, arbitrary: fc.constant(`a${'😀'.repeat(50_000)}`) },
);
/** Anything JSON can carry where a field should be. */
const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 31, 2 ** 53, 2 ** 63, 1e308, -1, 0.5),
  nastyText,
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
const gmailId = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
const epochMs = fc.integer({ min: 0, max: 4_102_444_800_000 }).map(String);
const header = fc.record({
  name: fc.oneof(fc.constantFrom('From', 'To', 'Subject', 'subject'), nastyText),
  value: nastyText,
});

/** A message whose id and date are sound and whose every other field may be anything (or missing). */
const storableGmail = fc.record(
  {
    id: gmailId,
    internalDate: epochMs,
    threadId: fc.oneof(gmailId, nastyText, wrongType),
    labelIds: fc.oneof(
      fc.array(fc.oneof(fc.constantFrom('INBOX', 'UNREAD', 'Label_1'), nastyText), { maxLength: 6 }),
      wrongType,
    ),
    snippet: fc.oneof(nastyText, wrongType),
    sizeEstimate: fc.oneof(fc.nat(), fc.constantFrom(2 ** 31, 2 ** 53, 2 ** 53 - 1, 2 ** 63), wrongType),
    historyId: fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String), wrongType),
    payload: fc.oneof(
      fc.record({ headers: fc.oneof(fc.array(fc.oneof(header, wrongType), { maxLength: 5 }), wrongType) }),
      wrongType,
    ),
  },
  { requiredKeys: ['id', 'internalDate'] },
);
/** Anything at all: a message without id or date, with the wrong types, or not an object. */
const hostileGmail = fc.oneof(
  fc.record(
    {
      id: fc.oneof(gmailId, nastyText, wrongType),
      internalDate: fc.oneof(epochMs, nastyText, wrongType, fc.constantFrom('9'.repeat(16), '-1', '1e3')),
      threadId: fc.oneof(gmailId, nastyText),
      labelIds: fc.array(nastyText, { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
  wrongType,
  storableGmail,
);
/** A neighbour that is plainly good: it must be stored whatever else is in its chunk. */
const goodGmail = fc.record({
  id: gmailId,
  internalDate: epochMs,
  threadId: gmailId,
  sizeEstimate: fc.nat(),
  labelIds: fc.constant(['INBOX'] as string[]),
});

describe('Gmail messages: fuzzed through the parser and the chunk upsert', () => {
  it(
    'stores every storable message, records every other with a reason, and never loses a neighbour',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(hostileGmail, { minLength: 1, maxLength: 5 }),
          goodGmail,
          fc.nat(),
          async (hostile, good, at) => {
            const owner = await newOwner();
            // Longer than any generated id (≤ 20): the neighbour's id is its own within the chunk.
            const neighbour = { ...good, id: `neighbour-${good.id}-${'0'.repeat(20)}` };
            const chunk: unknown[] = [...hostile];
            chunk.splice(at % (chunk.length + 1), 0, neighbour);
            const { refused } = await ingestChunk(owner, chunk);
            expect(refused).toEqual([]); // the parser leaves nothing the database refuses

            const [rows, failures] = await Promise.all([
              test.db
                .selectFrom('emails')
                .select(['message_id', 'thread_id', 'size_estimate', 'label_ids'])
                .where('user_id', '=', owner.userId)
                .execute(),
              failuresOf(owner),
            ]);
            const stored = new Map(rows.map((row) => [row.message_id, row]));
            const failed = new Set(failures.map((failure) => failure.item_id));
            const roundTripped = chunk.map((raw) => JSON.parse(JSON.stringify(raw) ?? 'null') as unknown);
            for (const raw of roundTripped) {
              if (storableMessage(raw)) expect(stored.has(raw.id), `stored ${raw.id}`).toBe(true);
              else {
                const id = (raw as { id?: unknown } | null)?.id;
                const expected =
                  typeof id === 'string' ? cleanText(id, 1024) : typeof id === 'number' ? String(id) : '';
                expect(failed.has(expected), `a failure recorded for ${JSON.stringify(expected)}`).toBe(true);
              }
            }
            expect(failures.every((failure) => failure.reason.length > 0)).toBe(true);
            const row = stored.get(neighbour.id);
            expect(row).toMatchObject({
              thread_id: neighbour.threadId,
              size_estimate: neighbour.sizeEstimate,
            });
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('Gmail: the issue 14 probes, each with its neighbours', () => {
  const good = (id: string) => ({
    id,
    threadId: `t${id}`,
    internalDate: '1700000000000',
    sizeEstimate: 10,
    labelIds: ['INBOX'],
  });

  const probes: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['a NUL in labelIds', { labelIds: ['INBOX', 'Label\u0000x'] }, { label_ids: ['INBOX', 'Labelx'] }],
    [
      'a NUL in threadId',
      { threadId: 'abc\u0000def' },
      { thread_id: 'probe', parse_error: expect.stringMatching(/threadId/) },
    ],
    ['sizeEstimate 2^31', { sizeEstimate: 2 ** 31 }, { size_estimate: 2 ** 31, parse_error: null }],
    [
      'sizeEstimate 2^53',
      { sizeEstimate: 2 ** 53 },
      { size_estimate: null, parse_error: expect.stringMatching(/sizeEstimate/) },
    ],
    ['a lone surrogate in the snippet', { snippet: 'a\ud800b' }, { snippet: 'a\uFFFDb' }],
  ];
  for (const [name, change, expected] of probes) {
    it(`stores a message with ${name} and both neighbours`, async () => {
      const owner = await newOwner();
      await ingestChunk(owner, [good('before'), { ...good('probe'), ...change }, good('after')]);
      const rows = await test.db
        .selectFrom('emails')
        .selectAll()
        .where('user_id', '=', owner.userId)
        .orderBy('message_id')
        .execute();
      expect(rows.map((row) => row.message_id)).toEqual(['after', 'before', 'probe']);
      expect(rows.find((row) => row.message_id === 'probe')).toMatchObject(expected);
      expect(await failuresOf(owner)).toEqual([]);
    });
  }

  it('records a message without a usable id (with its cleaned id) and stores its neighbours', async () => {
    const owner = await newOwner();
    await ingestChunk(owner, [good('before'), { ...good('x'), id: 'bad\u0000id' }, [], good('after')]);
    const rows = await test.db
      .selectFrom('emails')
      .select('message_id')
      .where('user_id', '=', owner.userId)
      .execute();
    expect(rows.map((row) => row.message_id).sort()).toEqual(['after', 'before']);
    expect(await failuresOf(owner)).toEqual(
      expect.arrayContaining([
        { source: 'gmail', item_id: 'badid', reason: 'id: not a Gmail id', count: 1 },
        {
          source: 'gmail',
          item_id: '',
          reason: 'item: Invalid input: expected object, received array',
          count: 1,
        },
      ]),
    );
  });

  it('falls back to row by row when the database refuses a row the parser let through, outside and inside a transaction', async () => {
    const owner = await newOwner();
    const row = (id: string, thread = `t${id}`) => ({
      user_id: owner.userId,
      account_id: owner.accountId,
      message_id: id,
      thread_id: thread,
      internal_date: new Date(1_700_000_000_000),
      from_addr: null,
      to_addr: null,
      subject: null,
      snippet: null,
      label_ids: [],
      size_estimate: null,
      parse_error: null,
    });
    // A NUL put in after the parser (the parser never lets one through): the database refuses it (22021).
    const outside = await storeEmails(test.db, [row('a'), row('b', 'bad\u0000'), row('c')]);
    expect(outside).toEqual({
      inserted: 2,
      stored: 2,
      refused: [{ gmailId: 'b', reason: 'the database refused it (SQLSTATE 22021)' }],
    });
    const inside = await test.db.transaction().execute(async (trx) => {
      const result = await storeEmails(trx, [row('d'), row('e', 'bad\u0000'), row('f')]);
      // The transaction is still usable after the refusal (savepoints), and commits the neighbours.
      await trx.selectFrom('emails').select('message_id').limit(1).execute();
      return result;
    });
    expect(inside.refused.map((failure) => failure.gmailId)).toEqual(['e']);
    const stored = await test.db
      .selectFrom('emails')
      .select('message_id')
      .where('user_id', '=', owner.userId)
      .execute();
    expect(stored.map((each) => each.message_id).sort()).toEqual(['a', 'c', 'd', 'f']);
  });

  it('counts a failure seen again instead of adding a row', async () => {
    const owner = await newOwner();
    const bad = { id: 'm1', internalDate: 'yesterday' };
    await ingestChunk(owner, [bad, bad]);
    await ingestChunk(owner, [bad]);
    expect(await failuresOf(owner)).toEqual([
      {
        source: 'gmail',
        item_id: 'm1',
        reason: 'internalDate: internalDate is not epoch milliseconds',
        count: 3,
      },
    ]);
  });
});

// ---------- Calendar ----------

const CALENDAR = 'fuzz@example.com';
const eventId = fc.stringMatching(/^[a-v0-9]{5,26}$/);
const instant = fc
  .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) })
  .map((ms) => new Date(ms).toISOString());
const eventTime = fc.oneof(
  instant.map((dateTime) => ({ dateTime })),
  instant.map((iso) => ({ date: iso.slice(0, 10) })),
  fc.record(
    {
      dateTime: fc.oneof(
        nastyText,
        wrongType,
        fc.constantFrom('0000-01-01T00:00:00Z', '275760-09-13T00:00:00Z', '2026-02-30T10:00:00Z'),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { date: fc.oneof(nastyText, wrongType, fc.constantFrom('0000-01-01', '2026-13-01', '9999-12-31')) },
    { requiredKeys: [] },
  ),
  wrongType,
);
const rule = fc.oneof(
  fc.constantFrom(
    'RRULE:FREQ=WEEKLY;COUNT=5',
    'RRULE:FREQ=DAILY;UNTIL=99991231T000000Z',
    'RRULE:FREQ=MONTHLY;BYDAY=1MO',
    'EXDATE:20260101T100000Z',
  ),
  nastyText.map((text) => `RRULE:${text}`),
  nastyText,
);
const hostileEvent = fc.oneof(
  fc.record(
    {
      id: fc.oneof(eventId, nastyText, wrongType),
      status: fc.oneof(fc.constantFrom('confirmed', 'tentative', 'cancelled'), nastyText, wrongType),
      summary: fc.oneof(nastyText, wrongType),
      location: fc.oneof(nastyText, wrongType),
      start: eventTime,
      end: eventTime,
      recurrence: fc.oneof(fc.array(fc.oneof(rule, wrongType), { maxLength: 3 }), wrongType),
      recurringEventId: fc.oneof(eventId, nastyText, wrongType),
      originalStartTime: eventTime,
      etag: fc.oneof(nastyText, wrongType),
      updated: fc.oneof(instant, nastyText, wrongType),
    },
    { requiredKeys: [] },
  ),
  wrongType,
);
/** Sound structure, hostile text: must be stored as a row, its text cleaned. */
const storableEvent = fc
  .record({
    id: eventId,
    summary: nastyText,
    location: nastyText,
    startMs: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
    lengthMs: fc.integer({ min: 0, max: 86_400_000 }),
    etag: fc.oneof(nastyText, wrongType),
    updated: fc.oneof(instant, nastyText, wrongType),
  })
  .map(({ startMs, lengthMs, ...rest }) => ({
    ...rest,
    id: `s${rest.id}`,
    status: 'confirmed',
    start: { dateTime: new Date(startMs).toISOString() },
    end: { dateTime: new Date(startMs + lengthMs).toISOString() },
  }));

const master = {
  id: 'goodmaster',
  status: 'confirmed',
  summary: 'Standup',
  start: { dateTime: '2026-01-05T09:00:00Z', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2026-01-05T09:15:00Z', timeZone: 'Europe/Berlin' },
  recurrence: ['RRULE:FREQ=WEEKLY;COUNT=10'],
};
const single = {
  id: 'goodsingle',
  summary: 'Lunch',
  start: { dateTime: '2026-01-06T12:00:00Z' },
  end: { dateTime: '2026-01-06T13:00:00Z' },
};
/** An instance override with hostile text, folded into the good master's exceptions JSONB. */
const override = (summary: string) => ({
  id: 'goodmaster_20260112T090000Z',
  recurringEventId: 'goodmaster',
  originalStartTime: { dateTime: '2026-01-12T09:00:00Z' },
  summary,
  start: { dateTime: '2026-01-12T10:00:00Z' },
  end: { dateTime: '2026-01-12T10:15:00Z' },
});

async function eventsOf(owner: FailureOwner) {
  return test.db
    .selectFrom('calendar_events')
    .select(['google_event_id', 'summary', 'exceptions'])
    .where('user_id', '=', owner.userId)
    .execute();
}

describe('Calendar events: fuzzed through the mapper and the calendar sync transaction', () => {
  it(
    'stores every mapped row and neighbour, records every skipped event, and applies the override',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              hostileEvent.map((raw) => ({ storable: false, raw })),
              storableEvent.map((raw) => ({ storable: true, raw })),
            ),
            { minLength: 1, maxLength: 5 },
          ),
          nastyText,
          fc.boolean(),
          async (events, overrideSummary, incremental) => {
            const owner = await newOwner();
            const raws = [single, ...events.map((event) => event.raw), master, override(overrideSummary)].map(
              (raw) => JSON.parse(JSON.stringify(raw) ?? 'null') as unknown,
            );
            const mapped = raws.map((raw) => mapEvent(raw, 'UTC'));
            if (incremental) {
              // The master exists from an earlier pass; this pass brings the hostile events and the override.
              await storeFullSync(test.db, {
                owner,
                calendarId: CALENDAR,
                mapped: [mapEvent(master, 'UTC')],
                syncToken: 't1',
              });
              await storeIncremental(test.db, { owner, calendarId: CALENDAR, mapped, syncToken: 't2' });
            } else {
              await storeFullSync(test.db, { owner, calendarId: CALENDAR, mapped, syncToken: 't1' });
            }
            const [events_, failures, state] = await Promise.all([
              eventsOf(owner),
              failuresOf(owner),
              test.db
                .selectFrom('sync_state')
                .select('cursor')
                .where('account_id', '=', owner.accountId)
                .executeTakeFirstOrThrow(),
            ]);
            const rows = new Map(events_.map((row) => [row.google_event_id, row]));
            const failed = new Set(failures.map((failure) => failure.item_id));
            expect(rows.get('goodsingle')?.summary).toBe('Lunch');
            expect(rows.get('goodmaster')?.exceptions.overrides['2026-01-12T09:00:00Z']).toMatchObject({
              summary: cleanText(overrideSummary, 8000),
            });
            mapped.forEach((m, index) => {
              if (m.type === 'row')
                expect(rows.has(m.row.google_event_id), `row ${m.row.google_event_id}`).toBe(true);
              if (m.type === 'invalid') {
                const id = m.googleEventId === null ? '' : cleanText(m.googleEventId, 1024);
                expect(failed.has(id), `failure for event ${index}`).toBe(true);
              }
            });
            // An event of sound structure is stored whatever its text (the last copy when an id repeats).
            const last = new Map<string, { summary: string }>();
            for (const event of events) {
              if (event.storable)
                last.set((event.raw as { id: string }).id, event.raw as { summary: string });
            }
            for (const [id, event] of last) {
              const clash = events.some(
                (other) => !other.storable && (other.raw as { id?: unknown } | null)?.id === id,
              );
              if (!clash)
                expect(rows.get(id)?.summary, `storable event ${id}`).toBe(cleanText(event.summary, 8000));
            }
            expect(state.cursor).toBe(incremental ? 't2' : 't1'); // the calendar's token moved: nothing aborted
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('Calendar: the issue 14 probes, each with its neighbours', () => {
  it('stores an event with a NUL in its summary among good events, in a full and an incremental sync', async () => {
    const owner = await newOwner();
    const bad = { ...single, id: 'nulsummary', summary: 'Stand\u0000up \ud800' };
    await storeFullSync(test.db, {
      owner,
      calendarId: CALENDAR,
      mapped: [single, bad, master].map((raw) => mapEvent(raw, 'UTC')),
      syncToken: 't1',
    });
    const changed = { ...bad, summary: 'again\u0000' };
    await storeIncremental(test.db, {
      owner,
      calendarId: CALENDAR,
      mapped: [changed, { ...single, summary: 'Lunch 2' }].map((raw) => mapEvent(raw, 'UTC')),
      syncToken: 't2',
    });
    const rows = new Map((await eventsOf(owner)).map((row) => [row.google_event_id, row.summary]));
    expect(Object.fromEntries(rows)).toEqual({
      goodsingle: 'Lunch 2',
      nulsummary: 'again',
      goodmaster: 'Standup',
    });
    expect(await failuresOf(owner)).toEqual([]);
  });

  it('folds an instance override with a NUL (and a lone surrogate) into its master, and stores the rest', async () => {
    const owner = await newOwner();
    await storeFullSync(test.db, {
      owner,
      calendarId: CALENDAR,
      mapped: [mapEvent(master, 'UTC')],
      syncToken: 't1',
    });
    await storeIncremental(test.db, {
      owner,
      calendarId: CALENDAR,
      mapped: [override('Moved\u0000 \udc00'), single].map((raw) => mapEvent(raw, 'UTC')),
      syncToken: 't2',
    });
    const rows = new Map((await eventsOf(owner)).map((row) => [row.google_event_id, row]));
    expect(rows.get('goodmaster')?.exceptions.overrides['2026-01-12T09:00:00Z']).toMatchObject({
      summary: 'Moved \uFFFD',
    });
    expect(rows.has('goodsingle')).toBe(true);
  });

  it('records the events it skips (with id and reason) and still stores and moves the token', async () => {
    const owner = await newOwner();
    const skipped = [
      { id: 'nostart', summary: 'x' },
      { ...single, id: 'bad\u0000id' },
      { ...master, id: 'badzone', start: { ...master.start, timeZone: 'Mars/Olympus' } },
      { ...single, id: 'reversed', end: { dateTime: '2026-01-06T11:00:00Z' } },
      { ...single, id: 'year0', start: { date: '0000-01-01' }, end: { date: '0000-01-02' } },
    ];
    await storeFullSync(test.db, {
      owner,
      calendarId: CALENDAR,
      mapped: [single, ...skipped].map((raw) => mapEvent(raw, 'UTC')),
      syncToken: 't1',
    });
    expect((await eventsOf(owner)).map((row) => row.google_event_id)).toEqual(['goodsingle']);
    const failures = await failuresOf(owner);
    expect(failures.map((failure) => [failure.item_id, failure.reason]).sort()).toEqual([
      ['badid', 'id: not a Calendar event id'],
      ['badzone', 'unknown time zone'],
      ['nostart', 'no start or end'],
      ['reversed', 'unreadable or reversed start/end'],
      ['year0', 'unreadable or reversed start/end'],
    ]);
  });

  it('isolates what the database refuses though the mapper let it through: the row and the override alone', async () => {
    const owner = await newOwner();
    await storeFullSync(test.db, {
      owner,
      calendarId: CALENDAR,
      mapped: [mapEvent(master, 'UTC')],
      syncToken: 't1',
    });
    const good = mapEvent(single, 'UTC');
    const bad = mapEvent({ ...single, id: 'refused' }, 'UTC');
    const change = mapEvent(override('Moved'), 'UTC');
    if (good.type !== 'row' || bad.type !== 'row' || change.type !== 'exception') throw new Error('fixtures');
    // NULs put in after the mapper (it never lets one through): the database refuses both (22021, 22P05).
    const mapped = [
      good,
      { ...bad, row: { ...bad.row, summary: 'x\u0000' } },
      { ...change, override: { summary: 'x\u0000' } },
    ];
    await storeIncremental(test.db, { owner, calendarId: CALENDAR, mapped, syncToken: 't2' });
    const rows = new Map((await eventsOf(owner)).map((row) => [row.google_event_id, row]));
    expect([...rows.keys()].sort()).toEqual(['goodmaster', 'goodsingle']);
    expect(rows.get('goodmaster')?.exceptions).toEqual({ cancelled: [], overrides: {} });
    const failures = await failuresOf(owner);
    expect(failures.map((failure) => [failure.item_id, failure.reason]).sort()).toEqual([
      ['goodmaster_20260112T090000Z', 'exceptions: the database refused it (SQLSTATE 22P05)'],
      ['refused', 'the database refused it (SQLSTATE 22021)'],
    ]);
    const state = await test.db
      .selectFrom('sync_state')
      .select('cursor')
      .where('account_id', '=', owner.accountId)
      .executeTakeFirstOrThrow();
    expect(state.cursor).toBe('t2');
  });
});
