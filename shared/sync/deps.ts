import type { IntegrationDocument } from '../domain/integration';
import type { Logger } from '../observability/logger';
import type { BlobStore } from '../ports/blobStore';
import type { DeadLetterStore } from '../ports/deadLetterStore';
import type { StoreOptions, Versioned } from '../ports/documentStore';
import type { DueIntegrationSource } from '../ports/dueIntegrations';
import type { EventPublisher } from '../ports/eventPublisher';
import type { IntegrationStore } from '../ports/integrationStore';
import type { JobQueue } from '../ports/jobQueue';
import type { LeaseStore } from '../ports/leaseStore';
import type { LinkStore } from '../ports/linkStore';
import type { RecordSource } from '../ports/recordSource';
import type { RecordStore } from '../ports/recordStore';
import type { SyncLogStore } from '../ports/syncLogStore';
import type { SyncRunStore } from '../ports/syncRunStore';
import type { Telemetry } from '../ports/telemetry';
import type { WebhookEventStore } from '../ports/webhookEventStore';

/** The integration with a source to read it through (credentials already loaded). */
export interface OpenedSource {
  readonly integration: Versioned<IntegrationDocument>;
  readonly source: RecordSource;
}

/**
 * Opens an integration's provider: loads the integration, its connection and credentials, and
 * builds the adapter. Undefined when the integration (or its connection) is not in this tenant.
 */
export type SourceOpener = (
  tenantId: string,
  integrationId: string,
  options?: StoreOptions,
) => Promise<OpenedSource | undefined>;

/** What the sync use cases touch; built once per process by the composition (Temporal `createActivities(deps)`). */
export interface SyncDeps {
  readonly records: RecordStore;
  readonly links: LinkStore;
  readonly runs: SyncRunStore;
  readonly leases: LeaseStore;
  readonly syncLogs: SyncLogStore;
  readonly deadLetters: DeadLetterStore;
  readonly integrations: IntegrationStore;
  readonly dueIntegrations: DueIntegrationSource;
  readonly openSource: SourceOpener;
  readonly jobs: JobQueue;
  readonly events: EventPublisher;
  readonly blobs: BlobStore;
  readonly webhookEvents: WebhookEventStore;
  readonly logger: Logger;
  readonly telemetry?: Telemetry;
  readonly now?: () => Date;
  /** Writes in flight per page; Cosmos throughput scales with it up to the account's limit. */
  readonly writeConcurrency?: number;
}

export function clock(deps: Pick<SyncDeps, 'now'>): Date {
  return deps.now?.() ?? new Date();
}
