/**
 * Date handling for the date transforms and the canonical hash. Written by hand instead of with
 * `Date.parse` because `Date.parse` accepts too much (`"2025-02-30"` becomes March 2nd, locale
 * strings parse differently per engine) and because the mapping hot path needs ISO parsing that
 * does not allocate a Date per field. Time zones come from the platform's ICU (Intl), which Node
 * ships in full.
 */

export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

export interface ParsedIso extends WallTime {
  readonly dateOnly: boolean;
  /** Minutes east of UTC; undefined when the string had no zone designator. */
  readonly offsetMinutes: number | undefined;
}

export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidWall(w: WallTime): boolean {
  return (
    w.year >= MIN_YEAR &&
    w.year <= MAX_YEAR &&
    w.month >= 1 &&
    w.month <= 12 &&
    w.day >= 1 &&
    w.day <= daysInMonth(w.year, w.month) &&
    w.hour >= 0 &&
    w.hour <= 23 &&
    w.minute >= 0 &&
    w.minute <= 59 &&
    w.second >= 0 &&
    w.second <= 59 &&
    w.millisecond >= 0 &&
    w.millisecond <= 999
  );
}

interface MutableIso {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  dateOnly: boolean;
  offsetMinutes: number | undefined;
}

const digit = (text: string, i: number): number => {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

/** Two digits at i as a number, or -1. */
const two = (text: string, i: number): number => {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

/**
 * Scans ISO 8601 / RFC 3339 (`YYYY-MM-DD`, `YYYY-MM-DDTHH:mm[:ss[.fff]][Z|±HH[:mm]]`, `T` or a
 * space) into `into` without allocating; false for anything else or an impossible date. A
 * hand-written scanner because this runs once per date field of every record.
 */
export function scanIso(text: string, into: MutableIso): boolean {
  const n = text.length;
  if (n < 10 || n > 40) return false;
  const y0 = two(text, 0);
  const y1 = two(text, 2);
  if (y0 < 0 || y1 < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  into.year = y0 * 100 + y1;
  into.month = two(text, 5);
  into.day = two(text, 8);
  into.hour = 0;
  into.minute = 0;
  into.second = 0;
  into.millisecond = 0;
  into.offsetMinutes = undefined;
  into.dateOnly = n === 10;
  if (n > 10) {
    const t = text.charCodeAt(10);
    if (t !== 84 && t !== 116 && t !== 32) return false; // T t space
    if (n < 16 || text.charCodeAt(13) !== 58) return false;
    into.hour = two(text, 11);
    into.minute = two(text, 14);
    let i = 16;
    if (i < n && text.charCodeAt(i) === 58) {
      into.second = two(text, i + 1);
      if (into.second < 0) return false;
      i += 3;
      const sep = text.charCodeAt(i);
      if (i < n && (sep === 46 || sep === 44)) {
        i++;
        let digits = 0;
        let ms = 0;
        while (i < n && digit(text, i) >= 0) {
          if (digits < 3) ms = ms * 10 + digit(text, i);
          digits++;
          i++;
        }
        if (digits === 0 || digits > 9) return false;
        // Sub-millisecond digits are truncated: the canonical form has millisecond precision.
        for (let k = digits; k < 3; k++) ms *= 10;
        into.millisecond = ms;
      }
    }
    if (i < n) {
      const z = text.charCodeAt(i);
      if (z === 90 || z === 122) {
        into.offsetMinutes = 0;
        i++;
      } else if (z === 43 || z === 45) {
        const oh = two(text, i + 1);
        if (oh < 0) return false;
        i += 3;
        let om = 0;
        if (i < n) {
          if (text.charCodeAt(i) === 58) i++;
          om = two(text, i);
          if (om < 0 || om > 59) return false;
          i += 2;
        }
        const total = oh * 60 + om;
        if (total > 18 * 60) return false;
        into.offsetMinutes = z === 45 ? -total : total;
      }
    }
    if (i !== n) return false;
  }
  return isValidWall(into);
}

/** Parses ISO 8601 / RFC 3339 dates and date-times; undefined for anything else or an impossible date. */
export function parseIso(text: string): ParsedIso | undefined {
  const p: MutableIso = {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
    dateOnly: true,
    offsetMinutes: undefined,
  };
  return scanIso(text, p) ? p : undefined;
}

/** A reusable scan target for the hot paths (single-threaded, never held across calls). */
export function isoScratch(): MutableIso {
  return {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
    dateOnly: true,
    offsetMinutes: undefined,
  };
}

/** Milliseconds since the epoch of a wall time read as UTC. */
export function wallToUtcMs(w: WallTime): number {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  if (w.year >= 100) return ms;
  // Date.UTC maps years 0-99 to 1900-1999.
  const d = new Date(ms);
  d.setUTCFullYear(w.year);
  return d.getTime();
}

export function utcMsToWall(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

const isUtc = (zone: string | undefined): boolean =>
  zone === undefined || zone === 'UTC' || zone === 'Etc/UTC';

/** Offset of `zone` from UTC at the instant `ms`, in milliseconds. */
export function zoneOffsetMs(zone: string | undefined, ms: number): number {
  if (isUtc(zone) || zone === undefined) return 0;
  const parts = formatterFor(zone).formatToParts(new Date(ms));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  const wall = wallToUtcMs({ year: bc ? 1 - year : year, month, day, hour, minute, second, millisecond: 0 });
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant a wall-clock time names in `zone` (the earlier one when a DST fold makes it ambiguous). */
export function zonedWallToUtcMs(w: WallTime, zone: string | undefined): number {
  const wall = wallToUtcMs(w);
  if (isUtc(zone)) return wall;
  const first = zoneOffsetMs(zone, wall);
  const guess = wall - first;
  const second = zoneOffsetMs(zone, guess);
  return second === first ? guess : wall - second;
}

export function utcMsToZonedWall(ms: number, zone: string | undefined): WallTime {
  return utcMsToWall(ms + zoneOffsetMs(zone, ms));
}

/** The instant an ISO string names; zone-less strings are read in `zone` (UTC by default). */
export function isoToUtcMs(p: ParsedIso, zone: string | undefined): number {
  if (p.offsetMinutes !== undefined) return wallToUtcMs(p) - p.offsetMinutes * 60_000;
  return zonedWallToUtcMs(p, zone);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));
const pad4 = (n: number): string =>
  n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : String(n);

export function formatIsoDate(w: WallTime): string {
  return `${pad4(w.year)}-${pad2(w.month)}-${pad2(w.day)}`;
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ`, the canonical date-time every mapping produces. */
export function formatIsoUtc(ms: number): string {
  // Date#toISOString prints exactly this shape for years 0000-9999, the only ones accepted.
  return new Date(ms).toISOString();
}

export function formatIsoWithOffset(ms: number, zone: string | undefined): string {
  if (isUtc(zone)) return formatIsoUtc(ms);
  const offset = zoneOffsetMs(zone, ms);
  const w = utcMsToWall(ms + offset);
  const mins = Math.round(offset / 60_000);
  const sign = mins < 0 ? '-' : '+';
  const abs = Math.abs(mins);
  return `${formatIsoDate(w)}T${pad2(w.hour)}:${pad2(w.minute)}:${pad2(w.second)}.${pad3(w.millisecond)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** Instants of 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z. */
const MIN_MS = -62_135_596_800_000;
const MAX_MS = 253_402_300_799_999;

export function isInRange(ms: number): boolean {
  return ms >= MIN_MS && ms <= MAX_MS;
}

// ---- patterns such as "DD/MM/YYYY HH:mm" ----

type Token = 'YYYY' | 'MM' | 'M' | 'DD' | 'D' | 'HH' | 'H' | 'mm' | 'ss' | 'SSS';
const TOKENS: readonly Token[] = ['YYYY', 'SSS', 'MM', 'DD', 'HH', 'mm', 'ss', 'M', 'D', 'H'];
const TOKEN_RE: Readonly<Record<Token, string>> = {
  YYYY: '(\\d{4})',
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  DD: '(\\d{2})',
  D: '(\\d{1,2})',
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{3})',
};

export interface DatePattern {
  readonly source: string;
  readonly hasTime: boolean;
  parse(text: string): WallTime | undefined;
  format(w: WallTime): string;
}

export type PatternResult = { ok: true; pattern: DatePattern } | { ok: false; reason: string };

const patternCache = new Map<string, PatternResult>();

export function compileDatePattern(source: string): PatternResult {
  const cached = patternCache.get(source);
  if (cached !== undefined) return cached;
  const result = buildPattern(source);
  if (patternCache.size < 1000) patternCache.set(source, result);
  return result;
}

function buildPattern(source: string): PatternResult {
  if (source.length === 0 || source.length > 64)
    return { ok: false, reason: 'date pattern must have 1-64 characters' };
  const parts: (Token | { literal: string })[] = [];
  let i = 0;
  while (i < source.length) {
    const token = TOKENS.find((t) => source.startsWith(t, i));
    if (token !== undefined) {
      parts.push(token);
      i += token.length;
      continue;
    }
    const ch = source.charAt(i);
    if ('YMDHmsS'.includes(ch))
      return { ok: false, reason: `stray "${ch}" in date pattern (tokens: ${TOKENS.join(' ')})` };
    parts.push({ literal: ch });
    i++;
  }
  const tokens = parts.filter((p): p is Token => typeof p === 'string');
  const has = (...ts: Token[]): boolean => ts.some((t) => tokens.includes(t));
  if (!has('YYYY') || !has('MM', 'M') || !has('DD', 'D')) {
    return { ok: false, reason: 'date pattern needs a year (YYYY), a month (MM or M) and a day (DD or D)' };
  }
  if (new Set(tokens.map((t) => t.charAt(0))).size !== tokens.length) {
    return { ok: false, reason: 'date pattern repeats a field' };
  }
  const re = new RegExp(
    `^${parts.map((p) => (typeof p === 'string' ? TOKEN_RE[p] : p.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`,
  );
  const hasTime = has('HH', 'H', 'mm', 'ss', 'SSS');
  const pattern: DatePattern = {
    source,
    hasTime,
    parse(text) {
      if (text.length > 64) return undefined;
      const m = re.exec(text);
      if (m === null) return undefined;
      const w = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 };
      tokens.forEach((t, k) => {
        const n = Number(m[k + 1]);
        if (t === 'YYYY') w.year = n;
        else if (t === 'MM' || t === 'M') w.month = n;
        else if (t === 'DD' || t === 'D') w.day = n;
        else if (t === 'HH' || t === 'H') w.hour = n;
        else if (t === 'mm') w.minute = n;
        else if (t === 'ss') w.second = n;
        else w.millisecond = n;
      });
      return isValidWall(w) ? w : undefined;
    },
    format(w) {
      return parts
        .map((p) => {
          if (typeof p !== 'string') return p.literal;
          switch (p) {
            case 'YYYY':
              return pad4(w.year);
            case 'MM':
              return pad2(w.month);
            case 'M':
              return String(w.month);
            case 'DD':
              return pad2(w.day);
            case 'D':
              return String(w.day);
            case 'HH':
              return pad2(w.hour);
            case 'H':
              return String(w.hour);
            case 'mm':
              return pad2(w.minute);
            case 'ss':
              return pad2(w.second);
            case 'SSS':
              return pad3(w.millisecond);
          }
        })
        .join('');
    },
  };
  return { ok: true, pattern };
}
