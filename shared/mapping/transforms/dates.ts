/**
 * `date`, `datetime` and `formatDate`. Canonical records hold dates as `YYYY-MM-DD` and
 * date-times as `YYYY-MM-DDTHH:mm:ss.sssZ` (UTC); `format` says what the external side uses.
 */
import { z } from 'zod';

import {
  compileDatePattern,
  type DatePattern,
  formatIsoDate,
  formatIsoUtc,
  formatIsoWithOffset,
  isInRange,
  isoScratch,
  isoToUtcMs,
  isValidTimeZone,
  parseIso,
  scanIso,
  utcMsToZonedWall,
  type WallTime,
  wallToUtcMs,
  zonedWallToUtcMs,
} from '../dateTime';
import { valueTypeOf } from '../errors';
import { defineTransform, fail, IDENTITY, type Inverse, invertTo, nullSafe, type TransformFn } from './types';

const NAMED_FORMATS = ['iso', 'epochSeconds', 'epochMillis'] as const;

const FormatSchema = z
  .string()
  .min(1)
  .max(64)
  .superRefine((f, ctx) => {
    if ((NAMED_FORMATS as readonly string[]).includes(f)) return;
    const p = compileDatePattern(f);
    if (!p.ok)
      ctx.addIssue({
        code: 'custom',
        message: `format: iso, epochSeconds, epochMillis or a pattern; ${p.reason}`,
      });
  });

const TimeZoneSchema = z.string().min(1).max(64).refine(isValidTimeZone, 'unknown IANA time zone');

const DateArgs = z.strictObject({ format: FormatSchema.optional(), timeZone: TimeZoneSchema.optional() });
type DateArgs = z.infer<typeof DateArgs>;

function patternOf(format: string): DatePattern {
  const p = compileDatePattern(format);
  if (!p.ok) return fail(p.reason);
  return p.pattern;
}

/** The external value as an instant, or as a bare calendar date when it carries no time. */
type Moment = { kind: 'instant'; ms: number } | { kind: 'wall'; wall: WallTime; dateOnly: boolean };

function readEpoch(value: unknown, unit: 1 | 1000): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^-?\d{1,16}(\.\d{1,9})?$/.test(value.trim()))
    n = Number(value.trim());
  else return fail(`expected epoch ${unit === 1 ? 'milliseconds' : 'seconds'}, got ${valueTypeOf(value)}`);
  const ms = n * unit;
  if (!Number.isFinite(ms) || !isInRange(ms)) fail('epoch value out of range (years 1-9999)');
  return Math.round(ms);
}

function readMoment(value: unknown, format: string): Moment {
  if (format === 'epochSeconds') return { kind: 'instant', ms: readEpoch(value, 1000) };
  if (format === 'epochMillis') return { kind: 'instant', ms: readEpoch(value, 1) };
  if (typeof value !== 'string') return fail(`expected a date string, got ${valueTypeOf(value)}`);
  if (format === 'iso') {
    const p = parseIso(value.trim());
    if (p === undefined) return fail('not a valid ISO 8601 date');
    if (p.offsetMinutes !== undefined) return { kind: 'instant', ms: isoToUtcMs(p, undefined) };
    return { kind: 'wall', wall: p, dateOnly: p.dateOnly };
  }
  const pattern = patternOf(format);
  const wall = pattern.parse(value.trim());
  if (wall === undefined) return fail(`not a valid date for pattern ${format}`);
  return { kind: 'wall', wall, dateOnly: !pattern.hasTime };
}

function toInstant(m: Moment, zone: string | undefined): number {
  const ms = m.kind === 'instant' ? m.ms : zonedWallToUtcMs(m.wall, zone);
  if (!isInRange(ms)) fail('date out of range (years 1-9999)');
  return ms;
}

const trimmed = (value: string): string =>
  value.length > 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32)
    ? value.trim()
    : value;

function createDate(args: DateArgs): TransformFn {
  const format = args.format ?? 'iso';
  const zone = args.timeZone;
  if (format === 'iso' && zone === undefined) {
    // The hot path: most APIs send `YYYY-MM-DD` or RFC 3339. No allocation but the result.
    const scratch = isoScratch();
    return nullSafe((value) => {
      if (typeof value !== 'string') return fail(`expected a date string, got ${valueTypeOf(value)}`);
      const text = trimmed(value);
      if (!scanIso(text, scratch)) return fail('not a valid ISO 8601 date');
      if (scratch.dateOnly) return text;
      if (scratch.offsetMinutes === undefined || scratch.offsetMinutes === 0) return text.slice(0, 10);
      return formatIsoDate(
        utcMsToZonedWall(wallToUtcMs(scratch) - scratch.offsetMinutes * 60_000, undefined),
      );
    });
  }
  return nullSafe((value) => {
    const m = readMoment(value, format);
    if (m.kind === 'wall') return formatIsoDate(m.wall);
    return formatIsoDate(utcMsToZonedWall(toInstant(m, zone), zone));
  });
}

