import type { HttpClient } from '../../adapters/base/httpClient';
import type { Role } from '../domain/apiKey';
import type { Logger } from '../observability/logger';
import type { ConnectionStore } from '../ports/connectionStore';
import type { IntegrationDataStore, IntegrationStore } from '../ports/integrationStore';
import type { SecretStore } from '../ports/secretStore';
import type { SyncLogStore } from '../ports/syncLogStore';
import type { ApiKeyStore, TenantStore } from '../ports/tenantStore';

/** Everything the admin use cases touch, built once per process by the composition. */
export interface AdminDeps {
  readonly tenants: TenantStore;
  readonly apiKeys: ApiKeyStore;
  readonly integrations: IntegrationStore;
  readonly integrationData: IntegrationDataStore;
  readonly connections: ConnectionStore;
  readonly syncLogs: SyncLogStore;
  readonly secrets: SecretStore;
  /** Outbound client for test-connection (SSRF guard with the configured allowlist). */
  readonly http: HttpClient;
  /** WEBHOOK_BASE_URL, ending with the /api prefix. */
  readonly webhookBaseUrl: string;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** Who is calling: resolved from an API key, and the only source of a tenant id. */
export interface Principal {
  readonly tenantId: string;
  readonly role: Role;
  readonly keyId: string;
}

export function nowIso(deps: Pick<AdminDeps, 'now'>): string {
  return (deps.now?.() ?? new Date()).toISOString();
}
