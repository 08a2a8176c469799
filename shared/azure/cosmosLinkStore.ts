import type { Container } from '@azure/cosmos';

import type { StoreOptions, Versioned } from '../ports/documentStore';
import type { LinkQuery, LinkScope, ResolveLinksOptions } from '../ports/linkLookup';
import type { LinkStore, RecordLink } from '../ports/linkStore';
import { linkDocumentId } from '../ports/linkStore';
import { mapLimit } from '../sync/concurrency';
import { CosmosTenantDocuments } from './cosmosDocuments';
import { queryAll } from './cosmosQuery';

const POINT_READ_CONCURRENCY = 32;

/** Links in the `links` container; every lookup is one query per page of ids (ARRAY_CONTAINS). */
export class CosmosLinkStore implements LinkStore {
  private readonly docs: CosmosTenantDocuments<RecordLink>;

  constructor(private readonly container: Container) {
    this.docs = new CosmosTenantDocuments(container, 'link');
  }

  async getLinksByExternalIds(
    scope: LinkScope,
    resourceType: string,
    externalIds: readonly string[],
    options?: StoreOptions,
  ): Promise<ReadonlyMap<string, Versioned<RecordLink>>> {
    const out = new Map<string, Versioned<RecordLink>>();
    const ids = [...new Set(externalIds)];
    await mapLimit(ids, POINT_READ_CONCURRENCY, async (externalId) => {
      const found = await this.docs.get(
        scope.tenantId,
        linkDocumentId(scope.integrationId, resourceType, externalId),
        options,
      );
      if (found !== undefined) out.set(externalId, found);
    });
    return out;
  }

  writeLink(
    link: RecordLink,
    options: StoreOptions & { readonly ifMatch?: string } = {},
  ): Promise<Versioned<RecordLink>> {
    return options.ifMatch === undefined
      ? this.docs.create(link, options)
      : this.docs.replace(link, options.ifMatch, options);
  }

  async listLinksOfRecords(
    tenantId: string,
    resourceType: string,
    internalIds: readonly string[],
    options?: StoreOptions,
  ): Promise<readonly RecordLink[]> {
    if (internalIds.length === 0) return [];
    const found = await queryAll<RecordLink>(
      this.container,
      tenantId,
      {
        query:
          'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.resourceType = @resourceType AND ARRAY_CONTAINS(@ids, c.internalId)',
        parameters: [
          { name: '@tenantId', value: tenantId },
          { name: '@resourceType', value: resourceType },
          { name: '@ids', value: [...new Set(internalIds)] },
        ],
      },
      options,
    );
    return found.map((f) => f.value);
  }

  async resolveLinks(
    scope: LinkScope,
    queries: readonly LinkQuery[],
    options?: ResolveLinksOptions,
  ): Promise<readonly ReadonlyMap<string, string>[]> {
    return Promise.all(
      queries.map(async (q) => {
        const field = q.direction === 'toInternal' ? 'externalId' : 'internalId';
        const found = await queryAll<RecordLink>(
          this.container,
          scope.tenantId,
          {
            query: `SELECT * FROM c WHERE c.tenantId = @tenantId AND c.integrationId = @integrationId AND c.resourceType = @resourceType AND ARRAY_CONTAINS(@ids, c.${field})`,
            parameters: [
              { name: '@tenantId', value: scope.tenantId },
              { name: '@integrationId', value: scope.integrationId },
              { name: '@resourceType', value: q.resourceType },
              { name: '@ids', value: [...q.ids] },
            ],
          },
          options?.abortSignal ? { abortSignal: options.abortSignal } : {},
        );
        const map = new Map<string, string>();
        for (const { value } of found) {
          if (value.deleted === true) continue;
          if (q.direction === 'toInternal') map.set(value.externalId, value.internalId);
          else map.set(value.internalId, value.externalId);
        }
        return map;
      }),
    );
  }
}
