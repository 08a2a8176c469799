import type { ApiKeyCreate, ApiKeyCreated, ApiKeyView, Permission, Role } from '../domain/apiKey';
import {
  displayPrefix,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  minimumRole,
  roleGrants,
  toApiKeyView,
} from '../domain/apiKey';
import { newApiKeyId, newTenantId } from '../domain/ids';
import { ok } from '../domain/result';
import type { Tenant } from '../domain/tenant';
import type { AdminDeps, Principal } from './deps';
import { nowIso } from './deps';
import type { AdminResult } from './errors';
import { adminError, notFound } from './errors';

type Deps = Pick<AdminDeps, 'tenants' | 'apiKeys' | 'logger' | 'now'>;

/** Keys are touched at most this often, so authentication stays one read on the hot path. */
const TOUCH_INTERVAL_MS = 60 * 60 * 1000;

export async function createTenant(
  deps: Deps,
  input: { readonly name: string; readonly adminKeyName?: string },
): Promise<{ tenant: Tenant; apiKey: ApiKeyCreated }> {
  const at = nowIso(deps);
  const tenant: Tenant = {
    id: newTenantId(),
    name: input.name,
    status: 'ACTIVE',
    createdAt: at,
    updatedAt: at,
  };
  await deps.tenants.createTenant(tenant);
  const apiKey = await issueApiKey(deps, tenant.id, { name: input.adminKeyName ?? 'admin', role: 'admin' });
  return { tenant, apiKey };
}

/** Creates a key; the returned `apiKey` is the only time its value exists outside the caller. */
export async function issueApiKey(deps: Deps, tenantId: string, input: ApiKeyCreate): Promise<ApiKeyCreated> {
  const key = generateApiKey();
  const record = {
    id: hashApiKey(key),
    keyId: newApiKeyId(),
    tenantId,
    name: input.name,
    role: input.role,
    prefix: displayPrefix(key),
    createdAt: nowIso(deps),
  };
  await deps.apiKeys.createApiKey(record);
  return { ...toApiKeyView(record), apiKey: key };
}

export async function createApiKey(
  deps: Deps,
  principal: Principal,
  input: ApiKeyCreate,
): Promise<AdminResult<ApiKeyCreated>> {
  return ok(await issueApiKey(deps, principal.tenantId, input));
}

export async function listApiKeys(
  deps: Deps,
  principal: Principal,
): Promise<AdminResult<readonly ApiKeyView[]>> {
  const records = await deps.apiKeys.listApiKeys(principal.tenantId);
  return ok(records.map(toApiKeyView));
}

export async function revokeApiKey(
  deps: Deps,
  principal: Principal,
  keyId: string,
): Promise<AdminResult<{ keyId: string; revoked: true }>> {
  if (keyId === principal.keyId) {
    return adminError('Conflict', 'a key cannot revoke itself; use another admin key');
  }
  const deleted = await deps.apiKeys.deleteApiKey(principal.tenantId, keyId);
  return deleted ? ok({ keyId, revoked: true as const }) : notFound('api key', keyId);
}

export async function getTenant(deps: Deps, principal: Principal): Promise<AdminResult<Tenant>> {
  const found = await deps.tenants.getTenant(principal.tenantId);
  return found === undefined ? notFound('tenant', principal.tenantId) : ok(found.value);
}

/**
 * Resolves an API key to its principal. Unknown, malformed and suspended-tenant keys all answer
 * the same Unauthorized, so a caller learns nothing about which keys exist.
 */
export async function authenticate(
  deps: Deps,
  presentedKey: string | undefined,
): Promise<AdminResult<Principal>> {
  if (presentedKey === undefined || presentedKey === '') {
    return adminError('Unauthorized', 'send an API key in X-API-Key or Authorization: Bearer');
  }
  const refused = adminError('Unauthorized', 'the API key is not valid');
  if (!looksLikeApiKey(presentedKey)) return refused;
  const hash = hashApiKey(presentedKey);
  const record = await deps.apiKeys.getApiKeyByHash(hash);
  if (record === undefined) return refused;
  const tenant = await deps.tenants.getTenant(record.tenantId);
  if (tenant?.value.status !== 'ACTIVE') return refused;
  const now = deps.now?.() ?? new Date();
  if (record.lastUsedAt === undefined || now.getTime() - Date.parse(record.lastUsedAt) > TOUCH_INTERVAL_MS) {
    await deps.apiKeys.touchApiKey(hash, now.toISOString()).catch((e: unknown) => {
      deps.logger.warn('api key lastUsedAt not recorded', { keyId: record.keyId, error: e });
    });
  }
  return ok({ tenantId: record.tenantId, role: record.role, keyId: record.keyId });
}

export function authorize(principal: Principal, permission: Permission): AdminResult<Principal> {
  if (roleGrants(principal.role, permission)) return ok(principal);
  const needed: Role = minimumRole(permission);
  return adminError('Forbidden', `this needs the ${needed} role; the key has ${principal.role}`, {
    requiredRole: needed,
    role: principal.role,
  });
}
