import { createConnection, deleteConnection } from '../../../shared/admin/connections';
import { loadIntegrationWithCredentials } from '../../../shared/admin/credentials';
import type { Principal } from '../../../shared/admin/deps';
import { ensureDevTenant } from '../../../shared/admin/devTenant';
import { loadWebhookTarget } from '../../../shared/admin/integrationOps';
import { createIntegration, deleteIntegration, updateIntegration } from '../../../shared/admin/integrations';
import { authenticate, authorize, createTenant } from '../../../shared/admin/tenants';
import { IntegrationCreateSchema } from '../../../shared/domain/integration';
import type { FakeAdmin } from '../../fakes/adminStores';
import { fakeAdmin } from '../../fakes/adminStores';

let admin: FakeAdmin;
let principal: Principal;

beforeEach(async () => {
  admin = fakeAdmin();
  const { tenant, apiKey } = await createTenant(admin.deps, { name: 'T' });
  principal = { tenantId: tenant.id, role: 'admin', keyId: apiKey.keyId };
});

async function bearerConnection(name = 'c'): Promise<string> {
  const r = await createConnection(admin.deps, principal, {
    name,
    provider: 'rest',
    scope: 'tenant',
    baseUrl: 'https://api.example.com',
    auth: { type: 'BEARER', token: 'secret-token-value' },
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.id;
}

const integration = (connectionId: string, name = 'i') =>
  IntegrationCreateSchema.parse({
    name,
    provider: 'rest',
    connectionId,
    direction: 'inbound',
    resourceTypes: [{ name: 'contacts' }],
    schedule: { frequency: 'HOURLY' },
    webhook: { scheme: 'github' },
  });

describe('authentication', () => {
  it('refuses unknown keys, keys of suspended tenants and keys without the role', async () => {
    const { tenant, apiKey } = await createTenant(admin.deps, { name: 'S' });
    expect((await authenticate(admin.deps, apiKey.apiKey)).ok).toBe(true);
    admin.tenants.set(tenant.id, { ...tenant, status: 'SUSPENDED' });
    expect(await authenticate(admin.deps, apiKey.apiKey)).toMatchObject({
      ok: false,
      error: { code: 'Unauthorized' },
    });
    expect(await authenticate(admin.deps, undefined)).toMatchObject({
      ok: false,
      error: { code: 'Unauthorized' },
    });
    expect(authorize({ ...principal, role: 'viewer' }, 'configure')).toMatchObject({
      ok: false,
      error: { code: 'Forbidden' },
    });
  });

  it('reuses a dev tenant whose key still works and replaces one that does not', async () => {
    const first = await ensureDevTenant(admin.deps, undefined);
    expect(first.created).toBe(true);
    expect(await ensureDevTenant(admin.deps, first)).toMatchObject({
      created: false,
      tenantId: first.tenantId,
    });
    const stale = await ensureDevTenant(admin.deps, {
      tenantId: first.tenantId,
      apiKey: `sk_${'x'.repeat(43)}`,
    });
    expect(stale.created).toBe(true);
    expect(stale.tenantId).not.toBe(first.tenantId);
  });
});

describe('integrations', () => {
  it('stores the webhook secret in the secret store, never in the document, and shows it once', async () => {
    const created = await createIntegration(admin.deps, principal, integration(await bearerConnection()));
    if (!created.ok) throw new Error(created.error.message);
    const secret = created.value.webhook?.secret ?? '';
    expect(secret).toMatch(/^whsec_/);
    const stored = admin.integrations.docs.values().next().value;
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(created.value.nextSyncAt).toBe('2026-01-01T00:00:00.000Z');

    const target = await loadWebhookTarget(admin.deps, 'rest', created.value.id);
    expect(target).toMatchObject({ tenantId: principal.tenantId, scheme: 'github', secret });
    expect(await loadWebhookTarget(admin.deps, 'hubspot', created.value.id)).toBeUndefined();
  });

  it('removes the new webhook secret again when the name is taken', async () => {
    const conn = await bearerConnection();
    expect((await createIntegration(admin.deps, principal, integration(conn))).ok).toBe(true);
    const dup = await createIntegration(admin.deps, principal, integration(conn));
    expect(dup).toMatchObject({ ok: false, error: { code: 'Conflict' } });
    expect(admin.secrets.deleted).toHaveLength(1);
  });

  it('re-applies a patch without If-Match when someone else wrote in between', async () => {
    const created = await createIntegration(admin.deps, principal, integration(await bearerConnection()));
    if (!created.ok) throw new Error('create failed');
    const replace = admin.deps.integrations.replaceIntegration.bind(admin.deps.integrations);
    let interfered = false;
    admin.deps = {
      ...admin.deps,
      integrations: {
        ...admin.deps.integrations,
        replaceIntegration: async (doc, options) => {
          if (!interfered) {
            interfered = true;
            const current = await admin.deps.integrations.getIntegration(doc.tenantId, doc.id);
            await replace({ ...current!.value, statusReason: 'concurrent' }, { ifMatch: current!.etag });
          }
          return replace(doc, options);
        },
      },
    };
    const patched = await updateIntegration(
      admin.deps,
      principal,
      created.value.id,
      { name: 'renamed' },
      undefined,
    );
    expect(patched).toMatchObject({ ok: true, value: { name: 'renamed', statusReason: 'concurrent' } });
    const staleWithIfMatch = await updateIntegration(
      admin.deps,
      principal,
      created.value.id,
      { name: 'x' },
      created.value.etag,
    );
    expect(staleWithIfMatch).toMatchObject({ ok: false, error: { code: 'PreconditionFailed' } });
  });

  it('hands the inbound slice the integration with its credentials, and deletes secrets with it', async () => {
    const created = await createIntegration(admin.deps, principal, integration(await bearerConnection()));
    if (!created.ok) throw new Error('create failed');
    const loaded = await loadIntegrationWithCredentials(admin.deps, principal.tenantId, created.value.id);
    expect(loaded?.target).toMatchObject({
      baseUrl: 'https://api.example.com',
      credentials: { type: 'BEARER', token: 'secret-token-value' },
    });
    expect(await loadIntegrationWithCredentials(admin.deps, 'ten_other', created.value.id)).toBeUndefined();

    const report = await deleteIntegration(admin.deps, principal, created.value.id, undefined);
    expect(report).toMatchObject({ ok: true, value: { deleted: { integration: true, secrets: 1 } } });
  });
});

describe('connections', () => {
  it('keeps secret values out of the document and refuses deletion while in use', async () => {
    const conn = await bearerConnection();
    const doc = admin.connections.docs.values().next().value;
    expect(JSON.stringify(doc)).not.toContain('secret-token-value');
    expect(doc?.value.secrets.token).toMatchObject({ version: 'v1' });
    await createIntegration(admin.deps, principal, integration(conn));
    expect(await deleteConnection(admin.deps, principal, conn, undefined)).toMatchObject({
      ok: false,
      error: { code: 'Conflict' },
    });
  });
});
