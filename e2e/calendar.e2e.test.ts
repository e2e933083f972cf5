import { CalendarRangeResponse, type SeriesEvent, WritebackDto } from '@firstlight/contracts';
import { toInstant, toLocalDateTime } from '@firstlight/recurrence';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accessibilityViolations, launchChromium, screenshotPath, skipBrowserTests } from './browser.ts';
import {
  ANCHOR,
  DST_MONTHS,
  DST_ZONES,
  type DstPair,
  EMAIL,
  findDstPair,
  WEEK,
  type WeekOccurrence,
  weekOccurrences,
} from './calendar-fixtures.ts';
import { type RunningProduct, startProduct } from './server.ts';

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
  const weekUrl = () =>
    `${product.url}/calendar?date=${WEEK.monday}&view=week&zone=${encodeURIComponent(WEEK.zone)}`;
  const weekWindow = () => {
    const from = toInstant(`${WEEK.monday}T00:00:00`, WEEK.zone);
    return { from, to: new Date(from.getTime() + 7 * 86_400_000 + 3_600_000) };
  };
  /** The range endpoint as the page calls it, parsed with the shared contract. */
  const rangeEvents = async (from: Date, to: Date) =>
    CalendarRangeResponse.parse(
      await page.evaluate(
        async (url) => (await fetch(url)).json(),
        `/api/calendar/events?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`,
      ),
    ).events;
  const block = (occurrence: WeekOccurrence) =>
    page.locator(
      `.cal-wk [data-event-id="${occurrence.series.id}"][data-original-start="${occurrence.originalStart}"]`,
    );
  /** Fills the dialog's change form: a new title and a start `hours` later on the same wall-clock day. */
  const changeThroughDialog = async (occurrence: WeekOccurrence, title: string, hours: number) => {
    await block(occurrence).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Change this occurrence' }).click();
    const minute = occurrence.minute + hours * 60;
    const local = `${occurrence.day}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    await dialog.getByLabel('Title').fill(title);
    await dialog.getByLabel(/^Starts/).fill(local);
    const savedAt = performance.now();
    await dialog.getByRole('button', { name: 'Save this occurrence' }).click();
    return { minute, start: toInstant(`${local}:00`, WEEK.zone), hhmm: local.slice(11), savedAt };
  };
  const seriesRow = (id: string) =>
    product.database.db
      .selectFrom('calendar_events')
      .select(['exceptions', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const outboxCount = async () =>
    Number(
      (
        await product.database.db
          .selectFrom('writeback_outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('changes one occurrence of a series: moved at once, still moved after a reload, written back to Google', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const { from, to } = weekWindow();
    const [target] = weekOccurrences(await rangeEvents(from, to), from, to);
    if (!target)
      throw new Error(`no timed series occurrence between 08:00 and 16:00 in the week of ${WEEK.monday}`);
    console.log(
      `changing "${target.series.summary}" at ${target.originalStart} (${target.series.recurrence[0]})`,
    );

    await page.goto(weekUrl());
    await block(target).waitFor();
    expect(await block(target).getAttribute('data-start-minute')).toBe(String(target.minute));

    const title = 'Moved by the browser test';
    const moved = await changeThroughDialog(target, title, 2);
    // At once (optimistic): the same occurrence, two hours lower, renamed; its name carries the new time.
    await page.waitForFunction(
      ([selector, minute]) => document.querySelector(selector!)?.getAttribute('data-start-minute') === minute,
      [
        `.cal-wk [data-event-id="${target.series.id}"][data-original-start="${target.originalStart}"]`,
        String(moved.minute),
      ],
      { polling: 'raf' },
    );
    console.log(`change shown ${Math.round(performance.now() - moved.savedAt)} ms after the Save click`);
    expect(await block(target).locator('.cal-wk-title').textContent()).toBe(title);
    const name = new RegExp(`^${moved.hhmm} – \\d\\d:\\d\\d ${title}$`);
    expect(await page.getByRole('button', { name }).count()).toBe(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('calendar-occurrence-changed') });

    // Still moved after a reload: it came back from the API.
    await page.reload();
    await block(target).waitFor();
    expect(await block(target).getAttribute('data-start-minute')).toBe(String(moved.minute));
    expect(await block(target).locator('.cal-wk-title').textContent()).toBe(title);

    // The range endpoint holds the override under the occurrence's original start.
    const series = (await rangeEvents(from, to)).find((event) => event.id === target.series.id);
    if (series?.kind !== 'series') throw new Error('the series left the range');
    const override = series.exceptions.overrides[target.originalStart];
    expect(override?.summary).toBe(title);
    expect(Date.parse(String(override?.start))).toBe(moved.start.getTime());

    // Written back: the outbox entry is done and Google's instance has the new time and title.
    await expect
      .poll(
        async () => {
          const body = await page.evaluate(async () => (await fetch('/api/calendar/writebacks')).json());
          return z
            .object({ writebacks: z.array(WritebackDto) })
            .parse(body)
            .writebacks.find(
              (w) => w.operation === 'patch_occurrence' && w.googleEventId === target.series.googleEventId,
            )?.status;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe('done');
    const token = await product.emulator.admin.issueAccessToken(EMAIL);
    const instanceId = `${target.series.googleEventId}_${target.originalStart.replaceAll('-', '').replaceAll(':', '')}`;
    const response = await fetch(
      `${product.emulator.url}/calendar/v3/calendars/${encodeURIComponent(target.series.calendarId)}/events/${instanceId}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(200);
    const instance = (await response.json()) as { summary?: string; start?: { dateTime?: string } };
    expect(instance.summary).toBe(title);
    expect(Date.parse(instance.start?.dateTime ?? '')).toBe(moved.start.getTime());
  }, 90_000);

  it('rolls a refused change back: the occurrence returns, an alert says why, nothing changes on the server', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const { from, to } = weekWindow();
    const [target] = weekOccurrences(await rangeEvents(from, to), from, to);
    if (!target) throw new Error(`no unchanged timed occurrence left in the week of ${WEEK.monday}`);
    const rowBefore = await seriesRow(target.series.id);
    const outboxBefore = await outboxCount();

    // The API refuses the edit (as on a conflicting edit from elsewhere), but only once the test has seen the
    // optimistic move: the PATCH is held until `release()`, so no timing decides what the test observes. Only
    // the PATCH is intercepted; everything else reaches the real API.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let patchSeen = false;
    await page.route('**/api/calendar/series/*/occurrences/*', async (route) => {
      if (route.request().method() !== 'PATCH') return route.fallback();
      patchSeen = true;
      await released;
      return route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'conflict', message: 'the series changed meanwhile' } }),
      });
    });
    try {
      await page.goto(weekUrl());
      await block(target).waitFor();
      const title = await block(target).locator('.cal-wk-title').textContent();
      const moved = await changeThroughDialog(target, 'Refused title', 1);
      // Moved at once, while the server has not answered yet (the PATCH is held).
      await expect.poll(() => block(target).getAttribute('data-start-minute')).toBe(String(moved.minute));
      expect(await block(target).locator('.cal-wk-title').textContent()).toBe('Refused title');
      expect(await page.getByRole('alert').count()).toBe(0);
      await expect.poll(() => patchSeen).toBe(true);
      release();

      // Rolled back: at its old time with its old title, and an alert.
      await expect.poll(() => block(target).getAttribute('data-start-minute')).toBe(String(target.minute));
      expect(await block(target).locator('.cal-wk-title').textContent()).toBe(title);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/Could not change .*the series changed meanwhile.*undone/);
      await page.screenshot({ path: screenshotPath('calendar-change-rolled-back') });
    } finally {
      // Never leave a held request behind if an assertion above failed.
      release();
      await page.unroute('**/api/calendar/series/*/occurrences/*');
    }

    // Nothing changed server-side: same row, no write-back queued; a reload shows it where it was.
    const rowAfter = await seriesRow(target.series.id);
    expect(rowAfter.updated_at.getTime()).toBe(rowBefore.updated_at.getTime());
    expect(rowAfter.exceptions).toEqual(rowBefore.exceptions);
    expect(await outboxCount()).toBe(outboxBefore);
    await page.reload();
    await block(target).waitFor();
    expect(await block(target).getAttribute('data-start-minute')).toBe(String(target.minute));
    expect(await page.getByRole('alert').count()).toBe(0);
  }, 60_000);

  it('lays the week out as an hour grid: blocks in their hour rows and day columns, accessible, fits a phone', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const { from, to } = weekWindow();
    const known = weekOccurrences(await rangeEvents(from, to), from, to).slice(0, 4);
    expect(known.length).toBeGreaterThan(0);

    // From the month to the week with the toolbar: time to the grid painted with its occurrences.
    await page.goto(
      `${product.url}/calendar?date=${WEEK.monday}&view=month&zone=${encodeURIComponent(WEEK.zone)}`,
    );
    await page.locator('.cal-month [data-testid="occurrence"]').first().waitFor();
    const startedAt = performance.now();
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.locator('.cal-wk [data-testid="occurrence"]').first().waitFor();
    console.log(
      `month → week: ${Math.round(performance.now() - startedAt)} ms to the grid with its occurrences`,
    );
    const region = page.getByRole('region', { name: /^Week of / });
    expect(await region.count()).toBe(1);

    /** The height of the shortest occurrence in the grid: WCAG 2.2 SC 2.5.8 asks for 24 CSS px targets. */
    const smallestTarget = () =>
      page
        .locator('.cal-wk [data-testid="occurrence"]')
        .evaluateAll((buttons) => Math.min(...buttons.map((b) => b.getBoundingClientRect().height)));
    const centreOfHour = async (hour: number) => {
      const box = await page.locator(`.cal-wk-hour[data-hour="${hour}"]`).boundingBox();
      if (!box) throw new Error(`no label for hour ${hour}`);
      return box.y + box.height / 2;
    };
    for (const occurrence of known) {
      const element = block(occurrence);
      await element.scrollIntoViewIfNeeded();
      expect(await element.getAttribute('data-start-minute')).toBe(String(occurrence.minute));
      const hour = Math.floor(occurrence.minute / 60);
      const line = await centreOfHour(hour);
      const hourHeight = (await centreOfHour(hour + 1)) - line;
      const box = await element.boundingBox();
      const column = await page.locator(`.cal-wk-col[data-date="${occurrence.day}"]`).boundingBox();
      if (!box || !column) throw new Error('no box for the block or its day');
      const expectedTop = line + ((occurrence.minute % 60) / 60) * hourHeight;
      expect(Math.abs(box.y - expectedTop)).toBeLessThanOrEqual(2);
      const expectedHeight =
        ((occurrence.end.getTime() - occurrence.start.getTime()) / 3_600_000) * hourHeight;
      expect(Math.abs(box.height - expectedHeight)).toBeLessThanOrEqual(2);
      expect(box.x).toBeGreaterThanOrEqual(column.x - 1);
      expect(box.x + box.width).toBeLessThanOrEqual(column.x + column.width + 1);
    }
    // Tab order is time order within each day (the DOM order of a day's blocks).
    const startsPerDay = await page.$$eval('.cal-wk-items', (lists) =>
      lists.map((list) =>
        Array.from(list.querySelectorAll('[data-start-minute]'), (b) =>
          Number(b.getAttribute('data-start-minute')),
        ),
      ),
    );
    for (const starts of startsPerDay) expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // Day columns are lists named by their long date.
    expect(await page.getByRole('list', { name: /January 2026/ }).count()).toBe(7);

    await page.locator('.cal-wk-scroll').evaluate((element) => {
      element.scrollTop = 0;
    });
    await page.reload();
    await page.locator('.cal-wk [data-testid="occurrence"]').first().waitFor();
    const scrollTop = await page.locator('.cal-wk-scroll').evaluate((element) => element.scrollTop);
    console.log(`initial scroll of the hour grid: ${scrollTop}px`);
    expect(await accessibilityViolations(page)).toEqual([]);
    // The day header is hidden from assistive tech: each all-day bar names its own days.
    const bars = await page.locator('.cal-wk-bar').evaluateAll((items) =>
      items.map((item) => ({
        date: item.getAttribute('data-date') ?? '',
        before: item.matches('.cal-wk-bar-from-before'),
      })),
    );
    expect(bars.length).toBeGreaterThan(0);
    const weekdayAndDay = new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      timeZone: 'UTC',
    });
    for (const bar of bars.filter((b) => !b.before)) {
      const first = weekdayAndDay.format(new Date(`${bar.date}T12:00:00Z`));
      const name = new RegExp(`^All day: .+, ${first}\\b`);
      expect(await page.locator('.cal-wk-allday').getByRole('button', { name }).count()).toBeGreaterThan(0);
    }
    expect(await smallestTarget()).toBeGreaterThanOrEqual(24);
    await page.screenshot({ path: screenshotPath('calendar-week-grid') });

    // Phone width: the seven columns stay, narrower, with nothing sticking out sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.locator('.cal-wk-col').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const columns = await page
      .locator('.cal-wk-col')
      .evaluateAll((elements) =>
        elements
          .map((element) => element.getBoundingClientRect())
          .map((r) => ({ left: r.left, right: r.right })),
      );
    expect(columns).toHaveLength(7);
    for (const column of columns) {
      expect(column.right - column.left).toBeGreaterThan(30);
      expect(column.right).toBeLessThanOrEqual(375);
    }
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await smallestTarget()).toBeGreaterThanOrEqual(24);
    const smallestText = await page
      .locator('.cal-wk button, .cal-wk-head, .cal-wk-hour')
      .evaluateAll((elements) =>
        Math.min(...elements.map((e) => Number.parseFloat(getComputedStyle(e).fontSize))),
      );
    expect(smallestText).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: screenshotPath('calendar-week-phone') });

    // This week: a "now" line in today's column only.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${product.url}/calendar?view=week&zone=${encodeURIComponent(WEEK.zone)}`);
    await page.locator('.cal-wk-col').first().waitFor();
    const today = toLocalDateTime(new Date(), WEEK.zone).slice(0, 10);
    expect(await page.locator('.cal-wk-now').count()).toBe(1);
    expect(await page.locator(`.cal-wk-col[data-date="${today}"] .cal-wk-now`).count()).toBe(1);
  }, 60_000);
});
