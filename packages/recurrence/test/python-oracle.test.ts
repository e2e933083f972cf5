import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPython } from './python-oracle.ts';

// Stand-in interpreters (shell scripts): one whose probe fails as a python without dateutil does, one that passes.
const dir = mkdtempSync(join(tmpdir(), 'recurrence-python-'));
const fake = (name: string, body: string) => {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};
const without = fake(
  'without-dateutil',
  'echo "ModuleNotFoundError: No module named \'dateutil\'" >&2; exit 1',
);
const withIt = fake('with-dateutil', 'exit 0');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the differential test finds a python with dateutil', () => {
  it('takes the first candidate that can import dateutil, not the first on PATH', () => {
    expect(findPython({}, [without, withIt])).toBe(withIt);
  });

  it('takes RECURRENCE_PYTHON when set, and only it', () => {
    expect(findPython({ RECURRENCE_PYTHON: withIt }, [without])).toBe(withIt);
    expect(() => findPython({ RECURRENCE_PYTHON: without }, [withIt])).toThrow(/python3-dateutil/);
  });

  it('fails loudly, naming each candidate and the Debian package, when none can', () => {
    const missing = join(dir, 'no-such-python');
    let message = '';
    try {
      findPython({}, [without, missing]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${without}: ModuleNotFoundError: No module named 'dateutil'`);
    expect(message).toContain(`${missing}: spawnSync ${missing} ENOENT`);
    expect(message).toContain('apt-get install python3-dateutil tzdata');
  });
});
