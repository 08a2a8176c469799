import type { Page, PageRequest, ReplaceOptions, StoreOptions, Versioned } from './documentStore';

/** Who last wrote a record's content. */
export interface RecordOrigin {
  readonly source: 'inbound' | 'api';
  readonly integrationId?: string;
  readonly externalId?: string;
}

/**
 * A canonical record (the `records` container, partition /tenantId, unique
 * (resourceType, recordId) per tenant). `hash` is the canonical hash of `data` under the
 * writing mapping's ignore list; `version` counts content changes, never no-op writes.
 */
export interface CanonicalRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly resourceType: string;
  readonly recordId: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly version: number;
  readonly hash: string;
  readonly deleted: boolean;
  readonly deletedAt?: string;
  readonly origin: RecordOrigin;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The Cosmos document id of a record: resource type and record id are both id-safe. */
export function recordDocumentId(resourceType: string, recordId: string): string {
  return `${resourceType}:${recordId}`;
}

export interface RecordFilter {
  /** Only records whose updatedAt is strictly after this ISO time. */
  readonly updatedSince?: string;
  readonly includeDeleted?: boolean;
}

export interface RecordStore {
  getRecord(
    tenantId: string,
    resourceType: string,
    recordId: string,
    options?: StoreOptions,
  ): Promise<Versioned<CanonicalRecord> | undefined>;
  /** Throws DuplicateError when the record already exists. */
  createRecord(record: CanonicalRecord, options?: StoreOptions): Promise<Versioned<CanonicalRecord>>;
  /** Throws StaleEtagError when the record changed since it was read. */
  replaceRecord(record: CanonicalRecord, options: ReplaceOptions): Promise<Versioned<CanonicalRecord>>;
  /** Oldest change first (a feed to pull from), continuation-token paged. */
  listRecords(
    tenantId: string,
    resourceType: string,
    filter: RecordFilter,
    page: PageRequest,
    options?: StoreOptions,
  ): Promise<Page<CanonicalRecord>>;
}
