import type { ConnectionTarget, ProviderEntry } from '../../adapters/registry';
import { getProvider } from '../../adapters/registry';
import type { ConnectionDocument, Credentials, SecretField, StoredSecret } from '../domain/connection';
import { joinCredentials } from '../domain/connection';
import type { IntegrationDocument, SecretRef } from '../domain/integration';
import type { Versioned } from '../ports/documentStore';
import type { StoreOptions } from '../ports/documentStore';
import type { SecretStore } from '../ports/secretStore';
import type { AdminDeps } from './deps';

/** Reads the secret values a connection document names, at exactly the versions it names. */
export async function readSecretValues(
  secrets: SecretStore,
  refs: Partial<Record<SecretField, Pick<StoredSecret, 'name' | 'version'>>>,
  options?: StoreOptions,
): Promise<Partial<Record<SecretField, string>>> {
  const entries = await Promise.all(
    (Object.entries(refs) as [SecretField, SecretRef][]).map(
      async ([field, ref]) =>
        [field, await secrets.getSecret({ name: ref.name, version: ref.version }, options)] as const,
    ),
  );
  return Object.fromEntries(entries);
}

export async function loadCredentials(
  secrets: SecretStore,
  connection: ConnectionDocument,
  options?: StoreOptions,
): Promise<Credentials> {
  const values = await readSecretValues(secrets, connection.secrets, options);
  const credentials = joinCredentials(connection.auth, values);
  if (credentials === undefined)
    throw new Error(`connection ${connection.id} has no stored secret for ${connection.authType}`);
  return credentials;
}

/** The base URL with `{placeholders}` filled from the connection; lists what is missing instead. */
export function resolveBaseUrl(
  entry: ProviderEntry,
  connection: Pick<ConnectionDocument, 'baseUrl' | 'params'>,
): { ok: true; url: string } | { ok: false; missing: readonly string[] } {
  if (connection.baseUrl !== undefined) return { ok: true, url: connection.baseUrl.replace(/\/+$/, '') };
  return fillPlaceholders(entry.descriptor.baseUrl, connection.params ?? {});
}

export function fillPlaceholders(
  template: string,
  params: Readonly<Record<string, string>>,
): { ok: true; url: string } | { ok: false; missing: readonly string[] } {
  const missing: string[] = [];
  const url = template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      missing.push(name);
      return '';
    }
    // encodeURI keeps `/` and `:` (a site in a subfolder, a host with a port, a test path).
    return encodeURI(value);
  });
  return missing.length > 0 ? { ok: false, missing } : { ok: true, url: url.replace(/\/+$/, '') };
}

export interface IntegrationWithCredentials {
  readonly integration: Versioned<IntegrationDocument>;
  readonly connection: Versioned<ConnectionDocument>;
  readonly provider: ProviderEntry;
  /** Base URL, params and credential values, ready for an adapter. Never log it. */
  readonly target: ConnectionTarget;
}

/**
 * What a sync or a test needs to talk to the provider: the integration, its connection and the
 * connection's credentials. Undefined when the integration or its connection is not in this
 * tenant; throws when the provider is unknown or the base URL cannot be built (a config bug).
 */
export async function loadIntegrationWithCredentials(
  deps: Pick<AdminDeps, 'integrations' | 'connections' | 'secrets'>,
  tenantId: string,
  integrationId: string,
  options?: StoreOptions,
): Promise<IntegrationWithCredentials | undefined> {
  const integration = await deps.integrations.getIntegration(tenantId, integrationId, options);
  if (integration === undefined) return undefined;
  const connection = await deps.connections.getConnection(tenantId, integration.value.connectionId, options);
  if (connection === undefined) return undefined;
  const provider = getProvider(integration.value.provider);
  if (provider === undefined)
    throw new Error(`integration ${integrationId} names unknown provider ${integration.value.provider}`);
  const base = resolveBaseUrl(provider, connection.value);
  if (!base.ok) throw new Error(`connection ${connection.value.id} lacks params: ${base.missing.join(', ')}`);
  const credentials = await loadCredentials(deps.secrets, connection.value, options);
  return {
    integration,
    connection,
    provider,
    target: {
      connectionId: connection.value.id,
      baseUrl: base.url,
      params: connection.value.params ?? {},
      credentials,
    },
  };
}
