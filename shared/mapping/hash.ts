/**
 * Canonical record hash for change detection: the same content hashes the same however it was
 * serialised. Keys are sorted, `1` and `1.0` are one number (and `-0` is `0`), and date-time
 * strings with a zone designator are rewritten to UTC with milliseconds, so
 * `2025-01-01T10:00:00+02:00` and `2025-01-01T08:00:00.000Z` agree. Volatile fields (`modified`,
 * `etag`…) are left out through an ignore list of paths; `[*]` in an ignore path matches any
 * array index or object key.
 */
import { createHash } from 'node:crypto';

import { formatIsoUtc, isoToUtcMs, parseIso } from './dateTime';
import { type ParsedPath, parsePath, type PathSegment } from './paths';

export interface CanonicalHashOptions {
  /** Paths to leave out, e.g. `["modified", "meta.etag", "items[*].updated_at"]`. */
  readonly ignore?: readonly string[];
}

const DATE_TIME_SHAPE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/;

function canonicalString(s: string, normaliseDates: boolean): string {
  if (normaliseDates && s.length >= 16 && s.length <= 40 && DATE_TIME_SHAPE.test(s)) {
    const p = parseIso(s);
    if (p !== undefined && p.offsetMinutes !== undefined)
      return JSON.stringify(formatIsoUtc(isoToUtcMs(p, undefined)));
  }
  return JSON.stringify(s);
}

function matchesSegment(seg: PathSegment, key: string | number): boolean {
  if (seg.kind === 'wildcard') return true;
  if (seg.kind === 'index') return seg.index === key;
  return seg.key === key || (typeof key === 'number' && seg.key === String(key));
}

function write(
  value: unknown,
  ignore: readonly ParsedPath[],
  depth: number,
  normaliseDates: boolean,
  out: string[],
): void {
  if (value === null || value === undefined) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(canonicalString(value, normaliseDates));
      return;
    case 'number':
      out.push(Number.isFinite(value) ? (Object.is(value, -0) ? '0' : String(value)) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(value.toString());
      return;
    case 'object':
      break;
    default:
      out.push('null');
      return;
  }
  if (depth > 200) throw new RangeError('value nested deeper than 200 levels');
  if (value instanceof Date) {
    out.push(Number.isNaN(value.getTime()) ? 'null' : JSON.stringify(formatIsoUtc(value.getTime())));
    return;
  }
  const childIgnore = (key: string | number): { skip: boolean; next: ParsedPath[] } => {
    let skip = false;
    const next: ParsedPath[] = [];
    for (const p of ignore) {
      const head = p[depth];
      if (head === undefined || !matchesSegment(head, key)) continue;
      if (p.length === depth + 1) skip = true;
      else next.push(p);
    }
    return { skip, next };
  };
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const { skip, next } = ignore.length > 0 ? childIgnore(i) : { skip: false, next: [] };
      // An ignored element still holds its place, so positions stay comparable.
      if (skip) out.push('null');
      else write(value[i], next, depth + 1, normaliseDates, out);
    }
    out.push(']');
    return;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  out.push('{');
  let first = true;
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function') continue;
    const { skip, next } = ignore.length > 0 ? childIgnore(key) : { skip: false, next: [] };
    if (skip) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    write(v, next, depth + 1, normaliseDates, out);
  }
  out.push('}');
}

/** The canonical JSON text the hash is taken over (useful to see why two records differ). */
export function canonicalize(
  value: unknown,
  options: CanonicalHashOptions & { normaliseDates?: boolean } = {},
): string {
  const ignore = (options.ignore ?? []).map((text) => {
    const p = parsePath(text);
    if (!p.ok) throw new RangeError(`invalid ignore path "${text.slice(0, 100)}": ${p.reason}`);
    return p.path;
  });
  return canonicalizeParsed(value, ignore, options.normaliseDates ?? true);
}

export function canonicalizeParsed(
  value: unknown,
  ignore: readonly ParsedPath[],
  normaliseDates = true,
): string {
  const out: string[] = [];
  write(value, ignore, 0, normaliseDates, out);
  return out.join('');
}

/** SHA-256 (hex) of the canonical form. */
export function canonicalHash(record: unknown, options: CanonicalHashOptions = {}): string {
  return sha256(canonicalize(record, options));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Identity of a mapping document for the compile cache. Dates are not normalised here: two
 * documents whose defaults differ only in date spelling compile to different outputs.
 */
export function mappingHash(doc: unknown): string {
  return sha256(canonicalizeParsed(doc, [], false));
}
