import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { queriesIn, violations } from './check-sql.mjs';

describe('check-sql', () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-sql-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds query builders and sql templates, not comments or prose', () => {
    const text = [
      "const rows = await db.selectFrom('emails').selectAll().execute();",
      '// we never call db.selectFrom( here',
      'await sql<{ n: number }>`select 1`.execute(db);',
      'await sql`select pg_notify($1)`.execute(db);',
      'const sqlState = error.code; // "the sql" in prose',
      "trx.insertInto('x')",
    ].join('\n');
    expect(queriesIn(text).map((query: { line: number }) => query.line)).toEqual([1, 3, 4, 6]);
  });

  it('lets repositories and tests hold queries, and names every other file', () => {
    mkdirSync(join(dir, 'feature'));
    const query = "export const q = (db) => db.deleteFrom('sessions').execute();\n";
    writeFileSync(join(dir, 'feature/feature-repository.ts'), query);
    writeFileSync(join(dir, 'feature/feature.test.ts'), query);
    writeFileSync(join(dir, 'feature/feature-service.ts'), query);
    const found = violations(dir);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/feature\/feature-service\.ts:1: /);
  });
});
