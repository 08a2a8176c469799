/**
 * Cosmos DB containers: ONE declaration that composition creates at start and infra/azure mirrors.
 * Unique keys are scoped to a logical partition, which is why tenant-partitioned containers do not
 * repeat /tenantId in them.
 */
export interface ContainerDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly uniqueKeys: readonly (readonly string[])[];
  /** Seconds; undefined keeps items forever. Cosmos TTL is set in Azure; locally a cleanup job enforces it. */
  readonly defaultTtlSeconds?: number;
}

export const DATABASE_NAME = 'sync';

export const ContainerNames = {
  tenants: 'tenants',
  apiKeys: 'api_keys',
  providers: 'integration_providers',
  integrations: 'integrations',
  connections: 'integration_connections',
  records: 'records',
  links: 'links',
  syncRuns: 'sync_runs',
  syncLogs: 'sync_logs',
  conflicts: 'conflicts',
  webhookEvents: 'webhook_events',
  deadLetters: 'dead_letters',
  snapshots: 'snapshots',
  leases: 'leases',
} as const;

export type ContainerName = (typeof ContainerNames)[keyof typeof ContainerNames];

const DAY = 24 * 60 * 60;

export const CONTAINERS: readonly ContainerDefinition[] = [
  { name: ContainerNames.tenants, partitionKey: '/id', uniqueKeys: [] },
  // Keyed by the SHA-256 of the API key, so authentication is one point read.
  { name: ContainerNames.apiKeys, partitionKey: '/id', uniqueKeys: [] },
  { name: ContainerNames.providers, partitionKey: '/category', uniqueKeys: [['/provider']] },
  { name: ContainerNames.integrations, partitionKey: '/tenantId', uniqueKeys: [['/name']] },
  { name: ContainerNames.connections, partitionKey: '/tenantId', uniqueKeys: [['/name']] },
  { name: ContainerNames.records, partitionKey: '/tenantId', uniqueKeys: [['/resourceType', '/recordId']] },
  {
    name: ContainerNames.links,
    partitionKey: '/tenantId',
    uniqueKeys: [
      ['/integrationId', '/resourceType', '/internalId'],
      ['/integrationId', '/resourceType', '/externalId'],
    ],
  },
  { name: ContainerNames.syncRuns, partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 90 * DAY },
  { name: ContainerNames.syncLogs, partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 30 * DAY },
  { name: ContainerNames.conflicts, partitionKey: '/tenantId', uniqueKeys: [] },
  // Delivery ids are kept at least 72 h for dedup; 7 days covers providers that retry for days.
  {
    name: ContainerNames.webhookEvents,
    partitionKey: '/tenantId',
    uniqueKeys: [],
    defaultTtlSeconds: 7 * DAY,
  },
  {
    name: ContainerNames.deadLetters,
    partitionKey: '/tenantId',
    uniqueKeys: [],
    defaultTtlSeconds: 30 * DAY,
  },
  { name: ContainerNames.snapshots, partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 90 * DAY },
  { name: ContainerNames.leases, partitionKey: '/tenantId', uniqueKeys: [] },
];
