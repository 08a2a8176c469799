import { createHash } from 'node:crypto';

import { z } from 'zod';

import type { PageRequest } from '../ports/documentStore';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export const PageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe('Items per page'),
  continuationToken: z
    .string()
    .max(8192)
    .optional()
    .describe('From the previous page; pass it with the same filters'),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    continuationToken: z.string().optional().describe('Absent on the last page'),
  });
}

/**
 * Continuation tokens go out wrapped with a fingerprint of the query they belong to, so a token
 * replayed with other filters (or by another tenant) is refused instead of paging the wrong query.
 */
function fingerprint(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 16);
}

export function wrapContinuationToken(token: string | undefined, scope: unknown): string | undefined {
  if (token === undefined) return undefined;
  return Buffer.from(JSON.stringify({ v: 1, s: fingerprint(scope), c: token }), 'utf8').toString('base64url');
}

export type UnwrappedToken = { ok: true; page: PageRequest } | { ok: false; message: string };

export function pageRequest(
  query: { limit: number; continuationToken?: string | undefined },
  scope: unknown,
): UnwrappedToken {
  if (query.continuationToken === undefined) return { ok: true, page: { limit: query.limit } };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(query.continuationToken, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'not a continuation token from this API' };
  }
  const parsed = z.object({ v: z.literal(1), s: z.string(), c: z.string() }).safeParse(decoded);
  if (!parsed.success) return { ok: false, message: 'not a continuation token from this API' };
  if (parsed.data.s !== fingerprint(scope)) {
    return { ok: false, message: 'the continuation token belongs to another query; repeat the same filters' };
  }
  return { ok: true, page: { limit: query.limit, continuationToken: parsed.data.c } };
}
