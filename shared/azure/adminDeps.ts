import type { Container } from '@azure/cosmos';
import type { SecretClient } from '@azure/keyvault-secrets';

import { HttpClient } from '../../adapters/base/httpClient';
import type { AdminDeps } from '../admin/deps';
import type { ContainerName } from '../config/containers';
import { ContainerNames } from '../config/containers';
import type { Config } from '../config/env';
import type { Logger } from '../observability/logger';
import { CosmosConnectionStore } from './cosmosConnectionStore';
import { CosmosIntegrationDataStore } from './cosmosIntegrationDataStore';
import { CosmosIntegrationStore } from './cosmosIntegrationStore';
import { CosmosSyncLogStore } from './cosmosSyncLogStore';
import { CosmosApiKeyStore, CosmosTenantStore } from './cosmosTenantStore';
import { KeyVaultSecretStore } from './keyVaultSecretStore';

/** The admin slice's stores on Cosmos and Key Vault, and the outbound client for connection tests. */
export function createAdminDeps(parts: {
  readonly config: Config;
  readonly logger: Logger;
  readonly container: (name: ContainerName) => Container;
  readonly secrets: SecretClient;
}): AdminDeps {
  const { container } = parts;
  return {
    tenants: new CosmosTenantStore(container(ContainerNames.tenants)),
    apiKeys: new CosmosApiKeyStore(container(ContainerNames.apiKeys)),
    integrations: new CosmosIntegrationStore(container(ContainerNames.integrations)),
    integrationData: new CosmosIntegrationDataStore(container),
    connections: new CosmosConnectionStore(container(ContainerNames.connections)),
    syncLogs: new CosmosSyncLogStore(container(ContainerNames.syncLogs)),
    secrets: new KeyVaultSecretStore(parts.secrets),
    http: new HttpClient({ allowlist: parts.config.outboundAllowlist, userAgent: 'sync-engine-admin' }),
    webhookBaseUrl: parts.config.webhookBaseUrl,
    logger: parts.logger,
  };
}
