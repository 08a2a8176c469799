import { CronExpressionParser } from 'cron-parser';

/** When a timer trigger fires next. */
export interface Schedule {
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
  /** The last occurrence at or before `at` (for the timer's `scheduleStatus.last`). */
  previous(at: Date): Date;
  readonly expression: string;
}

export interface ScheduleOptions {
  /** IANA zone the expression is read in; the Functions host defaults to UTC. */
  readonly timeZone?: string;
}

function invalid(expression: string, why: string): Error {
  return new Error(
    `The schedule expression '${expression}' was not recognized as a valid cron expression or timespan string (${why}).`,
  );
}

/** `hh:mm:ss` / `d.hh:mm:ss`: a constant interval, as the Functions host accepts on dedicated plans. */
function parseInterval(expression: string): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(expression);
  if (!match) return undefined;
  const [, days, hours, minutes, seconds] = match;
  return (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

/**
 * Parses a Functions timer schedule: a 6-field NCRONTAB expression
 * `{second} {minute} {hour} {day} {month} {day-of-week}` or a TimeSpan.
 *
 * cron-parser does the field arithmetic. One rule differs: NCRONTAB (the library the Functions
 * host uses) fires only when BOTH a restricted day-of-month and a restricted day-of-week match,
 * where Vixie cron and cron-parser fire when EITHER does; `0 0 0 13 * 5` means "Friday the 13th".
 */
export function parseSchedule(expression: string, options: ScheduleOptions = {}): Schedule {
  const trimmed = expression.trim();
  const intervalMs = parseInterval(trimmed);
  if (intervalMs !== undefined) {
    if (intervalMs <= 0) throw invalid(expression, 'the interval must be positive');
    return {
      expression: trimmed,
      next: (after) => new Date(after.getTime() + intervalMs),
      previous: (at) => new Date(at.getTime() - intervalMs),
    };
  }

  const fields = trimmed.split(/\s+/);
  if (fields.length !== 6) throw invalid(expression, `expected 6 fields, got ${fields.length}`);
  const tz = options.timeZone ?? 'UTC';
  let parsed;
  try {
    parsed = CronExpressionParser.parse(trimmed, { tz, currentDate: new Date(0) });
  } catch (err) {
    throw invalid(expression, (err as Error).message);
  }

  const domRestricted = !parsed.fields.dayOfMonth.isWildcard;
  const dowValues: readonly (number | string)[] = parsed.fields.dayOfWeek.values;
  const dowRestricted = !parsed.fields.dayOfWeek.isWildcard;
  const numericDow = dowValues.every((v) => typeof v === 'number');
  const intersect = domRestricted && dowRestricted && numericDow;
  const allowedDays = new Set<number | string>(dowValues.map((v) => (v === 7 ? 0 : v)));
  // With both day fields restricted, walk the day-of-month schedule and keep the days whose
  // weekday also matches; any such day recurs within 28 years, which bounds the walk.
  const baseExpression = intersect ? [...fields.slice(0, 5), '*'].join(' ') : trimmed;
  const weekdayFormat = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' });
  const weekdayIn = (date: Date): number => {
    const name = weekdayFormat.format(date);
    return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(name);
  };
  const MAX_STEPS = 20_000;

  const step = (from: Date, forward: boolean): Date => {
    const iterator = CronExpressionParser.parse(baseExpression, { tz, currentDate: from });
    for (let i = 0; i < MAX_STEPS; i += 1) {
      const candidate = (forward ? iterator.next() : iterator.prev()).toDate();
      if (!intersect || allowedDays.has(weekdayIn(candidate))) return candidate;
    }
    throw invalid(expression, 'no occurrence found');
  };

  return {
    expression: trimmed,
    next: (after) => step(after, true),
    previous: (at) => step(new Date(at.getTime() + 1), false),
  };
}
