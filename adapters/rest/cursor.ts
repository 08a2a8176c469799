/**
 * The generic REST adapter's resumable cursor. One opaque string covers both needs of a sync:
 * mid-run it says where the next page starts (a crash resumes there), and once a run is complete it
 * carries the high-water mark the next incremental run starts from. It is JSON so an operator can
 * read it in the integration document; nobody should build one by hand.
 */
import { createHash } from 'node:crypto';

import { z } from 'zod';

import { InvalidPayloadError } from '../../shared/reliability/errors';

/** Records delivered near the boundary, remembered so the look-back overlap is not delivered twice. */
const MAX_RECENT = 500;

const CursorSchema = z.strictObject({
  v: z.literal(1),
  /** Lower time bound (UTC ISO) of this pass as sent to the provider; absent for a full pass. */
  since: z.string().optional(),
  /** The pagination helper's position of the next page; absent once the pass is complete. */
  next: z.string().optional(),
  /** True while a page is still to come (distinguishes "page 1 of a window" from "done"). */
  more: z.boolean(),
  /** Listing the records that share this one second (UTC ISO) by a stable order; see keyset ties. */
  tie: z.string().optional(),
  /** Highest updated-at (UTC ISO) delivered in this pass or before it. */
  hwm: z.string().optional(),
  /** `id@updatedMs#contentHash` of records at or after `hwm − lookback`. */
  recent: z.array(z.string()).max(MAX_RECENT).default([]),
});
export type CursorState = z.infer<typeof CursorSchema>;

export function encodeCursor(state: CursorState): string {
  return JSON.stringify(state);
}

export function decodeCursor(text: string): CursorState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InvalidPayloadError('unreadable sync cursor', { cause, details: { reason: 'cursor' } });
  }
  const r = CursorSchema.safeParse(parsed);
  if (!r.success) throw new InvalidPayloadError('unreadable sync cursor', { details: { reason: 'cursor' } });
  return r.data;
}

/** A fingerprint of one delivered version: same id, same time and same content is a duplicate. */
export function recentKey(id: string, updatedMs: number, raw: unknown): string {
  const hash = createHash('sha1').update(JSON.stringify(raw)).digest('base64url').slice(0, 12);
  return `${id}@${updatedMs}#${hash}`;
}

export function keyTime(key: string): number {
  const at = key.lastIndexOf('@');
  const hash = key.lastIndexOf('#');
  return Number(key.slice(at + 1, hash));
}

/** Keeps the keys still inside the overlap window, newest last, capped. */
export function pruneRecent(keys: Iterable<string>, fromMs: number): string[] {
  const kept = [...new Set(keys)].filter((k) => keyTime(k) >= fromMs);
  kept.sort((a, b) => keyTime(a) - keyTime(b));
  return kept.slice(-MAX_RECENT);
}
