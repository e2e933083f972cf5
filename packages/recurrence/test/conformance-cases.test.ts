import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConformanceFile, runCase, runConformanceText } from '../src/index.ts';

// Public conformance data, copied into the repository (conformance/README.md) so a clone alone passes.
const sharedCases = fileURLToPath(new URL('../../../conformance/rrule-cases.json', import.meta.url));
const dateutilCases = fileURLToPath(
  new URL('../../../conformance/dateutil-suite-cases.json', import.meta.url),
);
const text = readFileSync(sharedCases, 'utf8');
const cases = ConformanceFile.parse(JSON.parse(text));

describe('shared RFC 5545 conformance cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(runCase(c)).toEqual({ name: c.name, passed: true });
  });
});

describe('conformance runner', () => {
  const first = cases[0]!;

  it('reports a wrong expectation with expected vs got', () => {
    const wrong = {
      ...first,
      expected: first.expected.map((t, i) => (i === 3 ? t.replace('T09', 'T10') : t)),
    };
    const outcome = runConformanceText(JSON.stringify([wrong, cases[1]]), 'f.json');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.lines).toEqual([
      'FAIL Daily for 10 occurrences: 10 occurrences; first difference at #4: expected 1997-09-05T10:00:00 ' +
        '(1997-09-05T13:00:00Z), got 1997-09-05T09:00:00 (1997-09-05T13:00:00Z)',
      '1 passed, 1 failed',
    ]);
  });

  it('compares only the listed occurrences of a truncated case, and all of a complete one', () => {
    const truncated = { ...first, rrule: 'FREQ=DAILY', truncated: true, listed_count: 3 };
    expect(runConformanceText(JSON.stringify([truncated]), 'f').lines).toEqual(['1 passed, 0 failed']);
    const missing = { ...first, expected: first.expected.slice(0, 9), expected_utc: undefined };
    expect(runConformanceText(JSON.stringify([missing]), 'f').lines[0]).toContain(
      'expected 9 occurrences, got 10; first difference at #10: expected nothing, got 1997-09-11T09:00:00',
    );
  });

  it('counts an invalid rule as a failure with its reason', () => {
    const outcome = runConformanceText(JSON.stringify([{ ...first, rrule: 'FREQ=DAILY;BYDAY=XX' }]), 'f');
    expect(outcome.lines[0]).toMatch(/^FAIL Daily for 10 occurrences: invalid_rrule: BYDAY: 'XX'/);
    expect(outcome.exitCode).toBe(1);
  });

  it('refuses a file that is not JSON or not in the format, naming the field', () => {
    expect(runConformanceText('{', 'f.json')).toMatchObject({ exitCode: 2 });
    const outcome = runConformanceText(
      JSON.stringify([{ name: 'x', dtstart: '2025-01-01T09:00:00' }]),
      'f.json',
    );
    expect(outcome.exitCode).toBe(2);
    expect(outcome.lines.join('\n')).toContain('at 0.tzid');
  });

  const cli = fileURLToPath(new URL('../src/conformance-cli.ts', import.meta.url));
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { ...process.env, ...env },
    }).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        out: e.stdout,
        err: e.stderr,
      }),
    );

  it('runs as `npm run conformance -- <file>` with exit codes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conformance-'));
    const failing = join(dir, 'failing.json');
    await writeFile(failing, JSON.stringify([{ ...first, expected: [] }, cases[1]]));
    const [ok, bad, missing] = await Promise.all([
      run([sharedCases]),
      run([failing]),
      run([join(dir, 'none.json')]),
    ]);
    expect(ok).toMatchObject({ code: 0, out: `${cases.length} passed, 0 failed\n` });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(
      /^FAIL Daily for 10 occurrences: expected 0 occurrences, got 10;.*\n1 passed, 1 failed\n$/,
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read (ENOENT)');
  });

  it('takes several files, shows progress on long ones and ends with the total', async () => {
    const result = await run([sharedCases, dateutilCases]);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(lines).toEqual([
      `${sharedCases}: 46 passed, 0 failed`,
      `${dateutilCases}: 247 passed, 0 failed`,
      '293 passed, 0 failed',
    ]);
    expect(result.err).toContain(`${dateutilCases}: 200/247`);
  });

  it('fails a case that hangs, and carries on with the next ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conformance-'));
    const file = join(dir, 'hang.json');
    await writeFile(file, JSON.stringify([{ ...first, name: 'hangs' }, cases[1], cases[2]]));
    const result = await run(['--timeout-ms=3000', file], { CONFORMANCE_TEST_HANG_CASE: 'hangs' });
    expect(result.code).toBe(1);
    expect(result.out).toBe('FAIL hangs: timed out after 3000 ms\n2 passed, 1 failed\n');
  });
});
