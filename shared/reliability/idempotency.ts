import { createHash } from 'node:crypto';

export type IdempotencyPart =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly IdempotencyPart[]
  | { readonly [key: string]: IdempotencyPart };

/**
 * JSON with object keys sorted, so `{a, b}` and `{b, a}` hash alike. `undefined` inside an array
 * becomes null and object members that are undefined are dropped, as JSON does.
 */
export function stableStringify(value: IdempotencyPart): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number')
    return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v: IdempotencyPart) => stableStringify(v)).join(',')}]`;
  const obj = value as { readonly [key: string]: IdempotencyPart };
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/**
 * A stable key for "the same logical operation": SHA-256 (hex, 64 chars; fits Service Bus'
 * 128-char messageId) over the parts encoded as a JSON array, so ("a:b", "c") and ("a", "b:c")
 * never collide the way a joined string would.
 */
export function idempotencyKey(...parts: readonly IdempotencyPart[]): string {
  return createHash('sha256').update(stableStringify(parts)).digest('hex');
}
