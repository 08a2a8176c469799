import type {
  Adapter,
  AdapterDefinition,
  ConnectionCredentials,
  ExternalRecord,
} from '../../adapters/base/adapter';
import type { HttpClient } from '../../adapters/base/httpClient';
import { loadIntegrationWithCredentials } from '../admin/credentials';
import type { AdminDeps } from '../admin/deps';
import type { Credentials } from '../domain/connection';
import type { StoreOptions } from '../ports/documentStore';
import type { RecordSource, SourceRecord, WebhookChange } from '../ports/recordSource';
import { ConfigInvalidError, InvalidPayloadError, ProviderAuthExpiredError } from '../reliability/errors';
import type { OpenedSource, SourceOpener } from './deps';

/** Presents a provider adapter (adapters/base contract) as the sync use cases' RecordSource. */
export function adapterRecordSource(adapter: Adapter): RecordSource {
  const toSource = (r: ExternalRecord): SourceRecord => ({
    externalId: r.id,
    ...(r.updatedAt !== undefined ? { updatedAt: r.updatedAt } : {}),
    deleted: r.deleted === true,
    data: r.data,
  });
  return {
    async *listRecords(request) {
      const pages = adapter.fetchRecords(request.resourceType, {
        ...(request.since !== undefined ? { since: new Date(request.since) } : {}),
        ...(request.cursor !== undefined ? { cursor: request.cursor } : {}),
        ...(request.abortSignal ? { abortSignal: request.abortSignal } : {}),
      });
      for await (const page of pages) {
        yield {
          records: page.records.map(toSource),
          ...(page.hasMore && page.cursor !== undefined ? { nextCursor: page.cursor } : {}),
        };
      }
    },
    async getRecord(resourceType, externalId, options) {
      const found = await adapter.fetchRecord(
        resourceType,
        externalId,
        options?.abortSignal ? { abortSignal: options.abortSignal } : {},
      );
      return found === undefined ? undefined : toSource(found);
    },
    parseWebhook(body, contentType) {
      if (adapter.webhooks === undefined)
        throw new InvalidPayloadError(`provider ${adapter.descriptor.id} does not parse webhooks`);
      const parsed = adapter.webhooks.parse({
        rawBody: body,
        headers: contentType !== undefined ? { 'content-type': contentType } : {},
      });
      if (!parsed.ok) {
        throw new InvalidPayloadError(
          `webhook body not understood: ${parsed.error.reason}${parsed.error.detail ? ` (${parsed.error.detail})` : ''}`,
        );
      }
      return parsed.value.map((e): WebhookChange =>
        e.kind === 'delete'
          ? { resourceType: e.resourceType, externalId: e.externalId, action: 'delete' }
          : {
              resourceType: e.resourceType,
              externalId: e.externalId,
              action: 'upsert',
              ...(e.record !== undefined ? { record: toSource(e.record) } : {}),
            },
      );
    },
  };
}

/** The connection's credentials in the shape adapters take. */
export function adapterCredentials(credentials: Credentials): ConnectionCredentials {
  switch (credentials.type) {
    case 'API_KEY':
      return {
        type: 'API_KEY',
        apiKey: `${credentials.placement.prefix ?? ''}${credentials.apiKey}`,
        ...(credentials.placement.in === 'query'
          ? { queryParam: credentials.placement.name }
          : { headerName: credentials.placement.name }),
      };
    case 'BASIC':
      return { type: 'BASIC', username: credentials.username, password: credentials.password };
    case 'BEARER':
      return { type: 'BEARER', token: credentials.token };
    case 'OAUTH2':
      // The token refresher keeps accessToken current; without one there is nothing to send.
      if (credentials.accessToken === undefined)
        throw new ProviderAuthExpiredError('OAuth2 connection has no access token yet');
      return {
        type: 'OAUTH2',
        accessToken: credentials.accessToken,
        ...(credentials.expiresAt !== undefined ? { expiresAt: credentials.expiresAt } : {}),
      };
  }
}

export interface SourceOpenerOptions {
  readonly admin: Pick<AdminDeps, 'integrations' | 'connections' | 'secrets'>;
  readonly http: HttpClient;
  readonly definition: (providerId: string) => AdapterDefinition | undefined;
  /** How long an opened source (integration, credentials, adapter) is reused; default 15 s. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Opens integrations through the admin slice's loader (integration, connection, Key Vault
 * credentials) and the provider's adapter. Kept briefly so a burst of webhook events for one
 * integration reads its secrets once, not once per event.
 */
export function createSourceOpener(options: SourceOpenerOptions): SourceOpener {
  const ttlMs = options.ttlMs ?? 15_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly at: number; readonly value: Promise<OpenedSource | undefined> }>();
  const open = async (
    tenantId: string,
    integrationId: string,
    opts?: StoreOptions,
  ): Promise<OpenedSource | undefined> => {
    const loaded = await loadIntegrationWithCredentials(options.admin, tenantId, integrationId, opts);
    if (loaded === undefined) return undefined;
    const definition = options.definition(loaded.integration.value.provider);
    if (definition === undefined) {
      throw new ConfigInvalidError(`no inbound adapter for provider ${loaded.integration.value.provider}`);
    }
    const providerConfig = loaded.integration.value.providerConfig ?? {};
    const adapter = definition.createAdapter({
      tenantId,
      integrationId,
      connectionId: loaded.target.connectionId,
      credentials: adapterCredentials(loaded.target.credentials),
      settings: {
        descriptor: providerConfig['descriptor'] ?? providerConfig,
        ...providerConfig,
        baseUrl: loaded.target.baseUrl,
        params: loaded.target.params,
      },
      http: options.http,
    });
    return { integration: loaded.integration, source: adapterRecordSource(adapter) };
  };
  return (tenantId, integrationId, opts) => {
    const key = `${tenantId}\u0000${integrationId}`;
    const hit = cache.get(key);
    if (hit !== undefined && now() - hit.at < ttlMs) return hit.value;
    const value = open(tenantId, integrationId, opts);
    cache.set(key, { at: now(), value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    if (cache.size > 10_000) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    return value;
  };
}
