import { hasChromium, launchChromium } from '../e2e/browser.ts';
// @ts-expect-error: a plain .mjs script without types
import { ensureWebBuild } from '../scripts/ensure-web-build.mjs';

/**
 * Time to first data as a person sees it: in Chromium, from the OAuth callback request to the first email row
 * painted in the inbox (the SPA's load included), one fresh browser context per sign-in. Undefined without
 * Chromium.
 */
export async function firstRowPaintMs(baseUrl: string, emails: string[]): Promise<number[] | undefined> {
  if (!hasChromium) return undefined;
  (ensureWebBuild as () => boolean)();
  const browser = await launchChromium();
  try {
    const timings: number[] = [];
    for (const email of emails) {
      const context = await browser.newContext();
      const page = await context.newPage();
      let callbackAt = 0;
      page.on('request', (request) => {
        if (request.url().includes('/auth/google/callback')) callbackAt = performance.now();
      });
      // The emulator auto-approves, so this redirects through consent and the callback to /inbox.
      await page.goto(`${baseUrl}/auth/google?login_hint=${encodeURIComponent(email)}`);
      await page.getByTestId('email-row').first().waitFor();
      timings.push(performance.now() - callbackAt);
      await context.close();
    }
    return timings;
  } finally {
    await browser.close();
  }
}
