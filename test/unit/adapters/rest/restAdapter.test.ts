/**
 * The REST engine's request building and refusals, with an in-process fetch (no sockets): where
 * credentials go, which URLs are called, and what is refused before anything is sent.
 */
import type { ConnectionCredentials, RecordPage } from '../../../../adapters/base/adapter';
import type { FetchInit } from '../../../../adapters/base/httpClient';
import { HttpClient } from '../../../../adapters/base/httpClient';
import type { RestApiDescriptorInput } from '../../../../adapters/rest';
import { createRestAdapter } from '../../../../adapters/rest';
import { isSyncError } from '../../../../shared/reliability/errors';

interface Sent {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string | undefined;
}

function stub(answer: (req: Sent) => { status?: number; body?: unknown; headers?: Record<string, string> }) {
  const sent: Sent[] = [];
  const http = new HttpClient({
    allowlist: ['127.0.0.1'],
    pinDns: false,
    retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
    fetch: (url: string, init: FetchInit) => {
      const req = {
        method: init.method,
        url: new URL(url),
        headers: init.headers,
        body: typeof init.body === 'string' ? init.body : undefined,
      };
      sent.push(req);
      const a = answer(req);
      const status = a.status ?? 200;
      return Promise.resolve(
        new Response(status === 204 ? null : JSON.stringify(a.body ?? []), {
          status,
          headers: { 'content-type': 'application/json', ...a.headers },
        }),
      );
    },
  });
  return { http, sent };
}

const api = (extra: Partial<RestApiDescriptorInput> = {}): RestApiDescriptorInput => ({
  resources: {
    items: {
      listPath: '/accounts/{account}/items',
      updatedAt: { field: 'updated_at' },
      create: { method: 'POST', path: '/accounts/{account}/items', bodyPath: 'data', recordPath: 'data' },
    },
  },
  ...extra,
});

function adapter(
  http: HttpClient,
  credentials: ConnectionCredentials,
  descriptor: RestApiDescriptorInput = api(),
  settings: Record<string, unknown> = {},
) {
  return createRestAdapter({
    tenantId: 't',
    integrationId: 'i',
    connectionId: 'c',
    http,
    credentials,
    settings: { baseUrl: 'http://127.0.0.1:9/api/v2', params: { account: 'a b' }, descriptor, ...settings },
  });
}

async function drain(pages: AsyncIterable<RecordPage>): Promise<RecordPage[]> {
  const out: RecordPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isSyncError(e)) throw new Error(`expected a SyncError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

describe('generic REST adapter requests', () => {
  it.each([
    [{ type: 'BEARER', token: 'tok' }, 'authorization', 'Bearer tok'],
    [{ type: 'OAUTH2', accessToken: 'acc' }, 'authorization', 'Bearer acc'],
    [
      { type: 'BASIC', username: 'ü', password: 'p:w' },
      'authorization',
      `Basic ${Buffer.from('ü:p:w').toString('base64')}`,
    ],
    [{ type: 'API_KEY', apiKey: 'k', headerName: 'X-Token' }, 'x-token', 'k'],
  ] as const)('puts %j credentials in the %s header', async (credentials, header, value) => {
    const { http, sent } = stub(() => ({ body: [] }));
    await drain(adapter(http, credentials).fetchRecords('items'));
    expect(sent[0]?.headers.get(header)).toBe(value);
    expect(sent[0]?.url.pathname).toBe('/api/v2/accounts/a%20b/items');
  });

  it('puts an API key in the query when the descriptor says so, whatever the connection says', async () => {
    const { http, sent } = stub(() => ({ body: [] }));
    const d = api({ auth: { type: 'api-key', in: 'query', name: 'key', prefix: 'v1:' } });
    await drain(
      adapter(http, { type: 'API_KEY', apiKey: 'k', headerName: 'X-Token' }, d).fetchRecords('items'),
    );
    expect(sent[0]?.url.searchParams.get('key')).toBe('v1:k');
    expect(sent[0]?.headers.get('x-token')).toBeNull();
  });

  it('does not call the provider with an expired OAuth token (TokenRefresher must run first)', async () => {
    const { http, sent } = stub(() => ({ body: [] }));
    const creds: ConnectionCredentials = {
      type: 'OAUTH2',
      accessToken: 'a',
      expiresAt: '2000-01-01T00:00:00Z',
    };
    expect((await failure(drain(adapter(http, creds).fetchRecords('items')))).code).toBe(
      'ProviderAuthExpired',
    );
    expect(sent).toHaveLength(0);
  });

  it('refuses basic credentials for an API described as bearer', async () => {
    const { http } = stub(() => ({ body: [] }));
    const d = api({ auth: { type: 'bearer' } });
    const f = await failure(
      drain(adapter(http, { type: 'BASIC', username: 'u', password: 'p' }, d).fetchRecords('items')),
    );
    expect(f).toMatchObject({ code: 'ConfigInvalid' });
    expect(f.message).toContain('expects bearer credentials');
  });

  it('does not follow a Link header to another origin with the credentials', async () => {
    const { http, sent } = stub(() => ({
      body: [{ id: 1 }],
      headers: { link: '<http://169.254.169.254/latest?page=2>; rel="next"' },
    }));
    const d = api({ pagination: { style: 'link-header' } });
    const f = await failure(drain(adapter(http, { type: 'BEARER', token: 't' }, d).fetchRecords('items')));
    expect(f.code).toBe('ProviderRejected');
    expect(sent).toHaveLength(1);
  });

  it('wraps created records under bodyPath and reads them back from recordPath', async () => {
    const { http, sent } = stub((req) => ({
      status: 201,
      body: { data: { id: 'n1', ...JSON.parse(req.body ?? '{}').data } },
    }));
    const rec = await adapter(http, { type: 'BEARER', token: 't' }).createRecord(
      'items',
      { name: 'x' },
      { idempotencyKey: 'k-1' },
    );
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ data: { name: 'x' } });
    expect(sent[0]?.headers.get('idempotency-key')).toBe('k-1');
    expect(rec).toMatchObject({ id: 'n1', deleted: false, data: { id: 'n1', name: 'x' } });
  });

  it('says what is wrong with a provider answer instead of returning nothing', async () => {
    const notArray = stub(() => ({ body: { items: 'nope' } }));
    const d = api();
    const withPath: RestApiDescriptorInput = {
      ...d,
      resources: { items: { ...d.resources['items'], listPath: '/items', recordsPath: 'items' } },
    };
    expect(
      (
        await failure(
          drain(adapter(notArray.http, { type: 'BEARER', token: 't' }, withPath).fetchRecords('items')),
        )
      ).code,
    ).toBe('InvalidPayload');
    const noId = stub(() => ({ body: [{ name: 'no id' }] }));
    const f = await failure(drain(adapter(noId.http, { type: 'BEARER', token: 't' }).fetchRecords('items')));
    expect(f.message).toContain('no usable id');
  });

  it('refuses an unknown resource type, an unreadable cursor and a base URL with unfilled placeholders', async () => {
    const { http, sent } = stub(() => ({ body: [] }));
    const a = adapter(http, { type: 'BEARER', token: 't' });
    expect((await failure(drain(a.fetchRecords('nope')))).code).toBe('ConfigInvalid');
    expect((await failure(drain(a.fetchRecords('items', { cursor: 'page=2' })))).code).toBe('InvalidPayload');
    expect(() =>
      adapter(http, { type: 'BEARER', token: 't' }, api(), { baseUrl: 'https://{site}/api', params: {} }),
    ).toThrow(/unfilled placeholders/);
    expect(sent).toHaveLength(0);
  });
});
