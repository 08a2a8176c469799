import type { Capability, ProviderDescriptor, ProviderDescriptorInput } from '../base/descriptor';
import { defineProvider } from '../base/descriptor';
import type { RestApiDescriptor } from './descriptor';

const DOTTED = /^$|^[A-Za-z0-9_$@-]+(?:\.[A-Za-z0-9_$@-]+)*$/;

export interface CatalogueIdentity {
  readonly id: string;
  readonly displayName: string;
  readonly category: ProviderDescriptorInput['category'];
  readonly docsUrl?: string;
}

const GENERIC: CatalogueIdentity = { id: 'rest', displayName: 'Generic REST API', category: 'generic' };

/**
 * The catalogue view (adapters/base ProviderDescriptor) of a REST API description, so the admin
 * API shows what an integration's own API can do without a second hand-written descriptor.
 */
export function toProviderDescriptor(
  api: RestApiDescriptor,
  identity: CatalogueIdentity = GENERIC,
): Readonly<ProviderDescriptor> {
  const capabilities = new Set<Capability>(['read']);
  const firstIncremental = Object.values(api.resources).find((r) => r.incremental !== undefined)?.incremental;
  const resourceTypes = Object.entries(api.resources).map(([name, r]) => {
    const caps: Capability[] = ['read'];
    if (r.create !== undefined) caps.push('create');
    if (r.update !== undefined) caps.push('update');
    if (r.delete !== undefined) caps.push('delete');
    if (r.incremental !== undefined) caps.push('incremental');
    if (r.deleted !== undefined) caps.push('soft-delete');
    for (const c of caps) capabilities.add(c);
    return {
      name,
      path: r.listPath,
      ...(DOTTED.test(r.recordsPath) ? { recordsPath: r.recordsPath } : {}),
      idField: r.idField,
      ...(r.updatedAt !== undefined ? { updatedAtField: r.updatedAt.field } : {}),
      ...(r.pagination !== undefined ? { pagination: r.pagination } : {}),
      capabilities: caps,
    };
  });
  if (api.webhook !== undefined) capabilities.add('webhooks');
  const auth = api.auth?.type;
  const authTypes: ProviderDescriptorInput['authTypes'] =
    auth === 'api-key'
      ? ['API_KEY']
      : auth === 'bearer'
        ? ['BEARER']
        : auth === 'basic'
          ? ['BASIC']
          : auth === 'oauth2'
            ? ['OAUTH2']
            : ['API_KEY', 'BEARER', 'BASIC', 'OAUTH2'];
  const incFormat = firstIncremental?.format.format;
  return defineProvider({
    id: identity.id,
    displayName: identity.displayName,
    category: identity.category,
    ...(identity.docsUrl !== undefined ? { docsUrl: identity.docsUrl } : {}),
    authTypes,
    baseUrl: api.baseUrl ?? 'https://{host}',
    pagination: api.pagination,
    defaultPageSize: api.pageSize,
    ...(firstIncremental !== undefined
      ? {
          incrementalParam: firstIncremental.param,
          incrementalFormat:
            incFormat === 'epoch-s' ? 'unix-seconds' : incFormat === 'epoch-ms' ? 'unix-ms' : 'iso8601',
        }
      : {}),
    ...(api.retryHeaders !== undefined ? { retryHeaders: { ...api.retryHeaders } } : {}),
    ...(api.webhook !== undefined
      ? {
          webhook: {
            scheme: api.webhook.scheme,
            ...(api.webhook.config !== undefined ? { config: api.webhook.config } : {}),
            payload: api.webhook.recordPath !== undefined ? ('records' as const) : ('ids' as const),
          },
        }
      : {}),
    ...(api.testConnection !== undefined ? { testConnectionPath: api.testConnection.path } : {}),
    resourceTypes,
    capabilities: [...capabilities],
  });
}
