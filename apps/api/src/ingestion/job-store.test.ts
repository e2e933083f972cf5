import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..');
/** The job store: the only files that may write the backfill's tables (their writes apply job-machine.ts). */
const STORE = [
  'ingestion/job-repository.ts',
  'ingestion/batch-repository.ts',
  'ingestion/list-lease-repository.ts',
];
const WRITE = /\.(updateTable|insertInto|deleteFrom)\(\s*'ingestion_(jobs|batches)'/;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

describe('the job store', () => {
  it('is the sole writer of ingestion_jobs and ingestion_batches', () => {
    const writers = sources(SRC)
      .filter((path) => WRITE.test(readFileSync(path, 'utf8')))
      .map((path) => relative(SRC, path));
    expect(writers.sort()).toEqual([...STORE].sort());
  });
});
