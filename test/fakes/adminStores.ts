import type { AdminDeps } from '../../shared/admin/deps';
import type { ApiKeyRecord } from '../../shared/domain/apiKey';
import type { ConnectionDocument } from '../../shared/domain/connection';
import type { IntegrationDocument, SecretRef } from '../../shared/domain/integration';
import type { SyncLogEntry } from '../../shared/domain/syncLog';
import type { Tenant } from '../../shared/domain/tenant';
import type { Page, PageRequest, Versioned } from '../../shared/ports/documentStore';
import { DuplicateError, StaleEtagError } from '../../shared/ports/documentStore';
import type { SecretStore } from '../../shared/ports/secretStore';
import { SecretNotFoundError } from '../../shared/ports/secretStore';

let etagCounter = 0;
const nextEtag = (): string => `"e${++etagCounter}"`;

/** Tenant-partitioned documents with a unique name per tenant and ETag checks, like the Cosmos stores. */
class FakeDocuments<T extends { id: string; tenantId: string; name?: string; createdAt?: string }> {
  readonly docs = new Map<string, Versioned<T>>();
  private key(tenantId: string, id: string): string {
    return `${tenantId}/${id}`;
  }
  create(doc: T): Promise<Versioned<T>> {
    const taken = [...this.docs.values()].some(
      (d) => d.value.tenantId === doc.tenantId && d.value.name === doc.name,
    );
    if (taken || this.docs.has(this.key(doc.tenantId, doc.id)))
      return Promise.reject(new DuplicateError('taken'));
    const v = { value: structuredClone(doc), etag: nextEtag() };
    this.docs.set(this.key(doc.tenantId, doc.id), v);
    return Promise.resolve(v);
  }
  get(tenantId: string, id: string): Promise<Versioned<T> | undefined> {
    return Promise.resolve(this.docs.get(this.key(tenantId, id)));
  }
  replace(doc: T, ifMatch: string): Promise<Versioned<T>> {
    const current = this.docs.get(this.key(doc.tenantId, doc.id));
    if (current?.etag !== ifMatch) return Promise.reject(new StaleEtagError('stale'));
    const clash = [...this.docs.values()].some(
      (d) => d.value.tenantId === doc.tenantId && d.value.name === doc.name && d.value.id !== doc.id,
    );
    if (clash) return Promise.reject(new DuplicateError('taken'));
    const v = { value: structuredClone(doc), etag: nextEtag() };
    this.docs.set(this.key(doc.tenantId, doc.id), v);
    return Promise.resolve(v);
  }
  delete(tenantId: string, id: string): Promise<boolean> {
    return Promise.resolve(this.docs.delete(this.key(tenantId, id)));
  }
  list(tenantId: string, keep: (doc: T) => boolean, page: PageRequest): Promise<Page<Versioned<T>>> {
    const all = [...this.docs.values()].filter((d) => d.value.tenantId === tenantId && keep(d.value));
    const start = Number(page.continuationToken ?? '0');
    const items = all.slice(start, start + page.limit);
    const next = start + page.limit < all.length ? String(start + page.limit) : undefined;
    return Promise.resolve({ items, ...(next !== undefined ? { continuationToken: next } : {}) });
  }
}

export class FakeSecretStore implements SecretStore {
  readonly versions = new Map<string, { value: string; enabled: boolean }[]>();
  readonly deleted: string[] = [];
  setSecret(name: string, value: string): Promise<SecretRef> {
    const list = this.versions.get(name) ?? [];
    list.push({ value, enabled: true });
    this.versions.set(name, list);
    return Promise.resolve({ name, version: `v${list.length}` });
  }
  getSecret(ref: SecretRef): Promise<string> {
    const entry = this.versions.get(ref.name)?.[Number(ref.version.slice(1)) - 1];
    if (entry?.enabled !== true) return Promise.reject(new SecretNotFoundError(ref.name));
    return Promise.resolve(entry.value);
  }
  disableSecretVersion(ref: SecretRef): Promise<void> {
    const entry = this.versions.get(ref.name)?.[Number(ref.version.slice(1)) - 1];
    if (entry !== undefined) entry.enabled = false;
    return Promise.resolve();
  }
  deleteSecret(name: string): Promise<void> {
    this.versions.delete(name);
    this.deleted.push(name);
    return Promise.resolve();
  }
}

