import { createTestDatabase, seedUser, type TestDatabase } from '@firstlight/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../lib/errors.ts';
import { countEmails, type NewEmail, upsertEmails } from './email-repository.ts';
import { listEmails } from './email-service.ts';

type Owner = { userId: string; accountId: string };

function email(owner: Owner, index: number, overrides: Partial<NewEmail> = {}): NewEmail {
  return {
    user_id: owner.userId,
    account_id: owner.accountId,
    message_id: `m${String(index).padStart(6, '0')}`,
    thread_id: `t${index}`,
    // Every 3 messages share a timestamp, so the message_id tiebreak is exercised.
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
  let alice: Owner;
  let bob: Owner;

  beforeAll(async () => {
    test = await createTestDatabase();
    alice = await seedUser(test.db, 'alice@example.com');
    bob = await seedUser(test.db, 'bob@example.com');
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
    expect(await countEmails(test.db, alice.userId)).toBe(250);
    const page = await listEmails(test.db, alice.userId, { limit: 1 });
    expect(page.emails[0]?.labelIds).toEqual(['INBOX', 'READ']);
  });

  it('counts what concurrent upserts inserted exactly (the count drives emails_ready)', async () => {
    const carol = await seedUser(test.db, 'carol@example.com');
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
      const page = await listEmails(test.db, alice.userId, { limit: 40, ...(cursor ? { cursor } : {}) });
      seen.push(...page.emails.map((row) => row.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const expected = Array.from({ length: 250 }, (_, i) => email(alice, i))
      .sort((a, b) => +b.internal_date - +a.internal_date || (a.message_id < b.message_id ? 1 : -1))
      .map((row) => row.message_id);
    expect(seen).toEqual(expected);
  });

  it("never returns another user's rows", async () => {
    const page = await listEmails(test.db, bob.userId, { limit: 200 });
    expect(page.emails.map((row) => row.id)).toEqual(['m009999']);
    const alicePage = await listEmails(test.db, alice.userId, { limit: 200 });
    expect(alicePage.emails.some((row) => row.id === 'm009999')).toBe(false);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(
      listEmails(test.db, alice.userId, { limit: 10, cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toBeInstanceOf(DomainError);
  });
});
