import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../apps/api/src/config.ts';
import { launchChromium, screenshotPath, skipBrowserTests } from './browser.ts';
import { type RunningProduct, startProduct } from './server.ts';

const OPS = 'ops@example.com';
const USER = 'user@example.com';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2 A/AA rules on the page as it is: the violations, one line each. */
async function accessibilityViolations(page: Page): Promise<string[]> {
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
async function signIn(page: Page, url: string, email: string) {
  await page.goto(url);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await page.getByRole('radio', { name: new RegExp(email) }).check();
  await page.getByRole('button', { name: /allow/i }).first().click();
  await page.waitForURL(/\/inbox$/);
}

describe.skipIf(skipBrowserTests)('ops page in Chromium', () => {
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    // Gmail's quota on a clock ten times faster (6 s for Google's minute), on both sides: a few batches in seconds.
    const windowMs = 6000;
    const defaults = loadConfig({ LOG_LEVEL: 'silent' });
    product = await startProduct(
      {
        accounts: [
          { email: OPS, mailboxSize: 2500 },
          { email: USER, mailboxSize: 10 },
        ],
        quota: { windowMs },
      },
      {
        tasks: true,
        config: {
          ops: { emails: [OPS], token: undefined },
          backfill: { ...defaults.backfill, quotaWindowMs: windowMs },
        },
      },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('shows an ops user the jobs, totals and quota, and a job expanded to its batches', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, product.url, OPS);
    await expect
      .poll(() => page.getByTestId('progress').getAttribute('data-state'), { timeout: 60_000 })
      .toBe('complete');

    await page.goto(`${product.url}/ops`);
    const job = page
      .getByTestId('ops-job-row')
      .filter({ hasText: OPS })
      .filter({ hasText: 'gmail backfill' });
    await job.waitFor();
    await expect.poll(() => job.textContent()).toContain('complete');
    await expect.poll(() => page.getByTestId('ops-messages').textContent()).not.toBe('0');
    expect(await page.getByRole('heading', { name: 'Gmail quota use' }).isVisible()).toBe(true);

    const toggle = job.getByRole('button', { name: /batches of/i });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const batches = page.getByTestId('ops-batch-row');
    await batches.first().waitFor();
    // 2,500 messages: the first page, then 1,000-id batches (batch 0 `high`, the rest `low`).
    expect(await batches.count()).toBeGreaterThanOrEqual(2);
    const first = (await batches.first().locator('td').allTextContents()).map((cell) => cell.trim());
    expect(first.slice(0, 3)).toEqual(['0', 'high', 'done']);
    expect(await batches.nth(1).locator('td').nth(1).textContent()).toBe('low');
    await page.screenshot({ path: screenshotPath('ops-batches'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('tells a signed-in user without the ops role, and a visitor, why they see nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${product.url}/ops`);
    await page.getByRole('heading', { name: 'Sign in first' }).waitFor();

    await signIn(page, product.url, USER);
    await page.goto(`${product.url}/ops`);
    await page.getByRole('heading', { name: 'Ops role required' }).waitFor();
    expect(await page.getByTestId('ops-jobs').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('ops-forbidden') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
