import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, skipBrowserTests } from './browser.ts';
import { type RunningProduct, startProduct } from './server.ts';

/**
 * The SPA under its Content-Security-Policy and the cross-origin check, in a real browser: a CSP violation
 * breaks a page silently (a blocked script or socket is only a console line), so this watches for them.
 */
describe.skipIf(skipBrowserTests)('the SPA under the security headers, in Chromium', () => {
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    product = await startProduct(
      { latency: 'none', autoApprove: true, accounts: [{ email: 'csp@example.com', mailboxSize: 300 }] },
      { tasks: true },
    );
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('signs in, shows the inbox (live over the WebSocket) and the calendar, signs out: no CSP violation, no error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      // Failed requests are listed below, by URL.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${message.text()}`);
      }
    });
    const failed = new Set<string>();
    page.on('response', (response) => {
      if (response.status() >= 400) failed.add(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    // Violations are reported to the page as events too, with the directive that blocked what.
    await page.exposeFunction('reportViolation', (text: string) => problems.push(`csp: ${text}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const report = (window as unknown as { reportViolation(text: string): void }).reportViolation;
        report(`${event.violatedDirective} blocked ${event.blockedURI}`);
      });
    });
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));

    const first = await page.goto(product.url);
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await page.waitForURL(/\/inbox$/);
    await page.getByTestId('email-row').first().waitFor();
    // The backfill's progress arrives over the WebSocket (connect-src) until the whole mailbox is in.
    await expect
      .poll(() => page.getByTestId('progress').textContent(), { timeout: 60_000 })
      .toMatch(/complete/);
    expect(sockets).toEqual([`${product.url.replace('http', 'ws')}/ws`]);

    await page.goto(`${product.url}/calendar`);
    await page.waitForLoadState('networkidle');
    await page.goto(`${product.url}/inbox`);
    await page.getByTestId('email-row').first().waitFor();

    // The page's own POST passes the cross-origin check.
    const logout = page.waitForResponse((response) => response.url().endsWith('/auth/logout'));
    // Sign-out sits in the shell's account menu (a disclosure): open it first, as a user would.
    await page.locator('summary.account-summary').click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    expect((await logout).status()).toBe(204);
    await page.waitForURL((url) => url.pathname === '/');

    expect(problems).toEqual([]);
    // Only the sign-in page's question who is signed in (nobody, before and after).
    expect([...failed]).toEqual(['401 /api/me']);
  }, 120_000);
});
