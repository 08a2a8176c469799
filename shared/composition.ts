import { readFileSync } from 'node:fs';
import https from 'node:https';

import type { TokenCredential } from '@azure/core-auth';
import { AzureKeyCredential } from '@azure/core-auth';
import type { Container, Database } from '@azure/cosmos';
import { CosmosClient } from '@azure/cosmos';
import { EventGridPublisherClient } from '@azure/eventgrid';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import type { ServiceBusSender } from '@azure/service-bus';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';

import type { AdminDeps } from './admin/deps';
import { createAdminDeps } from './azure/adminDeps';
import { createAppInsightsTelemetry } from './azure/appInsightsTelemetry';
import { ensureCosmosResources } from './azure/cosmosResources';
import { createHealthChecks } from './azure/healthProbes';
import { LocalTokenCredential } from './azure/localCredential';
import { localCaPipelinePolicy } from './azure/localTls';
import { createSyncComposition } from './azure/syncDeps';
import type { ContainerName } from './config/containers';
import type { Config } from './config/env';
import { loadConfig } from './config/env';
import type { QueueName } from './config/queues';
import type { Logger } from './observability/logger';
import { createLogger } from './observability/logger';
import type { HealthCheck } from './ports/healthCheck';
import type { Telemetry } from './ports/telemetry';
import { noopTelemetry } from './ports/telemetry';
import type { SyncDeps } from './sync/deps';
import type { ReceiveWebhookDeps } from './sync/receiveWebhook';

/**
 * Every client the app uses, built once per process (cold start) and shared by all invocations:
 * SDK clients hold connection pools and AMQP links that are expensive to rebuild per call.
 */
export interface Composition {
  readonly config: Config;
  readonly logger: Logger;
  readonly telemetry: Telemetry;
  readonly credential: TokenCredential;
  readonly cosmos: CosmosClient;
  readonly database: Database;
  container(name: ContainerName): Container;
  readonly serviceBus: ServiceBusClient;
  sender(queue: QueueName): ServiceBusSender;
  readonly eventGrid: EventGridPublisherClient<'EventGrid'>;
  readonly secrets: SecretClient;
  readonly blobs: BlobServiceClient;
  readonly healthChecks: readonly HealthCheck[];
  /** Stores and clients of the admin API (tenants, keys, integrations, connections, secrets). */
  readonly admin: AdminDeps;
  /** Stores, queues and adapters of the sync use cases (scheduler, inbound runs, webhook events). */
  readonly sync: SyncDeps;
  /** The webhook receiver's hot path: cached integration targets, dedup, Blob, Event Grid. */
  readonly webhooks: ReceiveWebhookDeps;
  dispose(): Promise<void>;
}

export async function createComposition(config: Config): Promise<Composition> {
  const logger = createLogger({ level: config.logLevel });
  const caPem =
    config.localCaCertPath !== undefined ? readFileSync(config.localCaCertPath, 'utf8') : undefined;
  const tlsPolicies =
    caPem !== undefined ? [{ policy: localCaPipelinePolicy(caPem), position: 'perCall' as const }] : [];

  const credential: TokenCredential = config.localEmulators
    ? new LocalTokenCredential()
    : new DefaultAzureCredential(
        config.azureClientId !== undefined ? { managedIdentityClientId: config.azureClientId } : {},
      );

  const cosmosIsHttp = config.cosmos.endpoint.startsWith('http:');
  const cosmos = new CosmosClient({
    endpoint: config.cosmos.endpoint,
    ...(config.cosmos.key !== undefined ? { key: config.cosmos.key } : { aadCredentials: credential }),
    // Over http the SDK uses its own keep-alive agent and only then allows plain http; over https
    // ours adds keep-alive and trusts the local CA.
    ...(cosmosIsHttp
      ? {}
      : {
          agent: new https.Agent({
            keepAlive: true,
            maxSockets: 64,
            ...(caPem !== undefined ? { ca: caPem } : {}),
          }),
        }),
    ...(config.localEmulators ? { connectionPolicy: { enableEndpointDiscovery: false } } : {}),
  });
  const database = cosmos.database(config.cosmos.database);
  // In Azure, Bicep owns the containers and the app's data-plane role cannot create them.
  if (config.localEmulators) await ensureCosmosResources(cosmos, config.cosmos.database);

  const serviceBus =
    config.serviceBus.kind === 'connectionString'
      ? new ServiceBusClient(config.serviceBus.connectionString)
      : new ServiceBusClient(config.serviceBus.fullyQualifiedNamespace, credential);
  const senders = new Map<QueueName, ServiceBusSender>();

  const eventGrid =
    config.eventGrid.key !== undefined
      ? new EventGridPublisherClient(
          config.eventGrid.endpoint,
          'EventGrid',
          new AzureKeyCredential(config.eventGrid.key),
          {
            allowInsecureConnection: config.localEmulators,
          },
        )
      : new EventGridPublisherClient(config.eventGrid.endpoint, 'EventGrid', credential);

  const secrets = new SecretClient(config.keyVault.uri, credential, {
    // The local vault is not at *.vault.azure.net, so the challenge's resource cannot match it.
    disableChallengeResourceVerification: config.localEmulators,
    additionalPolicies: tlsPolicies,
  });

  const blobs =
    config.storage.kind === 'connectionString'
      ? BlobServiceClient.fromConnectionString(config.storage.connectionString)
      : new BlobServiceClient(config.storage.blobServiceUri, credential);

  const telemetry =
    config.appInsightsConnectionString !== undefined
      ? createAppInsightsTelemetry(config.appInsightsConnectionString)
      : noopTelemetry;

  const container = (name: ContainerName): Container => database.container(name);
  const admin = createAdminDeps({ config, logger, container, secrets });

  const composition: Omit<Composition, 'sync' | 'webhooks'> = {
    config,
    logger,
    telemetry,
    credential,
    cosmos,
    database,
    container,
    serviceBus,
    sender: (queue) => {
      let sender = senders.get(queue);
      if (sender === undefined) {
        sender = serviceBus.createSender(queue);
        senders.set(queue, sender);
      }
      return sender;
    },
    eventGrid,
    secrets,
    blobs,
    healthChecks: [],
    admin,
    dispose: async () => {
      await Promise.allSettled([...senders.values()].map((s) => s.close()));
      await serviceBus.close();
      cosmos.dispose();
      await admin.http.close();
      await telemetry.flush();
    },
  };
  const { sync, webhooks } = createSyncComposition({
    config,
    logger,
    telemetry,
    container,
    sender: composition.sender,
    eventGrid,
    blobs,
    admin,
  });
  const full: Composition = { ...composition, sync, webhooks };
  return { ...full, healthChecks: createHealthChecks(full) };
}

let current: Promise<Composition> | undefined;

/** The process-wide composition; the first caller pays the cold start, later callers share it. */
export function getComposition(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Composition> {
  if (current === undefined) {
    current = createComposition(loadConfig(env));
    // A failed cold start must not poison every later invocation with the same rejected promise.
    current.catch(() => {
      current = undefined;
    });
  }
  return current;
}

/** Tests and the local host call this between runs so the next getComposition() starts afresh. */
export async function resetComposition(): Promise<void> {
  const previous = current;
  current = undefined;
  if (previous !== undefined) {
    const c = await previous.catch(() => undefined);
    await c?.dispose();
  }
}
