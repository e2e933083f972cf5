import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { hasChromium, launchChromium } from '../e2e/browser.ts';
import type { ExpansionTimings } from './expansion-workload.ts';

/**
 * The same workload in Chromium: bundled for the browser by esbuild (as Vite would ship it), run in a blank page.
 * Undefined when there is no Chromium here.
 */
export async function expansionInChromium(): Promise<ExpansionTimings | undefined> {
  if (!hasChromium) return undefined;
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./expansion-workload.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'expansionWorkload',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    logLevel: 'error', // rrule's dual-package interop warnings are harmless here
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>expansion</title>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    page.on('crash', () => console.error('the Chromium page crashed'));
    return await page.evaluate(() =>
      (
        globalThis as unknown as {
          expansionWorkload: {
            runExpansionWorkload(runs: { tenYears: number; month: number }): ExpansionTimings;
          };
        }
      ).expansionWorkload.runExpansionWorkload({ tenYears: 3, month: 3 }),
    );
  } finally {
    await browser.close();
  }
}
