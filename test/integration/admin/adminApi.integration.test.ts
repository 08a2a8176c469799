import '../../support/localHost';

import { startFakeProvider } from './fixtures';
import { bearerConnection, restIntegration } from './fixtures';
import type { AdminApi, TestTenant } from './harness';
import { startAdminApi } from './harness';

jest.setTimeout(60_000);

let api: AdminApi;
let a: TestTenant;
let b: TestTenant;
let provider: Awaited<ReturnType<typeof startFakeProvider>>;
const TOKEN = 'tok-3b9f1c2d8e7a';

beforeAll(async () => {
  api = await startAdminApi();
  provider = await startFakeProvider(TOKEN);
  [a, b] = await Promise.all([api.tenant('Tenant A'), api.tenant('Tenant B')]);
});
afterAll(async () => {
  await provider.close();
  await api.stop();
});

async function connection(t: TestTenant, name: string, token = TOKEN): Promise<string> {
  const res = await api.call('POST', '/admin/connections', {
    key: t.adminKey,
    json: bearerConnection(name, provider.url, token),
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('authentication and roles', () => {
  it('answers 401 with the error envelope and correlation id when no key or a wrong key is sent', async () => {
    const none = await api.call('GET', '/admin/integrations', {
      headers: { 'x-correlation-id': 'corr-401-test' },
    });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: { code: 'Unauthorized', message: expect.any(String), correlationId: 'corr-401-test' },
    });
    expect(none.headers.get('x-correlation-id')).toBe('corr-401-test');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const wrong = await api.call('GET', '/admin/integrations', { key: `sk_${'A'.repeat(43)}` });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('Unauthorized');
  });

  it('accepts the key as X-API-Key or as a bearer token', async () => {
    expect((await api.call('GET', '/admin/tenant', { key: a.adminKey })).body).toMatchObject({
      id: a.id,
      name: 'Tenant A',
    });
    expect((await api.call('GET', '/admin/tenant', { bearer: a.adminKey })).body).toMatchObject({ id: a.id });
  });

  it('lets a viewer read but not write, and an operator operate but not configure', async () => {
    const viewer = await a.key('viewer');
    const operator = await a.key('operator');
    const conn = await connection(a, 'roles-conn');
    const created = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('roles', conn),
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    expect((await api.call('GET', `/admin/integrations/${id}`, { key: viewer })).status).toBe(200);
    const denied = await api.call('POST', '/admin/integrations', {
      key: viewer,
      json: restIntegration('nope', conn),
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({
      code: 'Forbidden',
      details: { requiredRole: 'admin', role: 'viewer' },
    });
    expect((await api.call('POST', `/admin/integrations/${id}/pause`, { key: viewer })).status).toBe(403);

    expect((await api.call('POST', `/admin/integrations/${id}/pause`, { key: operator })).status).toBe(200);
    expect((await api.call('POST', `/admin/integrations/${id}/resume`, { key: operator })).status).toBe(200);
    expect(
      (await api.call('PATCH', `/admin/integrations/${id}`, { key: operator, json: { name: 'x' } })).status,
    ).toBe(403);
    expect((await api.call('DELETE', `/admin/integrations/${id}`, { key: operator })).status).toBe(403);
    expect((await api.call('GET', '/admin/keys', { key: operator })).status).toBe(403);
  });

  it('creates keys that work at once, shows them once, and revokes them', async () => {
    const created = await api.call('POST', '/admin/keys', {
      key: a.adminKey,
      json: { name: 'ci', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const { apiKey, keyId } = created.body as { apiKey: string; keyId: string };
    expect((await api.call('GET', '/admin/tenant', { key: apiKey })).status).toBe(200);
    const listed = await api.call('GET', '/admin/keys', { key: a.adminKey });
    expect(listed.text).not.toContain(apiKey);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ keyId, role: 'viewer', prefix: apiKey.slice(0, 9) }),
    );
    expect((await api.call('DELETE', `/admin/keys/${keyId}`, { key: a.adminKey })).status).toBe(200);
    expect((await api.call('GET', '/admin/tenant', { key: apiKey })).status).toBe(401);
    // Tenant B cannot see or revoke tenant A's keys.
    const other = await api.call('POST', '/admin/keys', { key: a.adminKey, json: { role: 'viewer' } });
    expect(
      (await api.call('DELETE', `/admin/keys/${other.body.keyId as string}`, { key: b.adminKey })).status,
    ).toBe(404);
  });
});

describe('providers', () => {
  it('lists the catalogue with auth types, webhook scheme, resource types and capabilities', async () => {
    const res = await api.call('GET', '/admin/providers', { key: a.adminKey });
    expect(res.status).toBe(200);
    const ids = (res.body.items as { id: string }[]).map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'rest',
        'wordpress',
        'woocommerce',
        'hubspot',
        'asana',
        'notion',
        'quickbooks',
        'salesforce',
        'supabase',
        'toggl',
      ]),
    );
    const hubspot = await api.call('GET', '/admin/providers/hubspot', { key: a.adminKey });
    expect(hubspot.body).toMatchObject({
      category: 'crm',
      authTypes: ['OAUTH2', 'BEARER'],
      webhook: { scheme: 'hubspot-v3' },
      resourceTypes: expect.arrayContaining([expect.objectContaining({ name: 'contacts' })]),
    });
    expect((await api.call('GET', '/admin/providers/nope', { key: a.adminKey })).status).toBe(404);
  });
});

