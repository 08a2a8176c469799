/**
 * Field paths: `a.b`, `items[0].sku`, `items[*].sku`, `a\.b` (a key with a dot) and
 * `a["key.with [brackets]"]` (a JSON string literal as a key). Paths come from tenant-edited
 * mapping documents and the compiler turns them into generated code, so parsing is strict and
 * the segments `__proto__`, `constructor` and `prototype` are refused everywhere: a mapping can
 * never read through to, or write onto, an object's prototype.
 */

export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

export type ParsedPath = readonly PathSegment[];

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const MAX_PATH_LENGTH = 1000;
export const MAX_PATH_DEPTH = 32;
const MAX_INDEX = 1_000_000;

export type PathParseResult = { ok: true; path: ParsedPath } | { ok: false; reason: string };

export function parsePath(text: string): PathParseResult {
  if (text.length === 0) return { ok: false, reason: 'path is empty' };
  if (text.length > MAX_PATH_LENGTH) return { ok: false, reason: `path is longer than ${MAX_PATH_LENGTH}` };
  const segments: PathSegment[] = [];
  let i = 0;
  // After a segment we expect '.', '[' or the end; at the start (or after '.') a key.
  let expectKey = true;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '[') {
      const close = findBracketEnd(text, i);
      if (close < 0) return { ok: false, reason: `unclosed "[" at ${i}` };
      const inner = text.slice(i + 1, close);
      const seg = parseBracket(inner);
      if (typeof seg === 'string') return { ok: false, reason: seg };
      segments.push(seg);
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (ch === '.') {
      if (expectKey) return { ok: false, reason: `empty key at ${i}` };
      expectKey = true;
      i++;
      continue;
    }
    if (!expectKey) return { ok: false, reason: `expected "." or "[" at ${i}` };
    let key = '';
    while (i < text.length) {
      const c = text.charAt(i);
      if (c === '.' || c === '[') break;
      if (c === ']') return { ok: false, reason: `unexpected "]" at ${i}` };
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined || !'.[]\\'.includes(next)) {
          return { ok: false, reason: `bad escape at ${i} (escape only . [ ] \\)` };
        }
        key += next;
        i += 2;
        continue;
      }
      key += c;
      i++;
    }
    segments.push({ kind: 'key', key });
    expectKey = false;
  }
  if (expectKey) return { ok: false, reason: 'path ends with "."' };
  if (segments.length > MAX_PATH_DEPTH) return { ok: false, reason: `path is deeper than ${MAX_PATH_DEPTH}` };
  for (const seg of segments) {
    if (seg.kind === 'key' && FORBIDDEN_KEYS.has(seg.key)) {
      return { ok: false, reason: `path segment "${seg.key}" is not allowed` };
    }
  }
  return { ok: true, path: segments };
}

function findBracketEnd(text: string, open: number): number {
  if (text[open + 1] === '"') {
    // A JSON string literal: skip escaped quotes.
    let j = open + 2;
    while (j < text.length) {
      const c = text[j];
      if (c === '\\') {
        j += 2;
        continue;
      }
      if (c === '"') return text[j + 1] === ']' ? j + 1 : -1;
      j++;
    }
    return -1;
  }
  return text.indexOf(']', open);
}

function parseBracket(inner: string): PathSegment | string {
  if (inner === '*') return { kind: 'wildcard' };
  if (/^(0|[1-9]\d{0,6})$/.test(inner)) {
    const index = Number(inner);
    if (index > MAX_INDEX) return `index ${inner} is larger than ${MAX_INDEX}`;
    return { kind: 'index', index };
  }
  if (inner.startsWith('"')) {
    let key: unknown;
    try {
      key = JSON.parse(inner);
    } catch {
      return `bad quoted key ${inner.slice(0, 40)}`;
    }
    if (typeof key !== 'string') return 'bad quoted key';
    return { kind: 'key', key };
  }
  return `bad bracket "[${inner.slice(0, 40)}]" (use [n], [*] or ["key"])`;
}

