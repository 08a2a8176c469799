import { z } from 'zod';

import type { ProviderEntry } from '../../adapters/registry';
import { getProvider, listProviders } from '../../adapters/registry';
import { ok } from '../domain/result';
import type { AdminResult } from './errors';
import { notFound } from './errors';

export const ProviderViewSchema = z.object({
  id: z.string(),
  displayName: z.string(),
  category: z.string(),
  docsUrl: z.string().optional(),
  authTypes: z.array(z.enum(['API_KEY', 'OAUTH2', 'BASIC', 'BEARER'])),
  baseUrl: z.string().describe('May hold {placeholders} that a connection fills through params'),
  baseUrlParams: z
    .array(z.string())
    .describe('Placeholders a connection must give in params (or set baseUrl)'),
  webhook: z
    .object({ scheme: z.string(), payload: z.enum(['records', 'ids']) })
    .optional()
    .describe("The provider's own signing scheme; an integration may pick any supported scheme"),
  resourceTypes: z.array(
    z.object({
      name: z.string(),
      displayName: z.string().optional(),
      capabilities: z.array(z.string()),
    }),
  ),
  customResourceTypes: z.boolean().describe('Integrations may name resource types of their own'),
  capabilities: z.array(z.string()),
  pagination: z.string(),
  incremental: z.boolean(),
  testConnection: z.enum(['adapter', 'verification-endpoint', 'none']),
  adapter: z.boolean().describe('Whether sync code for this provider is installed yet'),
});
export type ProviderView = z.infer<typeof ProviderViewSchema>;

export function toProviderView(entry: ProviderEntry): ProviderView {
  const d = entry.descriptor;
  return {
    id: d.id,
    displayName: d.displayName,
    category: d.category,
    ...(d.docsUrl !== undefined ? { docsUrl: d.docsUrl } : {}),
    authTypes: [...d.authTypes],
    baseUrl: d.baseUrl,
    baseUrlParams: [...d.baseUrl.matchAll(/\{([A-Za-z][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? ''),
    ...(d.webhook !== undefined ? { webhook: { scheme: d.webhook.scheme, payload: d.webhook.payload } } : {}),
    resourceTypes: d.resourceTypes.map((r) => ({
      name: r.name,
      ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
      capabilities: [...(r.capabilities ?? d.capabilities)],
    })),
    customResourceTypes: entry.customResourceTypes,
    capabilities: [...d.capabilities],
    pagination: d.pagination.style,
    incremental: d.capabilities.includes('incremental'),
    testConnection:
      entry.createAdapter !== undefined
        ? 'adapter'
        : entry.verification !== undefined
          ? 'verification-endpoint'
          : 'none',
    adapter: entry.createAdapter !== undefined,
  };
}

export function listProviderViews(): AdminResult<readonly ProviderView[]> {
  return ok(listProviders().map(toProviderView));
}

export function getProviderView(id: string): AdminResult<ProviderView> {
  const entry = getProvider(id);
  return entry === undefined ? notFound('provider', id) : ok(toProviderView(entry));
}