function createDateTime(args: DateArgs): TransformFn {
  const format = args.format ?? 'iso';
  const zone = args.timeZone;
  if (format === 'iso') {
    const scratch = isoScratch();
    return nullSafe((value) => {
      if (typeof value !== 'string') return fail(`expected a date-time string, got ${valueTypeOf(value)}`);
      if (!scanIso(trimmed(value), scratch)) return fail('not a valid ISO 8601 date-time');
      const ms =
        scratch.offsetMinutes !== undefined
          ? wallToUtcMs(scratch) - scratch.offsetMinutes * 60_000
          : zonedWallToUtcMs(scratch, zone);
      if (!isInRange(ms)) return fail('date out of range (years 1-9999)');
      return formatIsoUtc(ms);
    });
  }
  if (format === 'epochMillis' || format === 'epochSeconds') {
    const unit = format === 'epochMillis' ? 1 : 1000;
    return nullSafe((value) => formatIsoUtc(readEpoch(value, unit)));
  }
  return nullSafe((value) => formatIsoUtc(toInstant(readMoment(value, format), zone)));
}

const FormatDateArgs = z.strictObject({
  format: z.union([z.literal('date'), FormatSchema]),
  timeZone: TimeZoneSchema.optional(),
});
type FormatDateArgs = z.infer<typeof FormatDateArgs>;

function createFormatDate(args: FormatDateArgs): TransformFn {
  const zone = args.timeZone;
  const format = args.format;
  const pattern =
    (NAMED_FORMATS as readonly string[]).includes(format) || format === 'date'
      ? undefined
      : patternOf(format);
  return nullSafe((value) => {
    if (typeof value !== 'string') return fail(`expected a canonical date string, got ${valueTypeOf(value)}`);
    const p = parseIso(value.trim());
    if (p === undefined) return fail('not a valid ISO 8601 date');
    // A bare date stays a calendar date: no zone arithmetic can move it to another day.
    const calendarOnly = p.dateOnly && (format === 'date' || (pattern !== undefined && !pattern.hasTime));
    if (calendarOnly) return format === 'date' ? formatIsoDate(p) : (pattern as DatePattern).format(p);
    const ms = isoToUtcMs(p, zone);
    if (!isInRange(ms)) return fail('date out of range (years 1-9999)');
    switch (format) {
      case 'iso':
        return formatIsoWithOffset(ms, zone);
      case 'date':
        return formatIsoDate(utcMsToZonedWall(ms, zone));
      case 'epochSeconds':
        return Math.floor(ms / 1000);
      case 'epochMillis':
        return ms;
      default:
        return (pattern as DatePattern).format(utcMsToZonedWall(ms, zone));
    }
  });
}

const withZone = (zone: string | undefined): Record<string, unknown> =>
  zone !== undefined ? { timeZone: zone } : {};

export const dateTransform = defineTransform({
  name: 'date',
  description: 'Parse a date (ISO, epoch or a pattern such as DD/MM/YYYY) into YYYY-MM-DD.',
  args: DateArgs,
  create: createDate,
  inverse: (args): Inverse => {
    const format = args.format ?? 'iso';
    if (format === 'iso') return IDENTITY;
    return invertTo('formatDate', { format, ...withZone(args.timeZone) });
  },
});

export const dateTimeTransform = defineTransform({
  name: 'datetime',
  description:
    'Parse a date-time (ISO with offset, epoch seconds/millis or a pattern in a time zone) into UTC ISO 8601.',
  args: DateArgs,
  create: createDateTime,
  inverse: (args): Inverse => {
    const format = args.format ?? 'iso';
    if (format === 'iso') return IDENTITY;
    return invertTo('formatDate', { format, ...withZone(args.timeZone) });
  },
});

export const formatDateTransform = defineTransform({
  name: 'formatDate',
  description:
    'Write a canonical date or date-time in another format (iso with offset, date, epoch, pattern).',
  args: FormatDateArgs,
  create: createFormatDate,
  inverse: (args): Inverse => {
    const zone = withZone(args.timeZone);
    if (args.format === 'date') return invertTo('date', zone);
    if (args.format === 'iso') return invertTo('datetime', zone);
    if (args.format === 'epochSeconds' || args.format === 'epochMillis') {
      return invertTo('datetime', { format: args.format, ...zone });
    }
    const p = compileDatePattern(args.format);
    const hasTime = p.ok && p.pattern.hasTime;
    return invertTo(hasTime ? 'datetime' : 'date', { format: args.format, ...zone });
  },
});
