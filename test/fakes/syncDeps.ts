import type { IntegrationDocument } from '../../shared/domain/integration';
import { createLogger } from '../../shared/observability/logger';
import type { SyncDeps } from '../../shared/sync/deps';
import { FakeRecordSource } from './recordSource';
import {
  MemoryBlobStore,
  MemoryDeadLetterStore,
  MemoryEventPublisher,
  MemoryIntegrationStore,
  MemoryJobQueue,
  MemoryLeaseStore,
  MemoryLinkStore,
  MemoryRecordStore,
  MemorySyncLogStore,
  MemorySyncRunStore,
  MemoryWebhookEventStore,
} from './syncStores';

export const TENANT = 'ten_aaaaaaaaaaaaaaaa';
export const INTEGRATION = 'int_bbbbbbbbbbbbbbbb_aaaaaaaaaaaaaaaa';

export function integrationDoc(overrides: Partial<IntegrationDocument> = {}): IntegrationDocument {
  return {
    id: INTEGRATION,
    tenantId: TENANT,
    name: 'crm',
    provider: 'rest',
    connectionId: 'con_cccccccccccccccc',
    direction: 'inbound',
    sourceOfTruth: 'external',
    resourceTypes: [
      {
        name: 'items',
        enabled: true,
        mapping: {
          resourceType: 'items',
          inbound: [
            { from: 'name', to: 'title' },
            { from: 'price', to: 'amount' },
            { from: 'updatedAt', to: 'modified' },
          ],
          hash: { ignore: ['modified'] },
        },
      },
    ],
    conflictStrategy: 'LATEST_WINS',
    schedule: { frequency: 'HOURLY', timeZone: 'UTC' },
    status: 'ACTIVE',
    webhook: { scheme: 'github' },
    cursors: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export interface FakeSync {
  readonly deps: SyncDeps;
  readonly records: MemoryRecordStore;
  readonly links: MemoryLinkStore;
  readonly runs: MemorySyncRunStore;
  readonly leases: MemoryLeaseStore;
  readonly syncLogs: MemorySyncLogStore;
  readonly deadLetters: MemoryDeadLetterStore;
  readonly integrations: MemoryIntegrationStore;
  readonly jobs: MemoryJobQueue;
  readonly events: MemoryEventPublisher;
  readonly blobs: MemoryBlobStore;
  readonly webhookEvents: MemoryWebhookEventStore;
  readonly source: FakeRecordSource;
  /** Moves the fake clock. */
  setNow(iso: string): void;
  /** Record and link writes so far. */
  dataWrites(): number;
}

export function createFakeSync(options: { pageSize?: number; now?: string } = {}): FakeSync {
  const records = new MemoryRecordStore();
  const links = new MemoryLinkStore();
  const runs = new MemorySyncRunStore();
  const leases = new MemoryLeaseStore();
  const syncLogs = new MemorySyncLogStore();
  const deadLetters = new MemoryDeadLetterStore();
  const integrations = new MemoryIntegrationStore();
  const jobs = new MemoryJobQueue();
  const events = new MemoryEventPublisher();
  const blobs = new MemoryBlobStore();
  const webhookEvents = new MemoryWebhookEventStore();
  const source = new FakeRecordSource(options.pageSize ?? 3);
  let now = new Date(options.now ?? '2025-06-01T12:00:00.000Z');
  const deps: SyncDeps = {
    records,
    links,
    runs,
    leases,
    syncLogs,
    deadLetters,
    integrations,
    dueIntegrations: integrations,
    openSource: async (tenantId, integrationId) => {
      const integration = await integrations.getIntegration(tenantId, integrationId);
      return integration === undefined ? undefined : { integration, source };
    },
    jobs,
    events,
    blobs,
    webhookEvents,
    logger: createLogger({ level: 'error', write: () => undefined }),
    now: () => now,
  };
  return {
    deps,
    records,
    links,
    runs,
    leases,
    syncLogs,
    deadLetters,
    integrations,
    jobs,
    events,
    blobs,
    webhookEvents,
    source,
    setNow: (iso) => {
      now = new Date(iso);
    },
    dataWrites: () => records.table.writes + links.table.writes,
  };
}
