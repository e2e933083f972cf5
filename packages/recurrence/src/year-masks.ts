/** Year masks (dateutil's _iterinfo.rebuild): per year, its day tables, BYWEEKNO and ordinal BYDAY masks. */

import {
  type IterRule,
  isLeap,
  MASKS,
  pymod,
  weekdayOfDay,
  YEARLY,
  type YearInfo,
  yearStartDay,
} from './iter-rule.ts';
import { DAY } from './local-time.ts';

/** The year holding day number `day` (a YearInfo of the rule, when it is the last one used). */
export function yearInfoOfDay(rule: IterRule, day: number): YearInfo {
  const last = rule.lastYear;
  if (last && day >= last.start && day < last.start + last.len) return last;
  return yearInfo(rule, new Date(day * DAY).getUTCFullYear());
}

export function yearInfo(rule: IterRule, year: number): YearInfo {
  if (rule.lastYear?.year === year) return rule.lastYear;
  let info = rule.years.get(year);
  if (info) {
    rule.lastYear = info;
    return info;
  }
  const leap = isLeap(year);
  const len = leap ? 366 : 365;
  const start = yearStartDay(year);
  const weekday = weekdayOfDay(start);
  info = {
    year,
    start,
    len,
    nextLen: isLeap(year + 1) ? 366 : 365,
    weekday,
    masks: MASKS[leap ? 1 : 0],
    wnomask: rule.byweekno ? weekNumberMask(rule, year, len, weekday) : null,
    pass: null,
    nth: [],
  };
  if (rule.years.size >= 16) rule.years.clear();
  rule.years.set(year, info);
  rule.lastYear = info;
  return info;
}

/** dateutil's BYWEEKNO mask of a year, quirks included (it is the reference). */
function weekNumberMask(rule: IterRule, year: number, len: number, yearWeekday: number): Uint8Array {
  const wkst = rule.wkst;
  const byweekno = rule.byweekno!;
  const mask = new Uint8Array(len + 14);
  const wday = (i: number) => pymod(yearWeekday + i, 7);
  let no1wkst = pymod(7 - yearWeekday + wkst, 7);
  const firstwkst = no1wkst;
  let wyearlen: number;
  if (no1wkst >= 4) {
    no1wkst = 0;
    wyearlen = len + pymod(yearWeekday - wkst, 7);
  } else wyearlen = len - no1wkst;
  const numweeks = Math.floor(wyearlen / 7) + Math.floor((wyearlen % 7) / 4);
  const markWeek = (from: number) => {
    let i = from;
    for (let j = 0; j < 7; j++) {
      mask[i] = 1;
      i++;
      if (wday(i) === wkst) break;
    }
  };
  for (const n0 of byweekno) {
    const n = n0 < 0 ? n0 + numweeks + 1 : n0;
    if (!(n > 0 && n <= numweeks)) continue;
    let i: number;
    if (n > 1) {
      i = no1wkst + (n - 1) * 7;
      if (no1wkst !== firstwkst) i -= 7 - firstwkst;
    } else i = no1wkst;
    markWeek(i);
  }
  if (byweekno.includes(1)) {
    // Week 1 of the next year, when it starts in this one.
    let i = no1wkst + numweeks * 7;
    if (no1wkst !== firstwkst) i -= 7 - firstwkst;
    if (i < len) markWeek(i);
  }
  if (no1wkst) {
    // The days before this year's week 1 belong to the last week of the previous year.
    let lnumweeks: number;
    if (!byweekno.includes(-1)) {
      const lyearweekday = weekdayOfDay(yearStartDay(year - 1));
      let lno1wkst = pymod(7 - lyearweekday + wkst, 7);
      const lyearlen = isLeap(year - 1) ? 366 : 365;
      if (lno1wkst >= 4) {
        lno1wkst = 0;
        lnumweeks = 52 + Math.floor(pymod(lyearlen + pymod(lyearweekday - wkst, 7), 7) / 4);
      } else lnumweeks = 52 + Math.floor(pymod(len - no1wkst, 7) / 4);
    } else lnumweeks = -1;
    if (byweekno.includes(lnumweeks)) for (let i = 0; i < no1wkst; i++) mask[i] = 1;
  }
  return mask;
}

/** dateutil's ordinal-weekday mask for a YEARLY or MONTHLY period (`month` 1-12 for MONTHLY). */
export function nthWeekdayMask(rule: IterRule, info: YearInfo, month: number): Uint8Array {
  const range = info.masks.range;
  const ranges: [number, number][] = [];
  if (rule.freq === YEARLY) {
    if (rule.bymonthList) for (const m of rule.bymonthList) ranges.push([range[m - 1]!, range[m]!]);
    else ranges.push([0, info.len]);
  } else ranges.push([range[month - 1]!, range[month]!]);
  const mask = new Uint8Array(info.len);
  const wday = (i: number) => pymod(info.weekday + i, 7);
  for (const [first, end] of ranges) {
    const last = end - 1;
    for (const [weekday, n] of rule.bynweekday!) {
      let i: number;
      if (n < 0) {
        i = last + (n + 1) * 7;
        i -= pymod(wday(i) - weekday, 7);
      } else {
        i = first + (n - 1) * 7;
        i += pymod(7 - wday(i) + weekday, 7);
      }
      if (first <= i && i <= last) mask[i] = 1;
    }
  }
  return mask;
}