export interface FakeAdmin {
  /** Mutable so a test can wrap one store (e.g. to interleave a concurrent write). */
  deps: AdminDeps;
  readonly integrations: FakeDocuments<IntegrationDocument>;
  readonly connections: FakeDocuments<ConnectionDocument>;
  readonly secrets: FakeSecretStore;
  readonly tenants: Map<string, Tenant>;
  readonly keys: Map<string, ApiKeyRecord>;
  readonly logs: SyncLogEntry[];
}

/** AdminDeps over in-memory stores; `http` is unusable (tests that need it use the integration suite). */
export function fakeAdmin(now = new Date('2026-01-01T00:00:00Z')): FakeAdmin {
  const integrations = new FakeDocuments<IntegrationDocument>();
  const connections = new FakeDocuments<ConnectionDocument>();
  const secrets = new FakeSecretStore();
  const tenants = new Map<string, Tenant>();
  const keys = new Map<string, ApiKeyRecord>();
  const logs: SyncLogEntry[] = [];
  const deps: AdminDeps = {
    tenants: {
      createTenant: (t) => {
        tenants.set(t.id, t);
        return Promise.resolve({ value: t, etag: nextEtag() });
      },
      getTenant: (id) => {
        const t = tenants.get(id);
        return Promise.resolve(t === undefined ? undefined : { value: t, etag: '"t"' });
      },
    },
    apiKeys: {
      createApiKey: (r) => {
        keys.set(r.id, r);
        return Promise.resolve();
      },
      getApiKeyByHash: (hash) => Promise.resolve(keys.get(hash)),
      listApiKeys: (tenantId) => Promise.resolve([...keys.values()].filter((k) => k.tenantId === tenantId)),
      deleteApiKey: (tenantId, keyId) => {
        const found = [...keys.values()].find((k) => k.tenantId === tenantId && k.keyId === keyId);
        return Promise.resolve(found !== undefined && keys.delete(found.id));
      },
      touchApiKey: (hash, at) => {
        const k = keys.get(hash);
        if (k !== undefined) keys.set(hash, { ...k, lastUsedAt: at });
        return Promise.resolve();
      },
    },
    integrations: {
      createIntegration: (d) => integrations.create(d),
      getIntegration: (t, id) => integrations.get(t, id),
      listIntegrations: (t, f, p) =>
        integrations.list(
          t,
          (d) =>
            (f.status === undefined || d.status === f.status) &&
            (f.provider === undefined || d.provider === f.provider) &&
            (f.connectionId === undefined || d.connectionId === f.connectionId),
          p,
        ),
      replaceIntegration: (d, o) => integrations.replace(d, o.ifMatch),
      deleteIntegration: (t, id) => integrations.delete(t, id),
      countIntegrationsUsingConnection: (t, c) =>
        Promise.resolve(
          [...integrations.docs.values()].filter((d) => d.value.tenantId === t && d.value.connectionId === c)
            .length,
        ),
    },
    integrationData: {
      deleteIntegrationData: () =>
        Promise.resolve({ links: 0, logs: 0, conflicts: 0, runs: 0, deadLetters: 0, webhookEvents: 0 }),
    },
    connections: {
      createConnection: (d) => connections.create(d),
      getConnection: (t, id) => connections.get(t, id),
      listConnections: (t, f, p) =>
        connections.list(t, (d) => f.provider === undefined || d.provider === f.provider, p),
      replaceConnection: (d, o) => connections.replace(d, o.ifMatch),
      deleteConnection: (t, id) => connections.delete(t, id),
    },
    syncLogs: {
      appendSyncLog: (e) => {
        logs.push(e);
        return Promise.resolve();
      },
      listSyncLogs: (t, i) =>
        Promise.resolve({ items: logs.filter((l) => l.tenantId === t && l.integrationId === i) }),
    },
    secrets,
    http: undefined as unknown as AdminDeps['http'],
    webhookBaseUrl: 'https://hooks.example.test/api',
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => now,
  };
  return { deps, integrations, connections, secrets, tenants, keys, logs };
}
