import { createHash } from 'node:crypto';

import type { StoreOptions, Versioned } from './documentStore';
import type { LinkLookup, LinkScope } from './linkLookup';

/**
 * (integration, resource type, internal id) ↔ external id, with what the last sync saw: the
 * canonical hash of the external side and the mapped snapshot (the base for a 3-way merge).
 */
export interface RecordLink {
  readonly id: string;
  readonly tenantId: string;
  readonly integrationId: string;
  readonly resourceType: string;
  readonly internalId: string;
  readonly externalId: string;
  readonly lastSyncedAt: string;
  /** Canonical hash of the mapped external record at the last inbound sync. */
  readonly lastExternalHash: string;
  /** Canonical hash of the local record after that sync. */
  readonly lastLocalHash: string;
  readonly externalUpdatedAt?: string;
  readonly base?: Readonly<Record<string, unknown>>;
  readonly deleted?: boolean;
}

/**
 * The link's document id is derived from its external key, so "the link for this external id"
 * is a point read and two writers racing to create it collide on the id instead of making two.
 */
export function linkDocumentId(integrationId: string, resourceType: string, externalId: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([integrationId, resourceType, externalId]))
    .digest('hex');
  return `lnk_${digest.slice(0, 48)}`;
}

export interface LinkStore extends LinkLookup {
  /** The links of these external ids (one round trip per call); absent ids have none. */
  getLinksByExternalIds(
    scope: LinkScope,
    resourceType: string,
    externalIds: readonly string[],
    options?: StoreOptions,
  ): Promise<ReadonlyMap<string, Versioned<RecordLink>>>;
  /** Create when `ifMatch` is absent (DuplicateError if it exists), replace otherwise (StaleEtagError). */
  writeLink(
    link: RecordLink,
    options?: StoreOptions & { readonly ifMatch?: string },
  ): Promise<Versioned<RecordLink>>;
  /** Every link of these records, across integrations (the records API shows them). */
  listLinksOfRecords(
    tenantId: string,
    resourceType: string,
    internalIds: readonly string[],
    options?: StoreOptions,
  ): Promise<readonly RecordLink[]>;
}
