import type { AdminResult } from '../admin/errors';
import { invalid } from '../admin/errors';
import { ok } from '../domain/result';
import type { PageRequest } from '../ports/documentStore';
import type { OperationReply } from './operation';
import { pageRequest, wrapContinuationToken } from './paging';

/**
 * Runs one page of a list operation: unwraps the caller's continuation token for this exact
 * query (a token from another query or tenant answers 400), and wraps the next one.
 */
export async function pagedReply(
  query: { limit: number; continuationToken?: string | undefined },
  scope: unknown,
  run: (page: PageRequest) => Promise<AdminResult<{ items: readonly unknown[]; continuationToken?: string }>>,
): Promise<AdminResult<OperationReply>> {
  const unwrapped = pageRequest(query, scope);
  if (!unwrapped.ok) return invalid([{ path: 'continuationToken', message: unwrapped.message }]);
  const result = await run(unwrapped.page);
  if (!result.ok) return result;
  const token = wrapContinuationToken(result.value.continuationToken, scope);
  return ok({
    status: 200,
    body: { items: result.value.items, ...(token !== undefined ? { continuationToken: token } : {}) },
  });
}
