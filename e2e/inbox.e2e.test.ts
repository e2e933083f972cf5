import { loadConfig } from '@firstlight/api';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  launchChromium,
  screenshotPath,
  signInThroughConsent as signIn,
  skipBrowserTests,
} from './browser.ts';
import { type RunningProduct, startProduct } from './server.ts';

const SMALL = 'small@example.com';
const LARGE = 'large@example.com';
const LARGE_ROWS = 20_000;

describe.skipIf(skipBrowserTests)('inbox in Chromium', () => {
  let product: RunningProduct;
  let browser: Browser;

  beforeAll(async () => {
    // The real backfill on the embedded queue, without Google's latency, and Gmail's quota on a clock ten times
    // faster (6 s for Google's minute) on both sides: a small mailbox completes in seconds.
    const windowMs = 6000;
    product = await startProduct(
      {
        accounts: [
          { email: SMALL, mailboxSize: 600 },
          { email: LARGE, mailboxSize: 10 },
        ],
        quota: { windowMs },
      },
      {
        tasks: true,
        config: { backfill: { ...loadConfig({ LOG_LEVEL: 'silent' }).backfill, quotaWindowMs: windowMs } },
      },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('shows the progress bar reaching 100 % on a 600-message mailbox, through a dropped socket', async () => {
    const context = await browser.newContext();
    // Pass the WebSocket through, keeping a handle on each connection so the test can drop one.
    const sockets: WebSocketRoute[] = [];
    await context.routeWebSocket(/\/ws$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    const page = await context.newPage();
    await signIn(page, product.url, SMALL);
    await page.getByTestId('email-row').first().waitFor();

    // Drop the socket mid-sync: the page reconnects on its own and resynchronises from the new snapshot.
    await expect.poll(() => sockets.length).toBeGreaterThan(0);
    await sockets[0]?.close({ code: 1011, reason: 'test drops the connection' });
    await expect.poll(() => sockets.length, { timeout: 10_000 }).toBeGreaterThan(1);

    const progress = page.getByTestId('progress');
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          const counted = /^([\d,]+)/.exec((await progress.textContent()) ?? '')?.[1];
          if (counted) seen.push(Number(counted.replace(/,/g, '')));
          return progress.getAttribute('data-state');
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe('complete');
    // The counter never went backwards, dropped socket included.
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const text = (await progress.textContent()) ?? '';
    const counts = /([\d,]+) of ([\d,]+) messages/.exec(text);
    expect(counts?.[1]).toBe(counts?.[2]);
    expect(Number(counts?.[2]?.replace(/,/g, ''))).toBeGreaterThan(500);
    expect(text).toContain('complete');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await page.screenshot({ path: screenshotPath('inbox-progress-complete') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('scrolls through 20,000 rows by cursor, keeping the DOM small; newer mail waits behind a button', async () => {
    const context = await browser.newContext();
    const sockets: WebSocketRoute[] = [];
    await context.routeWebSocket(/\/ws$/, (socket) => {
      socket.connectToServer();
      sockets.push(socket);
    });
    const page = await context.newPage();
    await signIn(page, product.url, LARGE);
    await page.getByTestId('email-row').first().waitFor();

    // Rows straight into the table (faster than a 20,000-message backfill), all older than the emulator's mail.
    const { db } = product.database;
    const user = await db
      .selectFrom('accounts')
      .select(['user_id as id', 'id as accountId'])
      .where('email', '=', LARGE)
      .executeTakeFirstOrThrow();
    const oldest = Date.UTC(2001, 0, 1);
    const rows = Array.from({ length: LARGE_ROWS }, (_, i) => ({
      user_id: user.id,
      account_id: user.accountId,
      message_id: `bulk${String(i).padStart(5, '0')}`,
      thread_id: `bulk${i}`,
      internal_date: new Date(oldest + i * 60_000),
      from_addr: `Sender ${i} <sender${i}@example.com>`,
      to_addr: LARGE,
      subject: `Bulk message ${i}`,
      snippet: `Snippet of bulk message ${i}`,
      label_ids: ['INBOX'],
      size_estimate: 1000,
    }));
    for (let start = 0; start < rows.length; start += 2000) {
      await db
        .insertInto('emails')
        .values(rows.slice(start, start + 2000))
        .execute();
    }
    await page.reload();
    await page.getByTestId('email-row').first().waitFor();

    // Scroll to the bottom over and over: each time the list reaches its end it loads the next page by cursor.
    const list = page.getByTestId('email-list');
    const started = performance.now();
    await expect
      .poll(
        async () => {
          await list.evaluate((element) => {
            element.scrollTop = element.scrollHeight;
          });
          return page.locator('.list-footer').textContent();
        },
        { timeout: 120_000, interval: 50 },
      )
      .toMatch(/20,010 messages loaded · end of mailbox/);
    console.log(`scrolled through ${LARGE_ROWS + 10} rows in ${Math.round(performance.now() - started)} ms`);
    await list.evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });

    const last = page.getByRole('option', { name: /Bulk message 0\b/ });
    await last.waitFor();
    expect(await last.getAttribute('aria-posinset')).toBe(String(LARGE_ROWS + 10));
    const domRows = await page.getByTestId('email-row').count();
    expect(domRows).toBeLessThan(200);

    // Keyboard: Up moves the active row, Enter opens the pane with the message's headers.
    await list.focus();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const pane = page.getByTestId('message-pane');
    await expect.poll(() => pane.textContent()).toContain('Bulk message 1');
    await page.screenshot({ path: screenshotPath('inbox-20000-bottom') });
    expect(await accessibilityViolations(page)).toEqual([]);

    // Newer mail (as incremental sync would store it) does not move the list: a button offers it instead.
    // A reconnect's snapshot makes the page look for new rows, like an `emails_ready` event would.
    await db
      .insertInto('emails')
      .values({
        user_id: user.id,
        account_id: user.accountId,
        message_id: 'fresh0001',
        thread_id: 'fresh0001',
        internal_date: new Date(Date.now() + 86_400_000),
        from_addr: 'Fresh Sender <fresh@example.com>',
        to_addr: LARGE,
        subject: 'Fresh news',
        snippet: 'Just arrived',
        label_ids: ['INBOX'],
        size_estimate: 100,
      })
      .execute();
    const scrollTop = await list.evaluate((element) => element.scrollTop);
    await sockets.at(-1)?.close({ code: 1011, reason: 'test drops the connection' });
    const button = page.getByRole('button', { name: '1 new message' });
    await button.waitFor({ timeout: 15_000 });
    expect(await list.evaluate((element) => element.scrollTop)).toBe(scrollTop);
    expect(await pane.textContent()).toContain('Bulk message 1');
    await button.click();
    await page.getByRole('option', { name: /Fresh news/ }).waitFor();
    expect(await page.getByRole('option', { name: /Fresh news/ }).getAttribute('aria-posinset')).toBe('1');
    expect(await pane.textContent()).toContain('Bulk message 1');

    // A phone-sized viewport: the pane sits over the list, the list still scrolls.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.screenshot({ path: screenshotPath('inbox-phone') });
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();
  }, 180_000);
});
