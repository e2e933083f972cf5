import { CalendarRangeResponse, type SeriesEvent } from '@firstlight/contracts';
import { expand, toLocalDateTime } from '@firstlight/recurrence';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath, skipBrowserTests } from './browser.ts';
import { type RunningProduct, startProduct } from './server.ts';

// A fixed "now" for the emulator's generated calendar, so the same series exist on every run.
const ANCHOR = Date.UTC(2026, 0, 15);
const DST_ZONES = ['America/New_York', 'Europe/Berlin', 'Europe/London'];
// Months holding a DST change in those zones, around the anchor.
const DST_MONTHS = ['2026-03', '2026-10', '2026-11', '2025-03', '2025-10', '2025-11'];

interface DstPair {
  series: SeriesEvent;
  month: string;
  before: { originalStart: string; start: Date };
  after: { originalStart: string; start: Date };
}

/** A weekly series whose consecutive occurrences keep their wall-clock time while the UTC offset changes. */
function findDstPair(events: SeriesEvent[], month: string): DstPair | undefined {
  const from = new Date(`${month}-01T00:00:00Z`);
  const to = new Date(from.getTime() + 31 * 86_400_000);
  for (const series of events) {
    if (!series.tzid) continue;
    const occurrences = expand(
      {
        dtstart: series.dtstart,
        tzid: series.tzid,
        durationMs: series.durationMs,
        recurrence: series.recurrence,
        exceptions: series.exceptions,
      },
      from,
      to,
    ).filter((o) => !o.isException);
    for (let i = 1; i < occurrences.length; i++) {
      const a = occurrences[i - 1]!;
      const b = occurrences[i]!;
      const sameWallClock =
        toLocalDateTime(a.start, series.tzid).slice(11) === toLocalDateTime(b.start, series.tzid).slice(11);
      const offsetChanged = a.start.toISOString().slice(11, 19) !== b.start.toISOString().slice(11, 19);
      // Both inside the month itself, so they are in the grid whatever the weekday of the 1st.
      if (sameWallClock && offsetChanged && b.start < to) return { series, month, before: a, after: b };
    }
  }
  return undefined;
}

