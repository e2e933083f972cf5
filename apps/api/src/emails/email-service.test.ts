import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../lib/errors.ts';
import { countEmails, type NewEmail, upsertEmails } from './email-repository.ts';
import { listEmails } from './email-service.ts';

function email(userId: string, index: number, overrides: Partial<NewEmail> = {}): NewEmail {
  return {
    user_id: userId,
    gmail_id: `m${String(index).padStart(6, '0')}`,
    thread_id: `t${index}`,
    // Every 3 messages share a timestamp, so the gmail_id tiebreak is exercised.
    internal_date: new Date(Date.UTC(2026, 0, 1) + Math.floor(index / 3) * 60_000),
    from_addr: `sender${index}@example.com`,
    to_addr: 'me@example.com',
    subject: `Subject ${index}`,
    snippet: `snippet ${index}`,
    label_ids: ['INBOX'],
    size_estimate: 1000 + index,
    parse_error: null,
    ...overrides,
  };
}

describe('emails', () => {
  let test: TestDatabase;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    const users = await test.db
      .insertInto('users')
      .values([
        { email: 'alice@example.com', display_name: null },
        { email: 'bob@example.com', display_name: null },
      ])
      .returning('id')
      .execute();
    alice = users[0]!.id;
    bob = users[1]!.id;
    await upsertEmails(
      test.db,
      Array.from({ length: 250 }, (_, i) => email(alice, i)),
    );
    await upsertEmails(test.db, [email(bob, 9999)]);
  });
  afterAll(() => test.drop());

  it('upserts idempotently: a re-delivered set inserts nothing and updates labels', async () => {
    const again = Array.from({ length: 250 }, (_, i) => email(alice, i, { label_ids: ['INBOX', 'READ'] }));
    expect(await upsertEmails(test.db, again)).toBe(0);
    expect(await countEmails(test.db, alice)).toBe(250);
    const page = await listEmails(test.db, alice, { limit: 1 });
    expect(page.emails[0]?.labelIds).toEqual(['INBOX', 'READ']);
  });

  it('counts what concurrent upserts inserted exactly (the count drives emails_ready)', async () => {
    const { id: carol } = await test.db
      .insertInto('users')
      .values({ email: 'carol@example.com', display_name: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const chunks = Array.from({ length: 20 }, (_, c) =>
      Array.from({ length: 50 }, (_, i) => email(carol, 100_000 + c * 50 + i)),
    );
    const inserted = await Promise.all(chunks.map((chunk) => upsertEmails(test.db, chunk)));
    expect(inserted).toEqual(chunks.map(() => 50));
    // Re-delivered alongside new ones: only the new count.
    const mixed = [...chunks[0]!.slice(0, 10), email(carol, 200_000), email(carol, 200_001)];
    expect(await upsertEmails(test.db, mixed)).toBe(2);
  });

  it('pages newest first by keyset, every row exactly once, ending with a null cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listEmails(test.db, alice, { limit: 40, ...(cursor ? { cursor } : {}) });
      seen.push(...page.emails.map((row) => row.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const expected = Array.from({ length: 250 }, (_, i) => email(alice, i))
      .sort((a, b) => +b.internal_date - +a.internal_date || (a.gmail_id < b.gmail_id ? 1 : -1))
      .map((row) => row.gmail_id);
    expect(seen).toEqual(expected);
  });

  it("never returns another user's rows", async () => {
    const page = await listEmails(test.db, bob, { limit: 200 });
    expect(page.emails.map((row) => row.id)).toEqual(['m009999']);
    const alicePage = await listEmails(test.db, alice, { limit: 200 });
    expect(alicePage.emails.some((row) => row.id === 'm009999')).toBe(false);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(
      listEmails(test.db, alice, { limit: 10, cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toBeInstanceOf(DomainError);
  });
});
