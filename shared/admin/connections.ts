import type { ProviderEntry } from '../../adapters/registry';
import { getProvider } from '../../adapters/registry';
import type {
  ConnectionCreate,
  ConnectionDocument,
  ConnectionPatch,
  ConnectionRotate,
  ConnectionView,
  SecretField,
  StoredAuth,
  StoredSecret,
} from '../domain/connection';
import { connectionSecretName, joinCredentials, splitAuth, toConnectionView } from '../domain/connection';
import { etagMatches } from '../domain/etag';
import { newConnectionId } from '../domain/ids';
import type { SecretRef } from '../domain/integration';
import { ok } from '../domain/result';
import type { ConnectionFilter } from '../ports/connectionStore';
import type { Page, PageRequest } from '../ports/documentStore';
import { DuplicateError, StaleEtagError } from '../ports/documentStore';
import { fillPlaceholders, readSecretValues, resolveBaseUrl } from './credentials';
import type { AdminDeps, Principal } from './deps';
import { nowIso } from './deps';
import type { AdminError, AdminResult, ValidationIssue } from './errors';
import { adminError, invalid, notFound } from './errors';
import type { ConnectionTestResult } from './testConnection';
import { runConnectionTest } from './testConnection';

type Deps = Pick<AdminDeps, 'connections' | 'integrations' | 'secrets' | 'http' | 'logger' | 'now'>;

function duplicateName(name: string): { ok: false; error: AdminError } {
  return adminError('Conflict', `a connection named "${name}" already exists in this tenant`, {
    field: 'name',
  });
}

function stale(): { ok: false; error: AdminError } {
  return adminError('PreconditionFailed', 'the connection changed since you read it; GET it again');
}

function checkTarget(
  provider: ProviderEntry,
  value: { baseUrl?: string | undefined; params?: Record<string, string> | undefined },
): ValidationIssue[] {
  if (value.baseUrl !== undefined) return [];
  const filled = fillPlaceholders(provider.descriptor.baseUrl, value.params ?? {});
  if (filled.ok) return [];
  return [
    {
      path: 'params',
      message: `${provider.descriptor.id} needs ${filled.missing.map((m) => `params.${m}`).join(', ')} (its base URL is ${provider.descriptor.baseUrl}), or a baseUrl`,
    },
  ];
}

async function writeSecrets(
  deps: Deps,
  tenantId: string,
  connectionId: string,
  values: Partial<Record<SecretField, string>>,
): Promise<Partial<Record<SecretField, SecretRef>>> {
  const entries = await Promise.all(
    (Object.entries(values) as [SecretField, string][]).map(
      async ([field, value]) =>
        [
          field,
          await deps.secrets.setSecret(connectionSecretName(connectionId, field), value, {
            tags: { tenantId, connectionId, field },
          }),
        ] as const,
    ),
  );
  return Object.fromEntries(entries);
}

async function deleteSecrets(deps: Deps, doc: Pick<ConnectionDocument, 'secrets'>): Promise<number> {
  const names = Object.values(doc.secrets).map((s) => s.name);
  await Promise.all(names.map((name) => deps.secrets.deleteSecret(name)));
  return names.length;
}

export async function createConnection(
  deps: Deps,
  principal: Principal,
  input: ConnectionCreate,
): Promise<AdminResult<ConnectionView>> {
  const { tenantId } = principal;
  const provider = getProvider(input.provider);
  if (provider === undefined) {
    return invalid([
      {
        path: 'provider',
        message: `unknown provider "${input.provider}"; GET /api/admin/providers lists them`,
      },
    ]);
  }
  const issues: ValidationIssue[] = [];
  if (!provider.descriptor.authTypes.includes(input.auth.type)) {
    issues.push({
      path: 'auth.type',
      message: `${provider.descriptor.id} supports ${provider.descriptor.authTypes.join(', ')}, not ${input.auth.type}`,
    });
  }
  if (input.scope === 'user' && input.userId === undefined) {
    issues.push({ path: 'userId', message: 'a user-scoped connection needs userId' });
  }
  issues.push(...checkTarget(provider, input));
  if (issues.length > 0) return invalid(issues);

  const id = newConnectionId();
  const at = nowIso(deps);
  const { stored, secrets } = splitAuth(input.auth);
  const refs = await writeSecrets(deps, tenantId, id, secrets);
  const storedSecrets: Partial<Record<SecretField, StoredSecret>> = {};
  for (const [field, ref] of Object.entries(refs) as [SecretField, SecretRef][]) {
    storedSecrets[field] = { ...ref, updatedAt: at };
  }
  const doc: ConnectionDocument = {
    id,
    tenantId,
    name: input.name,
    provider: input.provider,
    scope: input.scope,
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
    ...(input.params !== undefined ? { params: input.params } : {}),
    authType: input.auth.type,
    auth: stored,
    secrets: storedSecrets,
    createdAt: at,
    updatedAt: at,
  };
  try {
    const created = await deps.connections.createConnection(doc);
    deps.logger.info('connection created', {
      tenantId,
      connectionId: id,
      provider: input.provider,
      authType: input.auth.type,
    });
    return ok(toConnectionView(created.value, created.etag));
  } catch (e) {
    await deleteSecrets(deps, doc).catch(() => undefined);
    if (e instanceof DuplicateError) return duplicateName(input.name);
    throw e;
  }
}

