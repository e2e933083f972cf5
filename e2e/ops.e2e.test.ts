import { loadConfig, recordIngestFailures } from '@firstlight/api';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  launchChromium,
  screenshotPath,
  signInThroughConsent as signIn,
  skipBrowserTests,
} from './browser.ts';
import { type RunningProduct, startProduct } from './server.ts';

const OPS = 'ops@example.com';
const USER = 'user@example.com';

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

    // The inbox links an ops user to the ops page, and the ops page links back.
    await page.getByRole('link', { name: 'Ops' }).click();
    await page.waitForURL(/\/ops$/);
    const job = page
      .getByTestId('ops-job-row')
      .filter({ hasText: OPS })
      .filter({ hasText: 'gmail backfill' });
    await job.waitFor();
    await expect.poll(() => job.textContent()).toContain('complete');
    await expect.poll(() => page.getByTestId('ops-messages').textContent()).not.toBe('0');
    expect(await page.getByRole('heading', { name: 'Gmail quota use' }).isVisible()).toBe(true);
    // The deployment's quota (from the database): units per stored message once the mailbox is in.
    const quota = page.getByRole('region', { name: 'Google quota' });
    await quota.waitFor();
    await expect.poll(() => page.getByTestId('ops-units-per-message').textContent()).not.toBe('—');
    expect(await quota.getByRole('table', { name: 'Project limit and today’s budget' }).isVisible()).toBe(
      true,
    );

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
    // A message Google sent without a usable id, as the ingestion records it: listed by id and reason, no content.
    const owner = await product.database.db
      .selectFrom('accounts')
      .select(['id as accountId', 'user_id as userId'])
      .where('email', '=', OPS)
      .executeTakeFirstOrThrow();
    await recordIngestFailures(product.database.db, owner, 'gmail', [
      { itemId: 'bad\u0000id', reason: 'id: expected a Gmail id' },
    ]);
    const failures = page.getByTestId('ops-ingest-failures');
    await expect.poll(() => failures.textContent(), { timeout: 30_000 }).toContain('id: expected a Gmail id');
    expect(await failures.locator('code').allTextContents()).toContain('badid');
    await page.screenshot({ path: screenshotPath('ops-batches'), fullPage: true });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('navigation', { name: 'Firstlight' }).getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL(/\/inbox$/);
    await page.getByTestId('email-row').first().waitFor();
    await context.close();
  }, 90_000);

  it('tells a signed-in user without the ops role, and a visitor, why they see nothing', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${product.url}/ops`);
    await page.getByRole('heading', { name: 'Sign in first' }).waitFor();

    await signIn(page, product.url, USER);
    // /api/me has answered once the account shows; only then does the absent link mean something.
    await expect.poll(() => page.locator('.who').textContent()).toBe(USER);
    expect(await page.getByRole('link', { name: 'Ops' }).count()).toBe(0);
    await page.goto(`${product.url}/ops`);
    await page.getByRole('heading', { name: 'Ops role required' }).waitFor();
    expect(await page.getByTestId('ops-jobs').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('ops-forbidden') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  });
});
