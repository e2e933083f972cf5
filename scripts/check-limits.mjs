// `npm run check:limits`: no source file over 300 lines, no function over 80 (STYLE.md "small files"). Tests,
// e2e/ and bench/ are not held to it. Violations listed in known-limit-violations.json (today's debt) are
// reported and pass while they do not grow; any other fails. `--update` rewrites that file with what is found now (the lead empties it
// as the fixes land: never add to it by hand to get a change through).
//
// Why a script: Biome 2 has noExcessiveLinesPerFile / noExcessiveLinesPerFunction, but a baseline there is per
// file (an `overrides` entry turning the rule off), so a listed file could grow a new long function unseen;
// this names each function, through the TypeScript compiler's own parser.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;

const root = fileURLToPath(new URL('../', import.meta.url));
const baselinePath = fileURLToPath(new URL('../known-limit-violations.json', import.meta.url));
/** Product code: what the apps and packages ship, and the repository's scripts. */
const INCLUDE = ['apps/*/src/**/*', 'packages/*/src/**/*', 'scripts/**/*'];
const EXTENSIONS = ['.ts', '.tsx', '.mjs'];
const EXCLUDE = /(\.test\.tsx?$|\.d\.ts$|\/test\/|\/node_modules\/|\/dist\/)/;

/** `file:name` of a function: its declared name, or the variable / property / call it is the value of. */
function functionName(node) {
  if (node.name && ts.isIdentifier(node.name)) {
    const owner = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
    return owner + node.name.text;
  }
  if (ts.isConstructorDeclaration(node)) return `${node.parent.name?.text ?? 'class'}.constructor`;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  if (ts.isCallExpression(parent)) {
    const argument = parent.arguments.find((arg) => ts.isStringLiteral(arg));
    const callee = parent.expression.getText().replace(/\s+/g, '');
    return `${callee}(${argument ? argument.text : '…'})`;
  }
  return '<anonymous>';
}

/** Every violation of one file: `{ key, lines }`, key `path` for the file, `path:function` for a function. */
export function violationsOf(path, text) {
  const found = [];
  const fileLines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (fileLines > MAX_FILE_LINES) found.push({ key: path, lines: fileLines });
  const kind = path.endsWith('.tsx')
    ? ts.ScriptKind.TSX
    : path.endsWith('.mjs')
      ? ts.ScriptKind.JS
      : ts.ScriptKind.TS;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const counts = new Map();
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        // Two functions of one name in a file (two anonymous callbacks) get #2, #3 in source order.
        const name = functionName(node);
        const seen = (counts.get(name) ?? 0) + 1;
        counts.set(name, seen);
        found.push({ key: `${path}:${name}${seen > 1 ? `#${seen}` : ''}`, lines });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles() {
  return INCLUDE.flatMap((pattern) => ts.sys.readDirectory(root, EXTENSIONS, undefined, [pattern]))
    .map((file) => relative(root, file))
    .filter((file) => !EXCLUDE.test(`/${file}`))
    .sort();
}

function main() {
  const found = sourceFiles().flatMap((file) => violationsOf(file, readFileSync(`${root}${file}`, 'utf8')));
  if (process.argv.includes('--update')) {
    const entries = Object.fromEntries(found.map((v) => [v.key, v.lines]));
    writeFileSync(baselinePath, `${JSON.stringify(entries, null, 2)}\n`);
    console.log(`check-limits: wrote ${found.length} known violations to known-limit-violations.json`);
    return;
  }
  const known = JSON.parse(readFileSync(baselinePath, 'utf8'));
  const report = compare(found, known);
  for (const line of report.lines)
    (line.startsWith('known') || line.startsWith('fixed') ? console.log : console.error)(line);
  console.log(
    `check-limits: ${found.length} over the limits (${report.failures} new or grown); files ≤ ${MAX_FILE_LINES} lines, functions ≤ ${MAX_FUNCTION_LINES}`,
  );
  if (report.failures > 0) process.exitCode = 1;
}

/**
 * Found violations against the baseline (key → lines when listed): a known one passes while it does not grow;
 * a new one, or one longer than listed, fails. Listed entries now within the limits are reported as fixed.
 */
export function compare(found, known) {
  const limitOf = (key) => (key.includes(':') ? MAX_FUNCTION_LINES : MAX_FILE_LINES);
  const lines = [];
  let failures = 0;
  for (const v of found) {
    const listed = known[v.key];
    const what = `${v.key}: ${v.lines} lines (limit ${limitOf(v.key)})`;
    if (listed === undefined) {
      failures++;
      lines.push(`NEW     ${what}`);
    } else if (v.lines > listed) {
      failures++;
      lines.push(`GREW    ${what}, listed at ${listed}: a known violation may shrink, never grow`);
    } else lines.push(`known   ${what}`);
  }
  for (const key of Object.keys(known).filter((key) => !found.some((v) => v.key === key))) {
    lines.push(`fixed   ${key}: within the limits now: remove it from known-limit-violations.json`);
  }
  return { lines, failures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
