/**
 * `npm run conformance -- <file.json>`: expands every case of a conformance file (format:
 * conformance/README.md), prints one line per failing case and `N passed, N failed`.
 * Exit code: 0 all passed, 1 some failed, 2 the file is unreadable or not a conformance file.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runConformanceText } from './conformance.ts';

async function main(argv: string[]): Promise<number> {
  const file = argv[0];
  if (!file || argv.length > 1) {
    console.error('usage: npm run conformance -- <cases.json>');
    return 2;
  }
  // npm runs scripts from the package root; a relative path means the caller's directory.
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    console.error(
      `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return 2;
  }
  const outcome = runConformanceText(text, path);
  for (const line of outcome.lines) (outcome.exitCode === 2 ? console.error : console.log)(line);
  return outcome.exitCode;
}

process.exitCode = await main(process.argv.slice(2));
