/**
 * Resolves record ids between the canonical store and an external system, for the mapping
 * engine's `lookup` transform (e.g. an Asana assignee gid → the internal MEMBER id). The engine
 * collects every id of a page and calls `resolveLinks` once, so an implementation should answer
 * all queries with as few store round trips as it can (one Cosmos query per query entry, with
 * `ARRAY_CONTAINS` over the ids, is the intended shape).
 */

export type LinkDirection = 'toInternal' | 'toExternal';

export interface LinkScope {
  readonly tenantId: string;
  readonly integrationId: string;
}

export interface LinkQuery {
  readonly resourceType: string;
  /** toInternal: `ids` are external ids; toExternal: `ids` are internal ids. */
  readonly direction: LinkDirection;
  /** Distinct ids, at most one page's worth. */
  readonly ids: readonly string[];
}

export interface ResolveLinksOptions {
  readonly abortSignal?: AbortSignal;
}

export interface LinkLookup {
  /**
   * One map per query, in query order, from each id that has a link to the linked id. Ids
   * without a link are absent from the map (not an error: the mapping decides what that means).
   */
  resolveLinks(
    scope: LinkScope,
    queries: readonly LinkQuery[],
    options?: ResolveLinksOptions,
  ): Promise<readonly ReadonlyMap<string, string>[]>;
}

export interface InMemoryLink {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly resourceType: string;
  readonly internalId: string;
  readonly externalId: string;
}

export interface InMemoryLinkLookup extends LinkLookup {
  /** How many times resolveLinks was called (tests assert lookups are batched). */
  readonly calls: number;
  add(link: InMemoryLink): void;
}

/** A LinkLookup over an in-memory table, for tests, benches and dry runs. */
export function createInMemoryLinkLookup(links: readonly InMemoryLink[] = []): InMemoryLinkLookup {
  // One table per (tenant, integration, resource type, direction): a query touches one table.
  const tables = new Map<string, Map<string, string>>();
  const tableKey = (scope: LinkScope, resourceType: string, direction: LinkDirection): string =>
    JSON.stringify([scope.tenantId, scope.integrationId, resourceType, direction]);
  const table = (k: string): Map<string, string> => {
    let t = tables.get(k);
    if (t === undefined) {
      t = new Map();
      tables.set(k, t);
    }
    return t;
  };
  let calls = 0;
  const lookup: InMemoryLinkLookup = {
    get calls() {
      return calls;
    },
    add(link) {
      table(tableKey(link, link.resourceType, 'toInternal')).set(link.externalId, link.internalId);
      table(tableKey(link, link.resourceType, 'toExternal')).set(link.internalId, link.externalId);
    },
    resolveLinks(scope, queries, options) {
      calls++;
      if (options?.abortSignal?.aborted === true) {
        return Promise.reject(
          options.abortSignal.reason instanceof Error ? options.abortSignal.reason : new Error('aborted'),
        );
      }
      return Promise.resolve(
        queries.map((q) => {
          const t = tables.get(tableKey(scope, q.resourceType, q.direction));
          const found = new Map<string, string>();
          if (t === undefined) return found;
          for (const id of q.ids) {
            const hit = t.get(id);
            if (hit !== undefined) found.set(id, hit);
          }
          return found;
        }),
      );
    },
  };
  for (const link of links) lookup.add(link);
  return lookup;
}
