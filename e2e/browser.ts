import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (no browser downloads here); CHROMIUM_PATH overrides. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
/** In CI the browser is installed by .ci/run, so a missing one is a failure there, a skip elsewhere. */
export const skipBrowserTests = !hasChromium && process.env.CI !== 'true';

export const screenshotDir = fileURLToPath(new URL('./screenshots/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  if (!hasChromium) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium`);
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Without the background-networking flags Chromium keeps trying Google's hosts on this closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

export function screenshotPath(name: string): string {
  return join(screenshotDir, `${name}.png`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2 A/AA rules on the page as it is: the violations, one line each. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP does not stop the script.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const { axe } = window as unknown as { axe: typeof import('axe-core') };
    const results = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return results.violations.map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(' '))
          .join(', ')}`,
    );
  });
}

/** The emulator's consent screen, as a user goes through it: pick the account, Allow. */
export async function signInThroughConsent(page: Page, url: string, email: string) {
  await page.goto(url);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await page.getByRole('radio', { name: new RegExp(email) }).check();
  await page.getByRole('button', { name: /allow/i }).first().click();
  await page.waitForURL(/\/inbox$/);
}