export async function getConnection(
  deps: Deps,
  principal: Principal,
  connectionId: string,
): Promise<AdminResult<ConnectionView>> {
  const found = await deps.connections.getConnection(principal.tenantId, connectionId);
  return found === undefined
    ? notFound('connection', connectionId)
    : ok(toConnectionView(found.value, found.etag));
}

export async function listConnections(
  deps: Deps,
  principal: Principal,
  filter: ConnectionFilter,
  page: PageRequest,
): Promise<AdminResult<Page<ConnectionView>>> {
  const result = await deps.connections.listConnections(principal.tenantId, filter, page);
  return ok({
    items: result.items.map((v) => toConnectionView(v.value, v.etag)),
    ...(result.continuationToken !== undefined ? { continuationToken: result.continuationToken } : {}),
  });
}

export async function updateConnection(
  deps: Deps,
  principal: Principal,
  connectionId: string,
  patch: ConnectionPatch,
  ifMatch: string | undefined,
): Promise<AdminResult<ConnectionView>> {
  const current = await deps.connections.getConnection(principal.tenantId, connectionId);
  if (current === undefined) return notFound('connection', connectionId);
  if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) return stale();
  const next: Record<string, unknown> = { ...current.value, updatedAt: nowIso(deps) };
  for (const key of ['name', 'baseUrl', 'params'] as const) {
    const value = patch[key];
    if (value === null) Reflect.deleteProperty(next, key);
    else if (value !== undefined) next[key] = value;
  }
  const doc = next as unknown as ConnectionDocument;
  const provider = getProvider(doc.provider);
  if (provider !== undefined) {
    const issues = checkTarget(provider, doc);
    if (issues.length > 0) return invalid(issues);
  }
  try {
    const saved = await deps.connections.replaceConnection(doc, { ifMatch: current.etag });
    return ok(toConnectionView(saved.value, saved.etag));
  } catch (e) {
    if (e instanceof DuplicateError) return duplicateName(doc.name);
    if (e instanceof StaleEtagError) return stale();
    throw e;
  }
}

export interface ConnectionRotated {
  readonly connection: ConnectionView;
  readonly rotated: readonly string[];
  /** Present when the new credentials were tested before the switch. */
  readonly test?: ConnectionTestResult;
}

/**
 * Rotation: the new values become new versions of the same vault secrets, the document keeps
 * pointing at the old versions until the new ones are proven against the provider, and after the
 * switch the old versions stay (as previousVersion, still enabled) so work that already read
 * them finishes. A failed test disables the new versions and changes nothing else.
 */
