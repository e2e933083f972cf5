import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cleanText, parseLeniently } from './google.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('cleanText', () => {
  it('leaves no NUL and no lone surrogate, stays within the bound, and keeps clean text as it is', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (text, max) => {
          const clean = cleanText(text, max);
          expect(clean.includes('\u0000')).toBe(false);
          expect(LONE_SURROGATE.test(clean)).toBe(false);
          expect(clean.length).toBeLessThanOrEqual(max);
          if (!text.includes('\u0000') && !LONE_SURROGATE.test(text) && text.length <= max)
            expect(clean).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('replaces a pair the bound cut in half', () => {
    expect(cleanText('ab😀', 3)).toBe('ab\uFFFD');
  });
});

describe('parseLeniently', () => {
  const schema = z.object({ id: z.string(), note: z.string().optional(), size: z.number().optional() });

  it('leaves out optional fields that do not parse, and names them', () => {
    expect(parseLeniently(schema, { id: 'a', note: 1, size: 'x' }, ['id'])).toEqual({
      ok: true,
      data: { id: 'a' },
      dropped: [
        'note: Invalid input: expected string, received number',
        'size: Invalid input: expected number, received string',
      ],
    });
  });

  it('refuses when a required field, or the item itself, does not parse', () => {
    expect(parseLeniently(schema, { id: 1, note: 1 }, ['id'])).toEqual({
      ok: false,
      reason: 'id: Invalid input: expected string, received number',
    });
    expect(parseLeniently(schema, [], ['id'])).toMatchObject({ ok: false, reason: /^item: / });
  });
});
