import { loadConfig } from '@firstlight/api';
import { MeResponse } from '@firstlight/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, launchChromium, screenshotPath, skipBrowserTests } from './browser.ts';
import { ANCHOR } from './calendar-fixtures.ts';
import { type RunningProduct, startProduct } from './server.ts';

/**
 * Issue 16's proof of the provider port, as a person uses it: sign in with one Google account, add a second
 * from the account menu, and see both mailboxes (merged, each row labelled), one progress bar per account
 * reaching complete, and both calendars.
 */
const FIRST = 'first@example.com';
const SECOND = 'second@example.com';
// Different mailboxes (their own seeds: other senders and subjects) and, per account, one all-day event in the
// anchor's month (January 2026) with a name only that account's calendar has.
const ACCOUNTS = [
  { email: FIRST, mailboxSize: 300, event: { summary: 'Offsite of the first account', date: '2026-01-13' } },
  {
    email: SECOND,
    mailboxSize: 200,
    event: { summary: 'Dentist of the second account', date: '2026-01-21' },
  },
];

interface OracleMessage {
  subject: string;
}

describe.skipIf(skipBrowserTests)('several Google accounts in Chromium', () => {
  let product: RunningProduct;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** What the emulator holds, per account: message id → subject (the oracle the page is compared with). */
  const mailboxes = new Map<string, Map<string, OracleMessage>>();

  /** Every inbox message of the account, read from the emulator's own Gmail (no quota, no product code). */
  const mailboxOf = (email: string) => {
    const messages = new Map<string, OracleMessage>();
    let pageToken: string | undefined;
    do {
      const listed = product.emulator.admin.gmail.list(email, { maxResults: 500, pageToken });
      for (const { id } of listed.messages ?? []) {
        const message = product.emulator.admin.gmail.get(email, id, {
          format: 'metadata',
          metadataHeaders: ['Subject'],
        });
        const subject = message.payload?.headers?.find((header) => header.name === 'Subject')?.value;
        messages.set(id, { subject: subject ?? '' });
      }
      pageToken = listed.nextPageToken;
    } while (pageToken);
    return messages;
  };

  /** An event put in the account's primary calendar "elsewhere" (as another client would), before sign-in. */
  const insertAllDay = async (email: string, summary: string, date: string) => {
    const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const response = await fetch(
      `${product.emulator.url}/admin/calendar/${encodeURIComponent(email)}/calendars/primary/events`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ summary, start: { date }, end: { date: next } }),
      },
    );
    if (response.status !== 200)
      throw new Error(`insert ${summary}: ${response.status} ${await response.text()}`);
  };

  const accountMenu = () => page.locator('details.account-menu');
  const openAccountMenu = async () => {
    if (!(await accountMenu().evaluate((details) => (details as HTMLDetailsElement).open)))
      await page.locator('summary.account-summary').click();
  };
  const listedAccounts = () =>
    page.getByRole('list', { name: 'Connected accounts' }).locator('.account-email').allTextContents();

  beforeAll(async () => {
    // Gmail's quota on a clock ten times faster (6 s for Google's minute) on both sides, as in the inbox test.
    const windowMs = 6000;
    product = await startProduct(
      {
        seed: 16,
        anchor: ANCHOR,
        // No autoApprove: the consent page is where a person chooses which Google account to connect.
        accounts: ACCOUNTS.map(({ email, mailboxSize }) => ({ email, mailboxSize })),
        quota: { windowMs },
      },
      {
        tasks: true,
        config: { backfill: { ...loadConfig({ LOG_LEVEL: 'silent' }).backfill, quotaWindowMs: windowMs } },
      },
    );
    for (const { email, event } of ACCOUNTS) {
      mailboxes.set(email, mailboxOf(email));
      await insertAllDay(email, event.summary, event.date);
    }
    browser = await launchChromium();
    // en-GB and a fixed zone: the calendar's days are the ones the events were put on.
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    page = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('has two different mailboxes to show (the oracle)', () => {
    const first = mailboxes.get(FIRST)!;
    const second = mailboxes.get(SECOND)!;
    // The inbox leaves spam and trash out (messages.list's default), so a little under the mailbox sizes.
    expect(first.size).toBeGreaterThan(ACCOUNTS[0]!.mailboxSize * 0.9);
    expect(second.size).toBeGreaterThan(ACCOUNTS[1]!.mailboxSize * 0.9);
    const subjects = (box: Map<string, OracleMessage>) => [...box.values()].map((message) => message.subject);
    expect(subjects(first)).not.toEqual(subjects(second));
  });

  it('signs in with the first account, then adds the second through the account menu and the consent page', async () => {
    await page.goto(product.url);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await page.getByRole('radio', { name: new RegExp(FIRST) }).check();
    await page.getByRole('button', { name: /allow/i }).first().click();
    await page.waitForURL(/\/inbox$/);
    await page.getByTestId('email-row').first().waitFor();
    // One account: one bar, named by no address, and no account label on the rows.
    expect(await page.getByTestId('progress').count()).toBe(1);
    expect(await page.getByTestId('progress').getAttribute('data-account')).toBeNull();
    expect(await page.getByTestId('email-row').locator('.account').count()).toBe(0);

    await openAccountMenu();
    expect(await listedAccounts()).toEqual([FIRST]);
    await page.getByRole('link', { name: 'Add another Google account' }).click();
    // The emulator's consent page lists every account it knows: the person picks the second one.
    await page.getByRole('radio', { name: new RegExp(SECOND) }).check();
    await page.getByRole('button', { name: /allow/i }).first().click();
    await page.waitForURL(/\/inbox$/);
    await page.getByTestId('email-row').first().waitFor();

    await openAccountMenu();
    await expect.poll(listedAccounts).toEqual([FIRST, SECOND]);
    await page.screenshot({ path: screenshotPath('multi-account-menu') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
  }, 60_000);

  it('shows one progress bar per account, each reaching complete with its own mailbox size', async () => {
    const bars = page.getByTestId('progress');
    await expect
      .poll(() => bars.evaluateAll((all) => all.map((bar) => bar.dataset.account)))
      .toEqual([FIRST, SECOND]);
    for (const email of [FIRST, SECOND]) {
      const bar = page.locator(`[data-testid="progress"][data-account="${email}"]`);
      await expect
        .poll(() => bar.getAttribute('data-state'), { timeout: 120_000, interval: 100 })
        .toBe('complete');
      const total = mailboxes.get(email)!.size.toLocaleString('en-GB');
      expect(await bar.locator('.progress-text').textContent()).toMatch(
        new RegExp(`^${total} of ${total} messages`),
      );
      const meter = page.getByRole('progressbar', { name: `Mailbox sync of ${email}` });
      expect(await meter.getAttribute('aria-valuenow')).toBe('100');
    }
  }, 150_000);

  it("merges both mailboxes in the inbox, each row labelled with its account and holding that account's message", async () => {
    const me = MeResponse.parse(await page.evaluate(async () => (await fetch('/api/me')).json()));
    const emailOf = new Map(me.accounts.map((account) => [account.id, account.email]));
    await page.reload();
    await page.getByTestId('email-row').first().waitFor();
    const rows = await page.getByTestId('email-row').evaluateAll((all) =>
      all.map((row) => ({
        domId: row.id,
        accountId: row.getAttribute('data-account-id') ?? '',
        label: row.querySelector('.account')?.textContent ?? null,
        subject: row.querySelector('.subject')?.textContent ?? '',
      })),
    );
    expect(rows.length).toBeGreaterThan(10);
    const seen = new Set<string>();
    for (const row of rows) {
      const email = emailOf.get(row.accountId);
      expect(email, row.domId).toBeDefined();
      seen.add(email!);
      expect(row.label, row.domId).toBe(email);
      const messageId = row.domId.slice(`email-${row.accountId}-`.length);
      const message = mailboxes.get(email!)?.get(messageId);
      expect(message, `${row.domId} is a message of ${email}`).toBeDefined();
      expect(row.subject).toBe(message!.subject || '(no subject)');
    }
    // Merged newest first, not one mailbox after the other: the rows on screen hold both.
    expect(seen).toEqual(new Set([FIRST, SECOND]));
    await page.screenshot({ path: screenshotPath('multi-account-inbox') });
    expect(await accessibilityViolations(page)).toEqual([]);
  }, 60_000);

  it("shows both accounts' events on the calendar", async () => {
    await page.goto(`${product.url}/calendar?date=2026-01-15&view=month&zone=Europe/London`);
    await page.getByTestId('calendar-heading').waitFor();
    // The calendar syncs run as tasks after each sign-in: reload until both events have arrived.
    for (const { event } of ACCOUNTS) {
      const chip = page.getByTestId('occurrence').filter({ hasText: event.summary });
      await expect
        .poll(
          async () => {
            if ((await chip.count()) > 0) return true;
            await page.reload();
            await page.getByTestId('calendar-heading').waitFor();
            return (await chip.count()) > 0;
          },
          { timeout: 90_000, interval: 500 },
        )
        .toBe(true);
    }
    // Each shows on its own day, and the generated events of both calendars are there too.
    for (const { event } of ACCOUNTS) {
      const day = page.locator(`td[data-date="${event.date}"]`);
      expect(await day.getByTestId('occurrence').filter({ hasText: event.summary }).count()).toBe(1);
    }
    const { db } = product.database;
    const accountOfEvent = new Map(
      (
        await db
          .selectFrom('calendar_events')
          .innerJoin('accounts', 'accounts.id', 'calendar_events.account_id')
          .select(['calendar_events.id', 'accounts.email'])
          .execute()
      ).map((row) => [row.id, row.email]),
    );
    const shown = await page
      .getByTestId('occurrence')
      .evaluateAll((all) => all.map((chip) => chip.getAttribute('data-event-id') ?? ''));
    expect(new Set(shown.map((id) => accountOfEvent.get(id)))).toEqual(new Set([FIRST, SECOND]));
    await page.screenshot({ path: screenshotPath('multi-account-calendar') });
    expect(await accessibilityViolations(page)).toEqual([]);
  }, 120_000);

  it('lists both accounts on /api/me, called with the browser’s session cookie, each complete', async () => {
    const cookie = (await context.cookies(product.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    const response = await fetch(`${product.url}/api/me`, { headers: { cookie } });
    expect(response.status).toBe(200);
    const me = MeResponse.parse(await response.json());
    expect(me.user.email).toBe(FIRST);
    expect(me.accounts.map((account) => account.email)).toEqual([FIRST, SECOND]);
    for (const account of me.accounts) {
      expect(account.ingestion, account.email).toMatchObject({
        accountId: account.id,
        status: 'complete',
        total: mailboxes.get(account.email)?.size,
        ingested: mailboxes.get(account.email)?.size,
      });
    }
    // One user owns both accounts in the database.
    const owners = await product.database.db
      .selectFrom('accounts')
      .select(['email', 'user_id'])
      .orderBy('created_at')
      .execute();
    expect(owners.map((owner) => owner.email)).toEqual([FIRST, SECOND]);
    expect(new Set(owners.map((owner) => owner.user_id)).size).toBe(1);
  });
});
