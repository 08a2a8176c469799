import { CronExpressionParser } from 'cron-parser';

import type { Schedule } from '../domain/schedule';
import { FREQUENCY_NCRONTAB } from '../domain/schedule';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MAX_STEPS = 20_000;

/** The NCRONTAB a schedule runs on, or undefined for REALTIME/MANUAL (never scheduled). */
export function scheduleExpression(schedule: Schedule): string | undefined {
  return schedule.cron ?? FREQUENCY_NCRONTAB[schedule.frequency ?? 'MANUAL'];
}

/**
 * The first occurrence strictly after `after`, read in the schedule's IANA zone (cron-parser 5
 * handles DST). NCRONTAB, unlike cron-parser, needs BOTH a restricted day-of-month and a
 * restricted day-of-week to match (`0 0 0 13 * 5` is Friday the 13th), so such expressions walk
 * the day-of-month schedule and keep matching weekdays.
 */
export function nextOccurrence(schedule: Schedule, after: Date): Date | undefined {
  const expression = scheduleExpression(schedule);
  if (expression === undefined) return undefined;
  const tz = schedule.timeZone;
  const probe = CronExpressionParser.parse(expression, { tz, currentDate: new Date(0) });
  const dowValues: readonly (number | string)[] = probe.fields.dayOfWeek.values;
  const intersect =
    !probe.fields.dayOfMonth.isWildcard &&
    !probe.fields.dayOfWeek.isWildcard &&
    dowValues.every((v) => typeof v === 'number');
  const fields = expression.trim().split(/\s+/);
  const base = intersect ? [...fields.slice(0, 5), '*'].join(' ') : expression;
  const allowed = new Set(dowValues.map((v) => (v === 7 ? 0 : v)));
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' });
  const iterator = CronExpressionParser.parse(base, { tz, currentDate: after });
  for (let i = 0; i < MAX_STEPS; i++) {
    const candidate = iterator.next().toDate();
    if (!intersect || allowed.has(WEEKDAYS.indexOf(weekday.format(candidate)))) return candidate;
  }
  return undefined;
}