export async function rotateConnectionSecrets(
  deps: Deps,
  principal: Principal,
  connectionId: string,
  input: ConnectionRotate,
  ifMatch: string | undefined,
): Promise<AdminResult<ConnectionRotated>> {
  const { tenantId } = principal;
  const current = await deps.connections.getConnection(tenantId, connectionId);
  if (current === undefined) return notFound('connection', connectionId);
  if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) return stale();
  const doc = current.value;
  if (input.auth.type !== doc.authType) {
    return invalid([
      {
        path: 'auth.type',
        message: `this connection uses ${doc.authType}; create a new connection to change the auth type`,
      },
    ]);
  }
  const { type: _type, ...given } = input.auth;
  const newValues: Partial<Record<SecretField, string>> = {};
  let auth: StoredAuth = doc.auth;
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    if (key === 'username' && auth.type === 'BASIC') auth = { ...auth, username: value };
    else if (key === 'expiresAt' && auth.type === 'OAUTH2') auth = { ...auth, expiresAt: value };
    else newValues[key as SecretField] = value;
  }
  if (Object.keys(newValues).length === 0) {
    return invalid([{ path: 'auth', message: 'give at least one new secret value' }]);
  }
  const written = await writeSecrets(deps, tenantId, connectionId, newValues);

  let test: ConnectionTestResult | undefined;
  if (input.verify) {
    const provider = getProvider(doc.provider);
    const base = provider !== undefined ? resolveBaseUrl(provider, doc) : undefined;
    if (provider !== undefined && base?.ok === true) {
      const oldValues = await readSecretValues(deps.secrets, doc.secrets);
      const credentials = joinCredentials(auth, { ...oldValues, ...newValues });
      if (credentials !== undefined) {
        test = await runConnectionTest(
          deps.http,
          provider,
          { connectionId, baseUrl: base.url, params: doc.params ?? {}, credentials },
          () => deps.now?.() ?? new Date(),
        );
      }
    }
    if (test?.credentialsValid !== true) {
      await Promise.all(Object.values(written).map((ref) => deps.secrets.disableSecretVersion(ref)));
      return adminError(
        'CredentialsRejected',
        'the new credentials were not proven; the connection keeps its current ones',
        {
          test: test ?? { status: 'CONFIG_INVALID', message: 'the connection cannot be tested' },
        },
      );
    }
  }

  const at = nowIso(deps);
  const secrets: Partial<Record<SecretField, StoredSecret>> = { ...doc.secrets };
  for (const [field, ref] of Object.entries(written) as [SecretField, SecretRef][]) {
    const before = doc.secrets[field];
    secrets[field] = {
      ...ref,
      updatedAt: at,
      ...(before !== undefined ? { previousVersion: before.version } : {}),
    };
  }
  const next: ConnectionDocument = {
    ...doc,
    auth,
    secrets,
    updatedAt: at,
    ...(test !== undefined
      ? {
          lastTest: {
            at: test.testedAt,
            ok: true,
            ...(test.httpStatus !== undefined ? { status: test.httpStatus } : {}),
          },
        }
      : {}),
  };
  try {
    const saved = await deps.connections.replaceConnection(next, { ifMatch: current.etag });
    // Versions older than the previous one are no longer referenced by anything: retire them.
    await Promise.all(
      (Object.keys(written) as SecretField[]).map(async (field) => {
        const older = doc.secrets[field]?.previousVersion;
        const name = doc.secrets[field]?.name;
        if (older !== undefined && name !== undefined) {
          await deps.secrets.disableSecretVersion({ name, version: older }).catch(() => undefined);
        }
      }),
    );
    deps.logger.info('connection secrets rotated', { tenantId, connectionId, fields: Object.keys(written) });
    return ok({
      connection: toConnectionView(saved.value, saved.etag),
      rotated: Object.keys(written),
      ...(test !== undefined ? { test } : {}),
    });
  } catch (e) {
    await Promise.all(
      Object.values(written).map((ref) => deps.secrets.disableSecretVersion(ref).catch(() => undefined)),
    );
    if (e instanceof StaleEtagError) return stale();
    throw e;
  }
}

export async function deleteConnection(
  deps: Deps,
  principal: Principal,
  connectionId: string,
  ifMatch: string | undefined,
): Promise<AdminResult<{ id: string; deleted: { connection: boolean; secrets: number } }>> {
  const { tenantId } = principal;
  const current = await deps.connections.getConnection(tenantId, connectionId);
  if (current === undefined) return notFound('connection', connectionId);
  if (ifMatch !== undefined && !etagMatches(ifMatch, current.etag)) return stale();
  const users = await deps.integrations.countIntegrationsUsingConnection(tenantId, connectionId);
  if (users > 0) {
    return adminError(
      'Conflict',
      `the connection is used by ${users} integration(s); delete or repoint them first`,
      {
        integrations: users,
      },
    );
  }
  const deleted = await deps.connections
    .deleteConnection(tenantId, connectionId, { ifMatch: current.etag })
    .catch((e: unknown) => {
      if (e instanceof StaleEtagError) return 'stale' as const;
      throw e;
    });
  if (deleted === 'stale') return stale();
  const secrets = await deleteSecrets(deps, current.value);
  deps.logger.info('connection deleted', { tenantId, connectionId });
  return ok({ id: connectionId, deleted: { connection: deleted, secrets } });
}