describe('integrations', () => {
  let conn: string;
  beforeAll(async () => {
    conn = await connection(a, 'crud-conn');
  });

  it('creates with a generated webhook secret shown once, and the webhook URL', async () => {
    const res = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('crm-sync', conn, {
        direction: 'bidirectional',
        schedule: { cron: '0 */30 * * * *', timeZone: 'Europe/Berlin' },
        conflictStrategy: 'CUSTOM_MERGE',
        conflictRules: { email: 'EXTERNAL_WINS', notes: 'LOCAL_WINS' },
        sourceOfTruthOverrides: { email: 'external' },
        webhook: { scheme: 'standard-webhooks' },
        resourceTypes: [
          {
            name: 'contacts',
            mapping: {
              resourceType: 'contact',
              inbound: [
                { from: 'email', to: 'email' },
                { from: 'name', to: 'fullName' },
              ],
            },
          },
        ],
      }),
    });
    expect(res.status).toBe(201);
    const body = res.body;
    expect(body.webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(body.webhookUrl).toBe(`https://hooks.example.test/api/webhooks/rest/${body.id as string}`);
    expect(res.headers.get('etag')).toBe(body.etag);
    expect(body).toMatchObject({
      status: 'ACTIVE',
      direction: 'bidirectional',
      schedule: { cron: '0 */30 * * * *', timeZone: 'Europe/Berlin' },
    });

    const read = await api.call('GET', `/admin/integrations/${body.id as string}`, { key: a.adminKey });
    expect(read.status).toBe(200);
    expect(read.body.webhook).toMatchObject({ scheme: 'standard-webhooks', secretConfigured: true });
    expect(read.text).not.toContain(body.webhook.secret as string);
  });

  it('reports every validation problem at once with paths', async () => {
    const res = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: {
        name: '',
        provider: 'rest',
        direction: 'sideways',
        resourceTypes: [],
        conflictStrategy: 'CUSTOM_MERGE',
        schedule: { cron: '* * *' },
        extra: 1,
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationFailed');
    const paths = (res.body.error.details.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        'connectionId',
        'direction',
        'resourceTypes',
        'schedule.cron',
        '(body)',
      ]),
    );
    expect(res.body.error.correlationId).toEqual(expect.any(String));
  });

  it('checks references and mappings after the schema', async () => {
    const res = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: {
        name: 'refs',
        provider: 'hubspot',
        connectionId: conn,
        direction: 'outbound',
        resourceTypes: [
          { name: 'widgets' },
          {
            name: 'contacts',
            mapping: {
              resourceType: 'contact',
              inbound: [{ from: 'a', to: 'b', transform: 'noSuchTransform' }],
            },
          },
        ],
        webhook: { scheme: 'hmac', config: {} },
      },
    });
    expect(res.status).toBe(400);
    const issues = res.body.error.details.issues as { path: string; message: string }[];
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['connectionId', 'resourceTypes.0.name', 'webhook.config.header']),
    );
    expect(issues.some((i) => i.path.startsWith('resourceTypes.1.mapping'))).toBe(true);
  });

  it('answers 409 for a duplicate name in the tenant, but another tenant may use it', async () => {
    const first = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('dup-name', conn),
    });
    expect(first.status).toBe(201);
    const again = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('dup-name', conn),
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('Conflict');
    const bConn = await connection(b, 'b-conn');
    expect(
      (
        await api.call('POST', '/admin/integrations', {
          key: b.adminKey,
          json: restIntegration('dup-name', bConn),
        })
      ).status,
    ).toBe(201);
  });

  it('PATCH honours If-Match: a stale ETag is 412, the current one applies', async () => {
    const created = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('etag', conn),
    });
    const id = created.body.id as string;
    const etag = created.headers.get('etag') ?? '';
    const first = await api.call('PATCH', `/admin/integrations/${id}`, {
      key: a.adminKey,
      json: { schedule: { frequency: 'HOURLY' } },
      headers: { 'if-match': etag },
    });
    expect(first.status).toBe(200);
    expect(first.body.schedule).toEqual({ frequency: 'HOURLY', timeZone: 'UTC' });
    const stale = await api.call('PATCH', `/admin/integrations/${id}`, {
      key: a.adminKey,
      json: { name: 'etag-2' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PreconditionFailed');
    const renamed = await api.call('PATCH', `/admin/integrations/${id}`, {
      key: a.adminKey,
      json: { name: 'etag-2' },
      headers: { 'if-match': first.headers.get('etag') ?? '' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('etag-2');
    const dupRename = await api.call('PATCH', `/admin/integrations/${id}`, {
      key: a.adminKey,
      json: { name: 'dup-name' },
    });
    expect(dupRename.status).toBe(409);
  });

  it('rotates the webhook secret on request and shows the new one once', async () => {
    const created = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('rotate-hook', conn, { webhook: { scheme: 'github' } }),
    });
    const rotated = await api.call('PATCH', `/admin/integrations/${created.body.id as string}`, {
      key: a.adminKey,
      json: { rotateWebhookSecret: true },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhook.secret).toMatch(/^whsec_/);
    expect(rotated.body.webhook.secret).not.toBe(created.body.webhook.secret);
    expect(rotated.body.webhook.secretVersion).not.toBe(created.body.webhook.secretVersion);
  });

  it('moves through pause, resume and disable, and refuses impossible transitions with 409', async () => {
    const created = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('status', conn),
    });
    const id = created.body.id as string;
    expect((await api.call('POST', `/admin/integrations/${id}/pause`, { key: a.adminKey })).body.status).toBe(
      'PAUSED',
    );
    expect(
      (await api.call('POST', `/admin/integrations/${id}/disable`, { key: a.adminKey })).body.status,
    ).toBe('DISABLED');
    const bad = await api.call('POST', `/admin/integrations/${id}/pause`, { key: a.adminKey });
    expect(bad.status).toBe(409);
    expect(bad.body.error).toMatchObject({
      code: 'InvalidTransition',
      details: { status: 'DISABLED', action: 'pause' },
    });
    expect(
      (await api.call('POST', `/admin/integrations/${id}/resume`, { key: a.adminKey })).body.status,
    ).toBe('ACTIVE');
  });

  it('pages with continuation tokens and filters by status and provider', async () => {
    const t = await api.tenant('Paging');
    const c = await connection(t, 'paging-conn');
    for (let i = 0; i < 5; i += 1) {
      const res = await api.call('POST', '/admin/integrations', {
        key: t.adminKey,
        json: restIntegration(`page-${i}`, c, i % 2 === 0 ? { status: 'PAUSED' } : {}),
      });
      expect(res.status).toBe(201);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({
        limit: '2',
        ...(token !== undefined ? { continuationToken: token } : {}),
      });
      const page = await api.call('GET', `/admin/integrations?${q.toString()}`, { key: t.adminKey });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...(page.body.items as { name: string }[]).map((i) => i.name));
      token = page.body.continuationToken as string | undefined;
      pages += 1;
    } while (token !== undefined && pages < 10);
    expect(seen.sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(pages).toBeGreaterThanOrEqual(3);

    const paused = await api.call('GET', '/admin/integrations?status=PAUSED&provider=rest', {
      key: t.adminKey,
    });
    expect((paused.body.items as { name: string }[]).map((i) => i.name).sort()).toEqual([
      'page-0',
      'page-2',
      'page-4',
    ]);
    expect(
      (await api.call('GET', '/admin/integrations?provider=hubspot', { key: t.adminKey })).body.items,
    ).toEqual([]);

    const first = await api.call('GET', '/admin/integrations?limit=2', { key: t.adminKey });
    const mismatched = await api.call(
      'GET',
      `/admin/integrations?limit=2&status=ACTIVE&continuationToken=${first.body.continuationToken as string}`,
      {
        key: t.adminKey,
      },
    );
    expect(mismatched.status).toBe(400);
    expect((await api.call('GET', '/admin/integrations?limit=0', { key: t.adminKey })).status).toBe(400);
    expect((await api.call('GET', '/admin/integrations?status=SLEEPING', { key: t.adminKey })).status).toBe(
      400,
    );
  });

  it('DELETE reports what it removed, and the integration is gone', async () => {
    const created = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('to-delete', conn, {
        webhook: { scheme: 'stripe', secret: 'whsec_given_secret_value_123' },
      }),
    });
    const id = created.body.id as string;
    await api.call('POST', `/admin/integrations/${id}/test`, { key: a.adminKey });
    const deleted = await api.call('DELETE', `/admin/integrations/${id}`, { key: a.adminKey });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      id,
      deleted: {
        integration: true,
        links: 0,
        logs: 1,
        conflicts: 0,
        runs: 0,
        deadLetters: 0,
        webhookEvents: 0,
        secrets: 1,
      },
    });
    expect((await api.call('GET', `/admin/integrations/${id}`, { key: a.adminKey })).status).toBe(404);
    expect((await api.call('DELETE', `/admin/integrations/${id}`, { key: a.adminKey })).status).toBe(404);
  });
});

