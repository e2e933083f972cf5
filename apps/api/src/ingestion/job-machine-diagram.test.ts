import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { batchDiagram, jobDiagram } from './job-machine-diagram.ts';

/**
 * ARCHITECTURE.md shows the state machine as the code runs it. When the machine changes, regenerate the
 * diagrams with `UPDATE_DIAGRAMS=1 npx vitest run apps/api/src/ingestion/job-machine-diagram.test.ts`.
 */
const ARCHITECTURE = new URL('../../../../ARCHITECTURE.md', import.meta.url);

const block = (name: string, diagram: string) =>
  `<!-- ${name}:start -->\n\`\`\`mermaid\n${diagram}\n\`\`\`\n<!-- ${name}:end -->`;

function withDiagrams(text: string): string {
  return text
    .replace(/<!-- job-diagram:start -->[\s\S]*?<!-- job-diagram:end -->/, block('job-diagram', jobDiagram()))
    .replace(
      /<!-- batch-diagram:start -->[\s\S]*?<!-- batch-diagram:end -->/,
      block('batch-diagram', batchDiagram()),
    );
}

describe('the state machine diagrams', () => {
  it('draw every status change the machine allows, and nothing else', () => {
    const job = jobDiagram();
    expect(job).toContain('listing --> running : progress');
    expect(job).toContain('running --> complete : check-complete');
    expect(job).toContain('paused --> running : resumed');
    // Terminal states have no way out, and a paused job completes only after the user signs in again.
    expect(job).not.toMatch(/ complete --> (?!\[\*\])/);
    expect(job).not.toContain('paused --> complete');
    const batch = batchDiagram();
    expect(batch).toContain('running --> done : complete');
    expect(batch).not.toMatch(/ done --> (?!\[\*\])/);
    // No event leads a batch into `failed`, so the walk never reaches it.
    expect(batch).not.toContain('failed');
  });

  it('are the ones in ARCHITECTURE.md', () => {
    const text = readFileSync(ARCHITECTURE, 'utf8');
    if (process.env.UPDATE_DIAGRAMS) writeFileSync(ARCHITECTURE, withDiagrams(text));
    expect(readFileSync(ARCHITECTURE, 'utf8')).toBe(withDiagrams(text));
  });
});
