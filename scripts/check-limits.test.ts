import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { compare, violationsOf } from './check-limits.mjs';

type Violation = { key: string; lines: number };
const check = violationsOf as (path: string, text: string) => Violation[];

/** A function spanning exactly `lines` lines, signature and closing brace included. */
const fn = (head: string, lines: number) => `${head} {\n${'  x();\n'.repeat(lines - 2)}}\n`;

describe('check-limits', () => {
  it('allows 300 lines in a file and 80 in a function, not one more', () => {
    expect(check('a.ts', 'x();\n'.repeat(300))).toEqual([]);
    expect(check('a.ts', 'x();\n'.repeat(301))).toEqual([{ key: 'a.ts', lines: 301 }]);
    expect(check('a.ts', fn('function ok()', 80))).toEqual([]);
    expect(check('a.ts', fn('function long()', 81))).toEqual([{ key: 'a.ts:long', lines: 81 }]);
  });

  it('names methods, arrow functions and callbacks so the baseline lists functions, not lines', () => {
    const text = [
      `class Pump ${fn('{ run()', 81)}}`,
      fn('const useInbox = () =>', 90),
      `app.get('/x', ${fn('async () =>', 85)});`,
      `app.get('/y', ${fn('async () =>', 85)});`,
    ].join('\n');
    const functions = check('b.tsx', text).filter((v) => v.key.includes(':'));
    expect(functions.map((v) => v.key)).toEqual([
      'b.tsx:Pump.run',
      'b.tsx:useInbox',
      'b.tsx:app.get(/x)',
      'b.tsx:app.get(/y)',
    ]);
  });

  it('fails on a new violation and on a known one that grew; a known one that shrank passes', () => {
    const known = { 'a.ts:long': 120, 'a.ts:gone': 90 };
    const passes = compare([{ key: 'a.ts:long', lines: 100 }], known);
    expect(passes.failures).toBe(0);
    expect(passes.lines).toContain(
      'fixed   a.ts:gone: within the limits now: remove it from known-limit-violations.json',
    );
    expect(compare([{ key: 'a.ts:long', lines: 121 }], known).failures).toBe(1);
    expect(compare([{ key: 'a.ts:other', lines: 81 }], known).failures).toBe(1);
  });
});
