import type { Container } from '@azure/cosmos';

import type { ApiKeyRecord } from '../domain/apiKey';
import type { Tenant } from '../domain/tenant';
import type { StoreOptions, Versioned } from '../ports/documentStore';
import type { ApiKeyStore, TenantStore } from '../ports/tenantStore';
import { cosmosStatus, withoutSystemFields } from './cosmosDocuments';

const signal = (options: StoreOptions | undefined): { abortSignal?: AbortSignal } =>
  options?.abortSignal ? { abortSignal: options.abortSignal } : {};

/** Tenants are partitioned by their own id (/id). */
export class CosmosTenantStore implements TenantStore {
  constructor(private readonly container: Container) {}

  async createTenant(tenant: Tenant, options?: StoreOptions): Promise<Versioned<Tenant>> {
    const { resource } = await this.container.items.create<Tenant>(tenant, signal(options));
    return { value: tenant, etag: resource?._etag ?? '' };
  }

  async getTenant(tenantId: string, options?: StoreOptions): Promise<Versioned<Tenant> | undefined> {
    try {
      const { resource } = await this.container.item(tenantId, tenantId).read<Tenant>(signal(options));
      if (resource === undefined) return undefined;
      return { value: withoutSystemFields<Tenant>(resource), etag: resource._etag };
    } catch (err) {
      if (cosmosStatus(err) === 404) return undefined;
      throw err;
    }
  }
}

/** API keys are partitioned by their id, the SHA-256 of the key, so authentication is a point read. */
export class CosmosApiKeyStore implements ApiKeyStore {
  constructor(private readonly container: Container) {}

  async createApiKey(record: ApiKeyRecord, options?: StoreOptions): Promise<void> {
    await this.container.items.create(record, signal(options));
  }

  async getApiKeyByHash(hash: string, options?: StoreOptions): Promise<ApiKeyRecord | undefined> {
    try {
      const { resource } = await this.container.item(hash, hash).read<ApiKeyRecord>(signal(options));
      return resource === undefined ? undefined : withoutSystemFields<ApiKeyRecord>(resource);
    } catch (err) {
      if (cosmosStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** A cross-partition query: listing keys is rare and admin-only, authentication never lists. */
  async listApiKeys(tenantId: string, options?: StoreOptions): Promise<readonly ApiKeyRecord[]> {
    const { resources } = await this.container.items
      .query<ApiKeyRecord>(
        {
          query: 'SELECT * FROM c WHERE c.tenantId = @tenantId',
          parameters: [{ name: '@tenantId', value: tenantId }],
        },
        signal(options),
      )
      .fetchAll();
    return resources
      .map((r) => withoutSystemFields<ApiKeyRecord>(r))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async deleteApiKey(tenantId: string, keyId: string, options?: StoreOptions): Promise<boolean> {
    const { resources } = await this.container.items
      .query<{ id: string }>(
        {
          query: 'SELECT c.id FROM c WHERE c.tenantId = @tenantId AND c.keyId = @keyId',
          parameters: [
            { name: '@tenantId', value: tenantId },
            { name: '@keyId', value: keyId },
          ],
        },
        signal(options),
      )
      .fetchAll();
    let deleted = false;
    for (const { id } of resources) {
      try {
        await this.container.item(id, id).delete(signal(options));
        deleted = true;
      } catch (err) {
        if (cosmosStatus(err) !== 404) throw err;
      }
    }
    return deleted;
  }

  async touchApiKey(hash: string, at: string, options?: StoreOptions): Promise<void> {
    await this.container
      .item(hash, hash)
      .patch([{ op: 'set', path: '/lastUsedAt', value: at }], signal(options));
  }
}
