import type { Container, ItemDefinition, SqlParameter } from '@azure/cosmos';

import type { Page, PageRequest, StoreOptions, Versioned } from '../ports/documentStore';
import { DuplicateError, InvalidContinuationTokenError, StaleEtagError } from '../ports/documentStore';

/** Status code of a Cosmos ErrorResponse (its `code` is the HTTP status), or undefined. */
export function cosmosStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof code === 'number') return code;
  if (typeof status === 'number') return status;
  return undefined;
}

const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/** The document as the app wrote it, without Cosmos' system properties. */
// The caller names the document type it stored; Cosmos cannot know it.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export function withoutSystemFields<T = unknown>(resource: ItemDefinition): T {
  const copy: Record<string, unknown> = { ...(resource as Record<string, unknown>) };
  for (const field of SYSTEM_FIELDS) Reflect.deleteProperty(copy, field);
  return copy as T;
}

function versioned<T>(resource: ItemDefinition | undefined, what: string): Versioned<T> {
  const etag: unknown = resource?.['_etag'];
  if (resource === undefined || typeof etag !== 'string')
    throw new Error(`${what}: Cosmos returned no document`);
  return { value: withoutSystemFields<T>(resource), etag };
}

function mapWriteError(err: unknown, what: string): unknown {
  const status = cosmosStatus(err);
  if (status === 409)
    return new DuplicateError(`${what}: a unique key is already taken`, { status, cause: err });
  if (status === 412) return new StaleEtagError(`${what}: changed since it was read`, { status, cause: err });
  return err;
}

export interface TenantScoped {
  readonly id: string;
  readonly tenantId: string;
}

/**
 * Documents partitioned by /tenantId. Every operation names the tenant as the partition key, so a
 * caller holding another tenant's id reads, replaces or deletes nothing.
 */
export class CosmosTenantDocuments<T extends TenantScoped> {
  constructor(
    private readonly container: Container,
    private readonly what: string,
  ) {}

  async create(doc: T, options: StoreOptions = {}): Promise<Versioned<T>> {
    try {
      const { resource } = await this.container.items.create<T>(doc, {
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      return versioned<T>(resource, this.what);
    } catch (err) {
      throw mapWriteError(err, this.what);
    }
  }

  async get(tenantId: string, id: string, options: StoreOptions = {}): Promise<Versioned<T> | undefined> {
    try {
      const { resource } = await this.container
        .item(id, tenantId)
        .read<T>(options.abortSignal ? { abortSignal: options.abortSignal } : {});
      return resource === undefined ? undefined : versioned<T>(resource, this.what);
    } catch (err) {
      if (cosmosStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async replace(doc: T, ifMatch: string, options: StoreOptions = {}): Promise<Versioned<T>> {
    try {
      const { resource } = await this.container.item(doc.id, doc.tenantId).replace<T>(doc, {
        accessCondition: { type: 'IfMatch', condition: ifMatch },
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      return versioned<T>(resource, this.what);
    } catch (err) {
      // A document deleted since it was read is as stale as one that changed.
      if (cosmosStatus(err) === 404) throw new StaleEtagError(`${this.what}: deleted since it was read`);
      throw mapWriteError(err, this.what);
    }
  }

  async delete(tenantId: string, id: string, ifMatch?: string, options: StoreOptions = {}): Promise<boolean> {
    try {
      await this.container.item(id, tenantId).delete({
        ...(ifMatch !== undefined ? { accessCondition: { type: 'IfMatch', condition: ifMatch } } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      return true;
    } catch (err) {
      if (cosmosStatus(err) === 404) return false;
      throw mapWriteError(err, this.what);
    }
  }

  /** One page of `SELECT * FROM c WHERE c.tenantId = @tenantId AND <where> ORDER BY c.<orderBy> DESC`. */
  async queryPage(
    tenantId: string,
    where: readonly string[],
    parameters: readonly SqlParameter[],
    page: PageRequest,
    orderBy: string,
    options: StoreOptions = {},
  ): Promise<Page<Versioned<T>>> {
    const clauses = ['c.tenantId = @tenantId', ...where];
    const response = await this.container.items
      .query<ItemDefinition>(
        {
          query: `SELECT * FROM c WHERE ${clauses.join(' AND ')} ORDER BY c.${orderBy} DESC`,
          parameters: [{ name: '@tenantId', value: tenantId }, ...parameters],
        },
        {
          partitionKey: tenantId,
          maxItemCount: page.limit,
          ...(page.continuationToken !== undefined ? { continuationToken: page.continuationToken } : {}),
          ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        },
      )
      .fetchNext()
      .catch((err: unknown) => {
        if (
          page.continuationToken !== undefined &&
          (cosmosStatus(err) === 400 || err instanceof SyntaxError)
        ) {
          throw new InvalidContinuationTokenError('continuation token not recognised');
        }
        throw err;
      });
    const items = response.resources.map((r) => versioned<T>(r, this.what));
    // Typed as string, but absent on the last page.
    const token = response.continuationToken as string | undefined;
    return {
      items,
      ...(response.hasMoreResults && token !== undefined && token !== '' ? { continuationToken: token } : {}),
    };
  }

  async count(
    tenantId: string,
    where: readonly string[],
    parameters: readonly SqlParameter[],
  ): Promise<number> {
    const clauses = ['c.tenantId = @tenantId', ...where];
    const { resources } = await this.container.items
      .query<number>(
        {
          query: `SELECT VALUE COUNT(1) FROM c WHERE ${clauses.join(' AND ')}`,
          parameters: [{ name: '@tenantId', value: tenantId }, ...parameters],
        },
        { partitionKey: tenantId },
      )
      .fetchAll();
    return resources[0] ?? 0;
  }
}
