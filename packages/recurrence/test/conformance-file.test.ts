import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConformanceFile, runCase } from '../src/index.ts';

// Public conformance data, copied into the repository (conformance/README.md) so a clone alone passes.
const sharedCases = fileURLToPath(new URL('../../../conformance/rrule-cases.json', import.meta.url));
// python-dateutil's own test suite, converted (conformance/README.md): naive datetimes as UTC, 47 cases of
// combinations RFC 5545 forbids but dateutil expands.
const dateutilCases = ConformanceFile.parse(
  JSON.parse(
    readFileSync(
      fileURLToPath(new URL('../../../conformance/dateutil-suite-cases.json', import.meta.url)),
      'utf8',
    ),
  ),
);

describe('python-dateutil test suite cases', () => {
  it('holds all 247', () => expect(dateutilCases).toHaveLength(247));
  it.each(dateutilCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(runCase(c)).toEqual({ name: c.name, passed: true });
  });
});

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
