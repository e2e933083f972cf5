// `npm run check:sql`: SQL lives in repositories (STYLE.md: "repositories hold the SQL and nothing else").
// Fails when a non-test file of apps/api/src that is not a `*-repository.ts` builds a query — a Kysely query
// builder call (`selectFrom`, `insertInto`, …) or a `sql` template. Services and handlers call repository
// functions named by intent instead. packages/db (the migrator, row isolation) is the database package itself
// and is not held to it. No baseline: there is no known debt.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const SOURCE = join(root, 'apps/api/src');

/** A query builder entry point, or a `sql` tagged template (with or without a type argument). */
const QUERY =
  /\.(selectFrom|selectNoFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(|\bsql(<[^>]*>)?`/;

export const isRepository = (path) => /-repository\.ts$/.test(path);
export const isTest = (path) => /\.test\.tsx?$/.test(path);

/** The lines of `text` that build a query, as `{ line, text }` (1-based). */
export function queriesIn(text) {
  return text
    .split('\n')
    .map((line, index) => ({ line: index + 1, text: line.trim() }))
    .filter(({ text }) => !text.startsWith('//') && !text.startsWith('*') && QUERY.test(text));
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

export function violations(dir = SOURCE) {
  const found = [];
  for (const path of sourceFiles(dir)) {
    if (isRepository(path) || isTest(path)) continue;
    for (const query of queriesIn(readFileSync(path, 'utf8'))) {
      found.push(`${relative(root, path)}:${query.line}: ${query.text}`);
    }
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = violations();
  for (const line of found) console.log(`SQL outside a repository  ${line}`);
  console.log(`check-sql: ${found.length} queries outside *-repository.ts in apps/api/src`);
  process.exit(found.length === 0 ? 0 : 1);
}
