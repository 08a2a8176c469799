import type { ApiKeyRecord } from '../domain/apiKey';
import type { Tenant } from '../domain/tenant';
import type { StoreOptions, Versioned } from './documentStore';

export interface TenantStore {
  createTenant(tenant: Tenant, options?: StoreOptions): Promise<Versioned<Tenant>>;
  getTenant(tenantId: string, options?: StoreOptions): Promise<Versioned<Tenant> | undefined>;
}

/** API keys by the SHA-256 of the key; authentication is one point read. */
export interface ApiKeyStore {
  createApiKey(record: ApiKeyRecord, options?: StoreOptions): Promise<void>;
  getApiKeyByHash(hash: string, options?: StoreOptions): Promise<ApiKeyRecord | undefined>;
  listApiKeys(tenantId: string, options?: StoreOptions): Promise<readonly ApiKeyRecord[]>;
  /** False when the tenant has no key with this id. */
  deleteApiKey(tenantId: string, keyId: string, options?: StoreOptions): Promise<boolean>;
  /** Records when a key was last used; best effort, never fails authentication. */
  touchApiKey(hash: string, at: string, options?: StoreOptions): Promise<void>;
}
