import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath, skipBrowserTests } from './browser.ts';
import { type RunningProduct, startProduct } from './server.ts';

describe.skipIf(skipBrowserTests)('sign-in in Chromium', () => {
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    // Google-like latency, so the figure printed below means something.
    product = await startProduct({
      latency: 'google',
      accounts: [{ email: 'demo@example.com', mailboxSize: 2000 }],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('goes from "Continue with Google" through consent to the first emails on screen', async () => {
    const page = await browser.newPage();
    await page.goto(product.url);
    await page.getByRole('link', { name: 'Continue with Google' }).click();

    let callbackAt = 0;
    page.on('request', (request) => {
      if (request.url().includes('/auth/google/callback')) callbackAt = performance.now();
    });
    // The emulator's consent page, like Google's: approve.
    await page.getByRole('button', { name: /allow/i }).first().click();
    await page.waitForURL(/\/inbox$/);
    await page.getByTestId('email-row').first().waitFor();
    const firstRowMs = performance.now() - callbackAt;
    console.log(`time from callback request to first email row painted: ${Math.round(firstRowMs)} ms`);

    expect(await page.getByTestId('email-row').count()).toBeGreaterThanOrEqual(50);
    await expect.poll(() => page.getByTestId('progress').textContent()).toMatch(/of 2,000 messages/);
    await page.screenshot({ path: screenshotPath('inbox-first-page'), fullPage: false });
  });

  it("serves React's production build even when the tests built it", async () => {
    // The build is made from inside vitest (NODE_ENV=test); a development React would be 1.5× the bytes.
    const html = await (await fetch(product.url)).text();
    const script = /<script type="module"[^>]* src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const bundle = await (await fetch(new URL(script!, product.url))).text();
    expect(bundle.length).toBeGreaterThan(50_000);
    expect(bundle).not.toContain('Each child in a list should have a unique');
  });
});
