/**
 * Seed 000's merge rule for grouped fields (WordPress ACF and similar): when an update arrives,
 * each top-level group that is a dictionary on both sides is merged key by key (the update's
 * keys win, the existing ones it does not mention stay); anything else, including arrays and a
 * dictionary replacing a scalar, is replaced. Groups the update does not mention are kept.
 * Only one level is merged: a dictionary inside a group is a field value and is replaced whole.
 */
import { defineOwn, isPlainObject } from './paths';

export type GroupedFields = Readonly<Record<string, unknown>>;

export function mergeGroupedFields(
  existing: GroupedFields | null | undefined,
  update: GroupedFields,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (existing !== null && existing !== undefined) {
    for (const key of Object.keys(existing)) defineOwn(result, key, existing[key]);
  }
  for (const key of Object.keys(update)) {
    const next = update[key];
    if (next === undefined) continue;
    const current = result[key];
    if (isPlainObject(current) && isPlainObject(next) && Object.hasOwn(result, key)) {
      const merged: Record<string, unknown> = {};
      for (const k of Object.keys(current)) defineOwn(merged, k, current[k]);
      for (const k of Object.keys(next)) {
        if (next[k] !== undefined) defineOwn(merged, k, next[k]);
      }
      defineOwn(result, key, merged);
    } else {
      defineOwn(result, key, next);
    }
  }
  return result;
}
