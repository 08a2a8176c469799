import type { StoreOptions } from './documentStore';

/**
 * The inbound side of a provider adapter, as the sync use cases need it. The adapters'
 * own contract (adapters/base) is richer; composition bridges it to this narrow port so the
 * use cases can be tested with a fake and do not depend on HTTP details.
 */

export interface SourceRecord {
  readonly externalId: string;
  /** ISO-8601 UTC; drives the incremental watermark. */
  readonly updatedAt?: string;
  /** A tombstone (trashed, archived, deleted): the canonical record becomes deleted. */
  readonly deleted: boolean;
  /** The provider's record as it came (before mapping). */
  readonly data: unknown;
}

export interface SourcePage {
  readonly records: readonly SourceRecord[];
  /** Where the next page starts; undefined after the last page. Opaque, kept in checkpoints. */
  readonly nextCursor?: string;
}

export interface ListRecordsRequest extends StoreOptions {
  readonly resourceType: string;
  /** Only records changed at or after this ISO time (incremental). */
  readonly since?: string;
  /** Resume after a checkpoint: the `nextCursor` of the last completed page. */
  readonly cursor?: string;
}

/** One change a webhook announced: with the record when the provider sent it, else only its id. */
export interface WebhookChange {
  readonly resourceType: string;
  readonly externalId: string;
  readonly action: 'upsert' | 'delete';
  readonly record?: SourceRecord;
}

export interface RecordSource {
  listRecords(request: ListRecordsRequest): AsyncIterable<SourcePage>;
  /** Undefined when the provider no longer has it. */
  getRecord(
    resourceType: string,
    externalId: string,
    options?: StoreOptions,
  ): Promise<SourceRecord | undefined>;
  /** The changes a webhook body announces; throws InvalidPayloadError when it cannot tell. */
  parseWebhook(body: Buffer, contentType: string | undefined): readonly WebhookChange[];
}