describe('request guards', () => {
  it('answers 415 for a non-JSON body, 400 for malformed JSON and 413 for an oversized body', async () => {
    const text = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      body: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('UnsupportedMediaType');
    const broken = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('MalformedJson');
    const huge = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: { name: 'x'.repeat(300 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('PayloadTooLarge');
  });
});

describe('connections and test-connection', () => {
  it('tests the stored credentials against the provider: OK, AUTH_FAILED, and BLOCKED for a metadata address', async () => {
    const good = await connection(a, 'good-conn');
    const bad = await connection(a, 'bad-conn', 'wrong-token-123');
    const blocked = await api.call('POST', '/admin/connections', {
      key: a.adminKey,
      json: bearerConnection('blocked-conn', 'http://169.254.169.254', TOKEN),
    });
    const ids: string[] = [];
    for (const [name, c] of [
      ['t-good', good],
      ['t-bad', bad],
      ['t-blocked', blocked.body.id as string],
    ] as const) {
      const res = await api.call('POST', '/admin/integrations', {
        key: a.adminKey,
        json: restIntegration(name, c),
      });
      ids.push(res.body.id as string);
    }
    const before = provider.calls;
    const ok = await api.call('POST', `/admin/integrations/${ids[0]!}/test`, { key: a.adminKey });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      status: 'OK',
      credentialsValid: true,
      httpStatus: 200,
      host: provider.url.slice(7),
    });
    expect(ok.body.latencyMs).toEqual(expect.any(Number));
    const refused = await api.call('POST', `/admin/integrations/${ids[1]!}/test`, { key: a.adminKey });
    expect(refused.body).toMatchObject({ status: 'AUTH_FAILED', credentialsValid: false, httpStatus: 401 });
    const ssrf = await api.call('POST', `/admin/integrations/${ids[2]!}/test`, { key: a.adminKey });
    expect(ssrf.body).toMatchObject({ status: 'BLOCKED', credentialsValid: null });
    expect(provider.calls - before).toBe(2);

    const logs = await api.call('GET', `/admin/integrations/${ids[1]!}/logs?operation=TEST_CONNECTION`, {
      key: a.adminKey,
    });
    expect(logs.body.items).toEqual([
      expect.objectContaining({
        operation: 'TEST_CONNECTION',
        status: 'FAILED',
        httpStatus: 401,
        errorCode: 'AUTH_FAILED',
      }),
    ]);
    const conn = await api.call('GET', `/admin/connections/${good}`, { key: a.adminKey });
    expect(conn.body.lastTest).toMatchObject({ ok: true, status: 200 });
  });

  it('rotates credentials only once the new ones are proven, keeping the previous version', async () => {
    const id = await connection(a, 'rotating', 'old-token-value');
    const before = await api.call('GET', `/admin/connections/${id}`, { key: a.adminKey });
    const oldVersion = before.body.secrets.token.version as string;

    const rejected = await api.call('POST', `/admin/connections/${id}/rotate`, {
      key: a.adminKey,
      json: { auth: { type: 'BEARER', token: 'still-wrong-token' } },
    });
    expect(rejected.status).toBe(422);
    expect(rejected.body.error.details.test).toMatchObject({ status: 'AUTH_FAILED' });
    expect(
      (await api.call('GET', `/admin/connections/${id}`, { key: a.adminKey })).body.secrets.token.version,
    ).toBe(oldVersion);

    const rotated = await api.call('POST', `/admin/connections/${id}/rotate`, {
      key: a.adminKey,
      json: { auth: { type: 'BEARER', token: TOKEN } },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.connection.secrets.token).toMatchObject({ previousVersion: oldVersion });
    expect(rotated.body.connection.secrets.token.version).not.toBe(oldVersion);
    expect(rotated.body.test).toMatchObject({ status: 'OK' });
  });

  it('validates connections per auth type and refuses deleting one in use', async () => {
    const bad = await api.call('POST', '/admin/connections', {
      key: a.adminKey,
      json: {
        name: 'x',
        provider: 'wordpress',
        auth: { type: 'OAUTH2', clientId: 'c', tokenUrl: 'not a url' },
      },
    });
    expect(bad.status).toBe(400);
    expect((bad.body.error.details.issues as { path: string }[]).map((i) => i.path)).toEqual(
      expect.arrayContaining(['auth.clientSecret', 'auth.tokenUrl']),
    );
    const wrongType = await api.call('POST', '/admin/connections', {
      key: a.adminKey,
      json: {
        name: 'x',
        provider: 'wordpress',
        params: { site: 'example.com' },
        auth: { type: 'API_KEY', apiKey: 'k' },
      },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.details.issues[0].path).toBe('auth.type');
    const missingSite = await api.call('POST', '/admin/connections', {
      key: a.adminKey,
      json: { name: 'x', provider: 'wordpress', auth: { type: 'BASIC', username: 'u', password: 'p' } },
    });
    expect(missingSite.body.error.details.issues[0]).toMatchObject({ path: 'params' });

    const used = await connection(a, 'in-use');
    await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('uses-conn', used),
    });
    const refused = await api.call('DELETE', `/admin/connections/${used}`, { key: a.adminKey });
    expect(refused.status).toBe(409);
    const dup = await api.call('POST', '/admin/connections', {
      key: a.adminKey,
      json: bearerConnection('in-use', provider.url, TOKEN),
    });
    expect(dup.status).toBe(409);
    const free = await connection(a, 'free');
    const stale = await api.call('PATCH', `/admin/connections/${free}`, {
      key: a.adminKey,
      json: { name: 'free-2' },
      headers: { 'if-match': '"nope"' },
    });
    expect(stale.status).toBe(412);
    const gone = await api.call('DELETE', `/admin/connections/${free}`, { key: a.adminKey });
    expect(gone.body).toEqual({ id: free, deleted: { connection: true, secrets: 1 } });
  });
});

