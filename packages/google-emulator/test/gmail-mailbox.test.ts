import { describe, expect, it } from 'vitest';
import { Mailbox } from '../src/gmail/index.ts';
import { TEST_ANCHOR } from './gmail-harness.ts';

describe('Mailbox (generated, never stored)', () => {
  const mailbox = new Mailbox({ seed: 99, size: 5000, owner: 'ann@example.com', anchor: TEST_ANCHOR });

  it('dates strictly decrease with the index; historyIds strictly increase with recency', () => {
    for (let i = 1; i < mailbox.size; i++) {
      expect(mailbox.dateOf(i)).toBeLessThan(mailbox.dateOf(i - 1));
      expect(mailbox.historyIdOf(i)).toBeLessThan(mailbox.historyIdOf(i - 1));
    }
    expect(mailbox.dateOf(0)).toBeLessThan(TEST_ANCHOR);
  });

  it('finds positions by date and slots by id as a linear scan would', () => {
    const oldest = mailbox.dateOf(mailbox.size - 1);
    for (let k = 0; k < 200; k++) {
      const ms = oldest - 1000 + Math.floor(((TEST_ANCHOR - oldest) * k) / 199);
      let linear = 0;
      while (linear < mailbox.size && mailbox.dateOf(linear) >= ms) linear++;
      expect(mailbox.firstPositionBefore(ms)).toBe(linear);
    }
    for (const slot of [0, 1, 1023, 1024, 4999]) expect(mailbox.slotOf(mailbox.idOf(slot))).toBe(slot);
  });

  it('gives delivered mail dates after the anchor and the next historyIds', () => {
    const live = new Mailbox({
      seed: 5,
      size: 10,
      owner: 'ann@example.com',
      anchor: TEST_ANCHOR,
      now: () => TEST_ANCHOR,
    });
    const before = live.historyId;
    const [first, second] = live.deliver(2);
    expect(live.dateOf(-2)).toBeGreaterThan(live.dateOf(-1));
    expect(live.dateOf(-1)).toBeGreaterThan(live.dateOf(0));
    expect(live.historyId).toBeGreaterThan(before);
    expect(live.slotOf(first!.id)).toBe(-1);
    expect(live.slotOf(second!.id)).toBe(-2);
    expect(live.messagesTotal()).toBe(12);
  });
});
