import type { Container } from '@azure/cosmos';
import type { EventGridPublisherClient } from '@azure/eventgrid';
import type { ServiceBusSender } from '@azure/service-bus';
import type { BlobServiceClient } from '@azure/storage-blob';

import type { AdapterDefinition } from '../../adapters/base/adapter';
import { restAdapterDefinition } from '../../adapters/rest';
import { wordpressAdapterDefinition } from '../../adapters/wordpress';
import type { AdminDeps } from '../admin/deps';
import { loadWebhookTarget, storeHandshakeWebhookSecret } from '../admin/integrationOps';
import { BlobContainerNames } from '../config/blobContainers';
import type { ContainerName } from '../config/containers';
import { ContainerNames } from '../config/containers';
import type { Config } from '../config/env';
import type { QueueName } from '../config/queues';
import type { Logger } from '../observability/logger';
import type { Telemetry } from '../ports/telemetry';
import { createSourceOpener } from '../sync/adapterSource';
import { batchingPublisher } from '../sync/batchingPublisher';
import { segmentedArchive } from '../sync/bodyArchive';
import type { SyncDeps } from '../sync/deps';
import type { ReceiveWebhookDeps } from '../sync/receiveWebhook';
import { cacheWebhookTargets } from '../sync/webhookTargetCache';
import { AzureBlobStore } from './azureBlobStore';
import { CosmosDeadLetterStore } from './cosmosDeadLetterStore';
import { CosmosDueIntegrations } from './cosmosDueIntegrations';
import { CosmosLeaseStore } from './cosmosLeaseStore';
import { CosmosLinkStore } from './cosmosLinkStore';
import { CosmosRecordStore } from './cosmosRecordStore';
import { CosmosSyncRunStore } from './cosmosSyncRunStore';
import { CosmosWebhookEventStore } from './cosmosWebhookEventStore';
import { EventGridEventPublisher } from './eventGridPublisher';
import { ServiceBusJobQueue } from './serviceBusJobQueue';

/** Providers with an inbound adapter; the admin registry lists more for catalogue and tests. */
const ADAPTERS: ReadonlyMap<string, AdapterDefinition> = new Map([
  [restAdapterDefinition.descriptor.id, restAdapterDefinition],
  [wordpressAdapterDefinition.descriptor.id, wordpressAdapterDefinition],
]);

export interface SyncParts {
  readonly config: Config;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly container: (name: ContainerName) => Container;
  readonly sender: (queue: QueueName) => ServiceBusSender;
  readonly eventGrid: EventGridPublisherClient<'EventGrid'>;
  readonly blobs: BlobServiceClient;
  readonly admin: AdminDeps;
}

export interface SyncComposition {
  readonly sync: SyncDeps;
  readonly webhooks: ReceiveWebhookDeps;
}

/** The sync slice's ports on Cosmos, Service Bus, Event Grid and Blob, built once per process. */
export function createSyncComposition(parts: SyncParts): SyncComposition {
  const { container, admin } = parts;
  const blobs = new AzureBlobStore(parts.blobs, parts.config.localEmulators);
  const events = new EventGridEventPublisher(parts.eventGrid);
  const webhookEvents = new CosmosWebhookEventStore(container(ContainerNames.webhookEvents));
  const sync: SyncDeps = {
    records: new CosmosRecordStore(container(ContainerNames.records)),
    links: new CosmosLinkStore(container(ContainerNames.links)),
    runs: new CosmosSyncRunStore(container(ContainerNames.syncRuns)),
    leases: new CosmosLeaseStore(container(ContainerNames.leases)),
    syncLogs: admin.syncLogs,
    deadLetters: new CosmosDeadLetterStore(container(ContainerNames.deadLetters)),
    integrations: admin.integrations,
    dueIntegrations: new CosmosDueIntegrations(container(ContainerNames.integrations)),
    openSource: createSourceOpener({ admin, http: admin.http, definition: (id) => ADAPTERS.get(id) }),
    jobs: new ServiceBusJobQueue(parts.sender),
    events,
    blobs,
    webhookEvents,
    logger: parts.logger,
    telemetry: parts.telemetry,
  };
  const loadTarget = cacheWebhookTargets((provider, integrationId, options) =>
    loadWebhookTarget(admin, provider, integrationId, options),
  );
  const webhooks: ReceiveWebhookDeps = {
    loadTarget,
    storeHandshakeSecret: async (tenantId, integrationId, secret) => {
      await storeHandshakeWebhookSecret(admin, tenantId, integrationId, secret);
      loadTarget.forget(integrationId);
    },
    webhookEvents,
    archive: segmentedArchive(blobs, BlobContainerNames.webhookBodies),
    // Deliveries arriving together share one Event Grid request.
    events: batchingPublisher(events),
    logger: parts.logger,
    telemetry: parts.telemetry,
    webhookBaseUrl: parts.config.webhookBaseUrl,
    maxBodyBytes: parts.config.webhookMaxBodyBytes,
  };
  return { sync, webhooks };
}
