import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConformanceFile } from '../src/index.ts';

// Public conformance data, copied into the repository (conformance/README.md) so a clone alone passes.
const sharedCases = fileURLToPath(new URL('../../../conformance/rrule-cases.json', import.meta.url));

describe('conformance file format', () => {
  it('reads the shared RFC 5545 cases', async () => {
    const cases = ConformanceFile.parse(JSON.parse(await readFile(sharedCases, 'utf8')));
    expect(cases.length).toBeGreaterThan(10);
    for (const testCase of cases) {
      if (testCase.expected_utc)
        expect(testCase.expected_utc, testCase.name).toHaveLength(testCase.expected.length);
    }
  });

  it('rejects a case without its rule, naming the field', () => {
    const result = ConformanceFile.safeParse([
      { name: 'x', dtstart: '2024-01-01T09:00:00', tzid: 'UTC', expected: [] },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([0, 'rrule']);
  });
});
