import type { Container, ItemDefinition, SqlQuerySpec } from '@azure/cosmos';

import type { Page, PageRequest, StoreOptions, Versioned } from '../ports/documentStore';
import { InvalidContinuationTokenError } from '../ports/documentStore';
import { cosmosStatus } from './cosmosDocuments';

const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/** A query result as the app wrote it: Cosmos' system properties removed, the ETag kept apart. */
export function stripSystemFields(resource: ItemDefinition): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...resource };
  for (const field of SYSTEM_FIELDS) Reflect.deleteProperty(copy, field);
  return copy;
}

/** One page of a single-partition query, continuation-token paged (the emulator has no OFFSET/LIMIT). */
export async function queryPage<T>(
  container: Container,
  partitionKey: string,
  spec: SqlQuerySpec,
  page: PageRequest,
  options: StoreOptions = {},
): Promise<Page<T>> {
  const response = await container.items
    .query<ItemDefinition>(spec, {
      partitionKey,
      maxItemCount: page.limit,
      ...(page.continuationToken !== undefined ? { continuationToken: page.continuationToken } : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    })
    .fetchNext()
    .catch((err: unknown) => {
      if (page.continuationToken !== undefined && (cosmosStatus(err) === 400 || err instanceof SyntaxError)) {
        throw new InvalidContinuationTokenError('continuation token not recognised');
      }
      throw err;
    });
  const token = response.continuationToken;
  return {
    items: response.resources.map((r) => stripSystemFields(r) as T),
    ...(response.hasMoreResults && token.length > 0 ? { continuationToken: token } : {}),
  };
}

/** Every result of a single-partition query (callers bound the result size themselves). */
export async function queryAll<T>(
  container: Container,
  partitionKey: string,
  spec: SqlQuerySpec,
  options: StoreOptions = {},
): Promise<Versioned<T>[]> {
  const { resources } = await container.items
    .query<ItemDefinition>(spec, {
      partitionKey,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    })
    .fetchAll();
  return resources.map((r) => ({ value: stripSystemFields(r) as T, etag: String(r['_etag']) }));
}