/** The canonical text of a path: what `parsePath` reads back to the same segments. */
export function formatPath(path: ParsedPath): string {
  let out = '';
  for (const seg of path) {
    if (seg.kind === 'index') out += `[${seg.index}]`;
    else if (seg.kind === 'wildcard') out += '[*]';
    else if (/^[^.[\]\\"]+$/.test(seg.key)) out += (out === '' ? '' : '.') + seg.key;
    else out += `[${JSON.stringify(seg.key)}]`;
  }
  return out;
}

export function countWildcards(path: ParsedPath): number {
  let n = 0;
  for (const seg of path) if (seg.kind === 'wildcard') n++;
  return n;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a path from JSON-like data. Only own data of objects and arrays is reached: a key on a
 * string or an array gives undefined, and a function value (an inherited method such as
 * `toString`) is treated as absent. Each wildcard adds one level of array nesting.
 */
export function readPath(root: unknown, path: ParsedPath, from = 0): unknown {
  let current = root;
  for (let i = from; i < path.length; i++) {
    const seg = path[i];
    if (seg === undefined) break;
    if (seg.kind === 'key') {
      current = isPlainObject(current) ? current[seg.key] : undefined;
    } else if (seg.kind === 'index') {
      current = Array.isArray(current) ? (current[seg.index] as unknown) : undefined;
    } else {
      if (!Array.isArray(current)) return undefined;
      return current.map((item: unknown) => readPath(item, path, i + 1));
    }
    if (current === undefined) return undefined;
  }
  return typeof current === 'function' ? undefined : current;
}

/** Thrown when a write meets a container of the wrong shape (an array where an object is needed). */
export class PathConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathConflict';
  }
}

/**
 * Writes `value` at a path without wildcards, creating objects and arrays on the way. Keys were
 * validated when the path was parsed, and own properties are defined (never assigned through a
 * setter), so nothing reaches a prototype.
 */
export function writePath(root: Record<string, unknown>, path: ParsedPath, value: unknown): void {
  let container: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (seg === undefined || seg.kind === 'wildcard') throw new PathConflict('wildcard in a write path');
    const last = i === path.length - 1;
    if (last) {
      setChild(container, seg, value);
      return;
    }
    const next = path[i + 1];
    const wantArray = next !== undefined && next.kind !== 'key';
    let child = getChild(container, seg);
    if (child === undefined || child === null) {
      child = wantArray ? [] : {};
      setChild(container, seg, child);
    } else if (wantArray ? !Array.isArray(child) : !isPlainObject(child)) {
      throw new PathConflict(
        `"${formatPath(path.slice(0, i + 1))}" is not ${wantArray ? 'an array' : 'an object'}`,
      );
    }
    container = child as Record<string, unknown> | unknown[];
  }
}

/** Own children only: an inherited `toString` must never be mistaken for a container to write into. */
function getChild(container: Record<string, unknown> | unknown[], seg: PathSegment): unknown {
  if (seg.kind === 'index') return Array.isArray(container) ? container[seg.index] : undefined;
  if (seg.kind === 'key' && !Array.isArray(container) && Object.hasOwn(container, seg.key))
    return container[seg.key];
  return undefined;
}

function setChild(container: Record<string, unknown> | unknown[], seg: PathSegment, value: unknown): void {
  if (seg.kind === 'index') {
    if (!Array.isArray(container)) throw new PathConflict('index into an object');
    container[seg.index] = value;
  } else if (seg.kind === 'key') {
    if (Array.isArray(container)) throw new PathConflict('key into an array');
    defineOwn(container, seg.key, value);
  }
}

/** Sets an own enumerable property, even for a key like `__proto__` that plain assignment would treat specially. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Writes values read through a wildcard source into a wildcard target: the n-th wildcard of the
 * target spreads the n-th level of nesting. `undefined` leaves are skipped, but the element they
 * belong to is still created, so `items[*].a` and `items[*].b` line up index by index.
 */
export function writeWildcardPath(
  root: Record<string, unknown>,
  path: ParsedPath,
  values: unknown,
  onLeaf: (value: unknown, concreteTarget: ParsedPath) => unknown,
): void {
  writeWild(root, path, 0, values, [], onLeaf);
}

function writeWild(
  container: Record<string, unknown> | unknown[],
  path: ParsedPath,
  from: number,
  values: unknown,
  concrete: PathSegment[],
  onLeaf: (value: unknown, concreteTarget: ParsedPath) => unknown,
): void {
  // Walk to the next wildcard, creating containers; then fan out over `values`.
  let current: Record<string, unknown> | unknown[] = container;
  for (let i = from; i < path.length; i++) {
    const seg = path[i];
    if (seg === undefined) return;
    if (seg.kind === 'wildcard') {
      if (!Array.isArray(values)) return;
      if (!Array.isArray(current)) throw new PathConflict('wildcard over an object');
      const arr: unknown[] = current;
      const next = path[i + 1];
      for (let k = 0; k < values.length; k++) {
        const item: unknown = values[k];
        const here = [...concrete, { kind: 'index', index: k } as const];
        if (next === undefined) {
          const leaf = onLeaf(item, here);
          if (leaf !== undefined) arr[k] = leaf;
          continue;
        }
        let child = arr[k];
        const wantArray = next.kind !== 'key';
        if (child === undefined || child === null) {
          child = wantArray ? [] : {};
          arr[k] = child;
        } else if (wantArray ? !Array.isArray(child) : !isPlainObject(child)) {
          throw new PathConflict(`"${formatPath(here)}" has the wrong shape`);
        }
        writeWild(child as Record<string, unknown> | unknown[], path, i + 1, item, here, onLeaf);
      }
      return;
    }
    concrete.push(seg);
    const last = i === path.length - 1;
    if (last) {
      const leaf = onLeaf(values, concrete);
      if (leaf !== undefined) setChild(current, seg, leaf);
      return;
    }
    const next = path[i + 1];
    const wantArray = next !== undefined && next.kind !== 'key';
    let child = getChild(current, seg);
    if (child === undefined || child === null) {
      child = wantArray ? [] : {};
      setChild(current, seg, child);
    } else if (wantArray ? !Array.isArray(child) : !isPlainObject(child)) {
      throw new PathConflict(`"${formatPath(concrete)}" has the wrong shape`);
    }
    current = child as Record<string, unknown> | unknown[];
  }
}