describe('tenant isolation', () => {
  it("answers 404 to tenant B for tenant A's integration, connection and logs, and lists none of them", async () => {
    const conn = await connection(a, 'isolated-conn');
    const created = await api.call('POST', '/admin/integrations', {
      key: a.adminKey,
      json: restIntegration('isolated', conn),
    });
    const id = created.body.id as string;
    await api.call('POST', `/admin/integrations/${id}/test`, { key: a.adminKey });
    expect(
      (await api.call('GET', `/admin/integrations/${id}/logs`, { key: a.adminKey })).body.items,
    ).toHaveLength(1);

    for (const [method, path] of [
      ['GET', `/admin/integrations/${id}`],
      ['PATCH', `/admin/integrations/${id}`],
      ['DELETE', `/admin/integrations/${id}`],
      ['POST', `/admin/integrations/${id}/pause`],
      ['POST', `/admin/integrations/${id}/test`],
      ['GET', `/admin/integrations/${id}/logs`],
      ['GET', `/admin/connections/${conn}`],
      ['PATCH', `/admin/connections/${conn}`],
      ['DELETE', `/admin/connections/${conn}`],
      ['POST', `/admin/connections/${conn}/rotate`],
    ] as const) {
      const json =
        method === 'PATCH'
          ? { name: 'taken-over' }
          : method === 'POST' && path.endsWith('rotate')
            ? { auth: { type: 'BEARER', token: 'x' } }
            : undefined;
      const res = await api.call(method, path, { key: b.adminKey, ...(json !== undefined ? { json } : {}) });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body.error.code).toBe('NotFound');
    }
    // B cannot point an integration at A's connection either.
    const hijack = await api.call('POST', '/admin/integrations', {
      key: b.adminKey,
      json: restIntegration('hijack', conn),
    });
    expect(hijack.status).toBe(400);
    const listed = await api.call('GET', '/admin/integrations?limit=200', { key: b.adminKey });
    expect((listed.body.items as { id: string }[]).map((i) => i.id)).not.toContain(id);
    const conns = await api.call('GET', '/admin/connections?limit=200', { key: b.adminKey });
    expect((conns.body.items as { id: string }[]).map((i) => i.id)).not.toContain(conn);
    // A still has everything.
    expect((await api.call('GET', `/admin/integrations/${id}`, { key: a.adminKey })).body.name).toBe(
      'isolated',
    );
  });
});
