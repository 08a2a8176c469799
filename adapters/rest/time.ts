/**
 * Timestamps as providers write them: ISO with or without a zone, epoch seconds or ms, or a
 * site-local pattern (`2024-05-01 10:00:00` meant in the site's zone). Cursors are always kept as
 * UTC instants; the provider's format only matters at the edges (reading a record's updated-at,
 * writing the incremental query parameter).
 */
import { z } from 'zod';

import type { WallTime } from '../../shared/mapping/dateTime';
import {
  compileDatePattern,
  isValidTimeZone,
  parseIso,
  utcMsToWall,
  utcMsToZonedWall,
  wallToUtcMs,
  zonedWallToUtcMs,
} from '../../shared/mapping/dateTime';

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** `UTC`, an IANA zone (`Europe/Berlin`) or a fixed offset (`+05:30`). */
export const ZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((z) => FIXED_OFFSET.test(z) || isValidTimeZone(z), 'unknown time zone');

export const TIMESTAMP_FORMATS = ['iso', 'epoch-s', 'epoch-ms', 'custom'] as const;
export const QUERY_TIME_FORMATS = ['iso', 'iso-ms', 'iso-offset', 'epoch-s', 'epoch-ms', 'custom'] as const;

function checkPattern(v: { format: string; pattern?: string | undefined }, ctx: z.RefinementCtx): void {
  if (v.format !== 'custom') return;
  if (v.pattern === undefined) {
    ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'format "custom" needs a pattern' });
    return;
  }
  const compiled = compileDatePattern(v.pattern);
  if (!compiled.ok) ctx.addIssue({ code: 'custom', path: ['pattern'], message: compiled.reason });
}

/** How a record's updated-at value is written by the provider, and where it sits. */
export const UpdatedAtSchema = z
  .strictObject({
    /** Path in the record, e.g. `updated_at`, `properties.hs_lastmodifieddate`. */
    field: z.string().min(1).max(200),
    format: z.enum(TIMESTAMP_FORMATS).default('iso'),
    /** For `custom`: tokens YYYY MM DD HH mm ss SSS, e.g. `YYYY-MM-DD HH:mm:ss`. */
    pattern: z.string().min(1).max(64).optional(),
    /** The zone of values written without one (ISO without a suffix, custom patterns). Default UTC. */
    zone: ZoneSchema.optional(),
  })
  .superRefine(checkPattern);
export type UpdatedAtSpec = z.infer<typeof UpdatedAtSchema>;
export type TimestampFormat = Pick<UpdatedAtSpec, 'format' | 'pattern' | 'zone'>;

/**
 * How the incremental parameter is written: `iso` = `2024-05-01T10:00:00Z` (second precision),
 * `iso-ms` = with milliseconds, `iso-offset` = the zone's wall time with its offset
 * (`2024-05-01T12:00:00+02:00`), `custom` = a pattern in `zone` without a suffix.
 */
export const QueryTimeFormatSchema = z
  .strictObject({
    format: z.enum(QUERY_TIME_FORMATS).default('iso'),
    pattern: z.string().min(1).max(64).optional(),
    zone: ZoneSchema.optional(),
  })
  .superRefine(checkPattern);
export type QueryTimeFormat = z.infer<typeof QueryTimeFormatSchema>;

function fixedOffsetMinutes(zone: string): number | undefined {
  const m = FIXED_OFFSET.exec(zone);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The instant a wall time names in `zone` (UTC when undefined). */
export function wallToInstant(w: WallTime, zone: string | undefined): number {
  const fixed = zone !== undefined ? fixedOffsetMinutes(zone) : undefined;
  if (fixed !== undefined) return wallToUtcMs(w) - fixed * 60_000;
  return zonedWallToUtcMs(w, zone);
}

export function instantToWall(ms: number, zone: string | undefined): WallTime {
  const fixed = zone !== undefined ? fixedOffsetMinutes(zone) : undefined;
  if (fixed !== undefined) return utcMsToWall(ms + fixed * 60_000);
  return utcMsToZonedWall(ms, zone);
}

/** Reads a provider timestamp as epoch ms; undefined when it is missing or unreadable. */
export function parseTimestamp(value: unknown, spec: TimestampFormat): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  switch (spec.format) {
    case 'epoch-s':
    case 'epoch-ms': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      if (!Number.isFinite(n)) return undefined;
      return spec.format === 'epoch-s' ? Math.round(n * 1000) : Math.round(n);
    }
    case 'iso': {
      if (typeof value !== 'string') return undefined;
      const p = parseIso(value.trim());
      if (p === undefined) return undefined;
      if (p.offsetMinutes !== undefined) return wallToUtcMs(p) - p.offsetMinutes * 60_000;
      return wallToInstant(p, spec.zone);
    }
    case 'custom': {
      if (typeof value !== 'string' || spec.pattern === undefined) return undefined;
      const compiled = compileDatePattern(spec.pattern);
      if (!compiled.ok) return undefined;
      const w = compiled.pattern.parse(value.trim());
      return w === undefined ? undefined : wallToInstant(w, spec.zone);
    }
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function isoWall(w: WallTime, withMs: boolean): string {
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  return withMs ? `${base}.${pad(w.millisecond, 3)}` : base;
}

/** Writes an instant the way the provider's query parameter expects it. */
export function formatQueryTime(ms: number, spec: QueryTimeFormat): string {
  switch (spec.format) {
    case 'epoch-s':
      return String(Math.floor(ms / 1000));
    case 'epoch-ms':
      return String(Math.floor(ms));
    case 'iso':
      return `${isoWall(utcMsToWall(Math.floor(ms / 1000) * 1000), false)}Z`;
    case 'iso-ms':
      return new Date(ms).toISOString();
    case 'iso-offset': {
      const secondMs = Math.floor(ms / 1000) * 1000;
      const w = instantToWall(secondMs, spec.zone);
      const offsetMin = Math.round((wallToUtcMs(w) - secondMs) / 60_000);
      if (offsetMin === 0) return `${isoWall(w, false)}Z`;
      const sign = offsetMin < 0 ? '-' : '+';
      const abs = Math.abs(offsetMin);
      return `${isoWall(w, false)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    }
    case 'custom': {
      const compiled = compileDatePattern(spec.pattern ?? '');
      if (!compiled.ok) throw new Error(compiled.reason);
      return compiled.pattern.format(instantToWall(ms, spec.zone));
    }
  }
}

export function toIsoUtc(ms: number): string {
  return new Date(ms).toISOString();
}