describe.skipIf(skipBrowserTests)('calendar in Chromium', () => {
  let product: RunningProduct;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    product = await startProduct(
      {
        latency: 'none',
        autoApprove: true,
        anchor: ANCHOR,
        accounts: [{ email: 'calendar@example.com', mailboxSize: 40 }],
      },
      // The calendar sync runs as a task, as under `npm start`.
      { tasks: true },
    );
    browser = await launchChromium();
    // en-GB: 24-hour times, so the page's text compares with the engine's wall clock directly.
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    await page.goto(product.url);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await page.waitForURL(/\/inbox$/);
    // The first sync is triggered by the sign-in: wait for series rows in the database.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { n } = await product.database.db
        .selectFrom('calendar_events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('kind', '=', 'series')
        .executeTakeFirstOrThrow();
      if (Number(n) > 0) break;
      if (Date.now() > deadline) throw new Error('the calendar sync stored no series within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await product?.close();
  });

  it('shows a weekly series at the same local time across DST, cancels one occurrence for good, jumps 10 years', async () => {
    // Candidates from the database: timed weekly series in zones that observe DST.
    const rows = await product.database.db
      .selectFrom('calendar_events')
      .select(['id'])
      .where('kind', '=', 'series')
      .where('all_day', '=', false)
      .where('status', '=', 'confirmed')
      .where('tzid', 'in', DST_ZONES)
      .execute();
    const candidateIds = new Set(rows.map((row) => row.id));
    expect(candidateIds.size).toBeGreaterThan(0);

    await page.goto(`${product.url}/calendar`);
    await page.getByTestId('calendar-heading').waitFor();

    let pair: DstPair | undefined;
    for (const month of DST_MONTHS) {
      const from = new Date(`${month}-01T00:00:00Z`).toISOString();
      const to = new Date(Date.parse(from) + 32 * 86_400_000).toISOString();
      // The same response the page gets, read through the shared contract.
      const body = await page.evaluate(
        async (url) => (await fetch(url)).json(),
        `/api/calendar/events?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      );
      const weekly = CalendarRangeResponse.parse(body).events.filter(
        (event): event is SeriesEvent =>
          event.kind === 'series' &&
          candidateIds.has(event.id) &&
          event.recurrence.some((line) => line.startsWith('RRULE:') && line.includes('FREQ=WEEKLY')),
      );
      pair = findDstPair(weekly, month);
      if (pair) break;
    }
    if (!pair) throw new Error('no weekly series crosses a DST change in the generated calendar');
    const { series, month, before, after } = pair;
    console.log(
      `DST series "${series.summary}" (${series.tzid}, ${series.recurrence[0]}): ${before.originalStart} → ${after.originalStart}`,
    );

    // Navigate with the page's own controls: month and year pickers, then the zone select.
    await page.getByRole('combobox', { name: 'Year', exact: true }).selectOption(month.slice(0, 4));
    await page
      .getByRole('combobox', { name: 'Month', exact: true })
      .selectOption(String(Number(month.slice(5, 7))));
    await page.getByRole('combobox', { name: /Time zone/ }).selectOption(series.tzid!);
    await page.getByRole('button', { name: 'Month', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('zone')).toBe(series.tzid);

    const chip = (originalStart: string) =>
      page.locator(`[data-event-id="${series.id}"][data-original-start="${originalStart}"]`);
    await chip(before.originalStart).first().waitFor();
    await chip(after.originalStart).first().waitFor();
    const beforeTime = await chip(before.originalStart).first().locator('time').textContent();
    const afterTime = await chip(after.originalStart).first().locator('time').textContent();
    console.log(`local times either side of the DST change: ${beforeTime} / ${afterTime}`);
    const wallClock = toLocalDateTime(before.start, series.tzid!).slice(11, 16);
    expect(beforeTime).toBe(wallClock);
    expect(afterTime).toBe(wallClock);
    await page.screenshot({ path: screenshotPath('calendar-dst-month') });

    // Cancel the occurrence after the change through the dialog.
    await chip(after.originalStart).first().click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent()).toBeTruthy();
    await dialog.getByRole('button', { name: 'Cancel this occurrence' }).click();
    await expect.poll(() => chip(after.originalStart).count()).toBe(0);
    await expect.poll(() => dialog.count()).toBe(0);
    await page.screenshot({ path: screenshotPath('calendar-after-cancel') });

    // Stays gone after a reload (the URL keeps the month and zone).
    await page.reload();
    await chip(before.originalStart).first().waitFor();
    expect(await chip(after.originalStart).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);

    // Ten years ahead with the year picker: time from the choice to the new month painted with its data.
    const target = String(Number(month.slice(0, 4)) + 10);
    const startedAt = performance.now();
    await page.getByRole('combobox', { name: 'Year', exact: true }).selectOption(target);
    await page.waitForFunction(
      (year) =>
        document.querySelector('[data-testid="calendar-heading"]')?.textContent?.includes(year) &&
        document.querySelector('.cal-status')?.textContent === '' &&
        document.querySelectorAll('[data-testid="occurrence"]').length > 0,
      target,
    );
    const jumpMs = performance.now() - startedAt;
    console.log(
      `10-year jump (${month} → ${target}): ${Math.round(jumpMs)} ms to the month painted with its occurrences`,
    );
    await page.screenshot({ path: screenshotPath('calendar-ten-years-ahead') });

    // Phone width, same session: without a `view` in the URL the agenda is the default there.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${product.url}/calendar?date=${month}-15&zone=${encodeURIComponent(series.tzid!)}`);
    await page.getByRole('list', { name: /Agenda/ }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: screenshotPath('calendar-agenda-phone'), fullPage: false });
  }, 120_000);
});
