import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/** Named frequencies from seed 003; REALTIME runs on webhooks and MANUAL only on request. */
export const FREQUENCIES = ['REALTIME', 'EVERY_15MIN', 'HOURLY', 'DAILY', 'WEEKLY', 'MANUAL'] as const;
export const FrequencySchema = z.enum(FREQUENCIES);
export type Frequency = z.infer<typeof FrequencySchema>;

/** The NCRONTAB each periodic frequency stands for (6 fields, seconds first, as Functions timers). */
export const FREQUENCY_NCRONTAB: Readonly<Partial<Record<Frequency, string>>> = {
  EVERY_15MIN: '0 */15 * * * *',
  HOURLY: '0 0 * * * *',
  DAILY: '0 0 0 * * *',
  WEEKLY: '0 0 0 * * 0',
};

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin or UTC');

/** Why an NCRONTAB expression is invalid, or undefined when it is valid. */
export function ncrontabProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `an NCRONTAB expression has 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}), got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(expression.trim(), { tz: 'UTC', currentDate: new Date(0) });
    return undefined;
  } catch (err) {
    return `not a valid NCRONTAB expression: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export const ScheduleSchema = z
  .strictObject({
    frequency: FrequencySchema.optional(),
    cron: z
      .string()
      .max(200)
      .optional()
      .describe('6-field NCRONTAB, e.g. "0 */30 * * * *"; instead of frequency'),
    timeZone: TimeZoneSchema.default('UTC').describe('IANA time zone the schedule is read in'),
  })
  .superRefine((s, ctx) => {
    if ((s.frequency === undefined) === (s.cron === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['frequency'], message: 'give exactly one of frequency or cron' });
    }
    if (s.cron !== undefined) {
      const problem = ncrontabProblem(s.cron);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
    }
  });
export type Schedule = z.infer<typeof ScheduleSchema>;

/** True when the schedule runs on its own (the scheduler picks it up), false for REALTIME/MANUAL. */
export function isPeriodic(schedule: Schedule): boolean {
  return schedule.cron !== undefined || FREQUENCY_NCRONTAB[schedule.frequency ?? 'MANUAL'] !== undefined;
}
