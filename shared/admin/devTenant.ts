import { z } from 'zod';

import type { AdminDeps } from './deps';
import { authenticate, createTenant } from './tenants';

export const DevTenantFileSchema = z.object({ tenantId: z.string(), apiKey: z.string() });
export type DevTenantFile = z.infer<typeof DevTenantFileSchema>;

/**
 * The development tenant of `npm start`: reused while its key still authenticates (the Cosmos
 * emulator keeps its data under .local), created afresh otherwise.
 */
export async function ensureDevTenant(
  deps: Pick<AdminDeps, 'tenants' | 'apiKeys' | 'logger' | 'now'>,
  existing: DevTenantFile | undefined,
): Promise<DevTenantFile & { created: boolean }> {
  if (existing !== undefined) {
    const principal = await authenticate(deps, existing.apiKey);
    if (principal.ok && principal.value.tenantId === existing.tenantId && principal.value.role === 'admin') {
      return { ...existing, created: false };
    }
  }
  const { tenant, apiKey } = await createTenant(deps, { name: 'Development', adminKeyName: 'npm start' });
  return { tenantId: tenant.id, apiKey: apiKey.apiKey, created: true };
}
