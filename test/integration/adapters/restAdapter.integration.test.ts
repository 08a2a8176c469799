/**
 * The generic REST adapter against the provider simulator over real HTTP: every pagination
 * style and auth placement, incremental windows, tombstones, writes, faults, a run killed after a
 * page and resumed, records edited during a run, and webhooks parsed after signature checks.
 */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ConnectionCredentials, RecordPage } from '../../../adapters/base/adapter';
import type { HttpClient } from '../../../adapters/base/httpClient';
import type { RestAdapter, RestApiDescriptorInput } from '../../../adapters/rest';
import { createRestAdapter } from '../../../adapters/rest';
import { isSyncError } from '../../../shared/reliability/errors';
import { adapterContext, simulatorHttpClient } from '../../simulators/adapterContext';
import type { RestProvider, SimAuth, SimPaginationStyle } from '../../simulators/restProvider';
import { startRestProvider } from '../../simulators/restProvider';

const T0 = Date.parse('2024-05-01T10:00:00Z');

interface StyleCase {
  readonly style: SimPaginationStyle;
  readonly pagination: RestApiDescriptorInput['pagination'];
  readonly recordsPath: string;
  readonly auth: SimAuth;
  readonly credentials: ConnectionCredentials;
}

const STYLES: readonly StyleCase[] = [
  {
    style: 'page',
    pagination: { style: 'page' },
    recordsPath: 'data',
    auth: { type: 'bearer', token: 'tok' },
    credentials: { type: 'BEARER', token: 'tok' },
  },
  {
    style: 'offset',
    pagination: { style: 'offset' },
    recordsPath: 'items',
    auth: { type: 'header', name: 'x-api-key', value: 'k1' },
    credentials: { type: 'API_KEY', apiKey: 'k1', headerName: 'x-api-key' },
  },
  {
    style: 'cursor',
    pagination: { style: 'cursor', nextCursorPath: 'paging.next' },
    recordsPath: 'results',
    auth: { type: 'query', name: 'api_key', value: 'k2' },
    credentials: { type: 'API_KEY', apiKey: 'k2', queryParam: 'api_key' },
  },
  {
    style: 'link',
    pagination: { style: 'link-header' },
    recordsPath: '',
    auth: { type: 'basic', username: 'u', password: 'p w' },
    credentials: { type: 'BASIC', username: 'u', password: 'p w' },
  },
  {
    style: 'pages-header',
    pagination: { style: 'page', totalPagesHeader: 'X-Total-Pages' },
    recordsPath: '',
    auth: { type: 'bearer', token: 'oauth' },
    credentials: { type: 'OAUTH2', accessToken: 'oauth' },
  },
];

function descriptorFor(
  c: StyleCase,
  extra: Partial<RestApiDescriptorInput['resources'][string]> = {},
): RestApiDescriptorInput {
  const base = `/${c.style}/items`;
  return {
    pagination: c.pagination,
    pageSize: 3,
    resources: {
      items: {
        listPath: base,
        recordsPath: c.recordsPath,
        updatedAt: { field: 'updated_at', format: 'iso' },
        incremental: { param: 'updated_since', format: { format: 'iso-ms' } },
        deleted: { field: 'archived', value: true },
        create: { method: 'POST', path: base },
        update: { method: 'PATCH', path: `${base}/{id}` },
        delete: { method: 'DELETE', path: `${base}/{id}` },
        ...extra,
      },
    },
  };
}

async function collect(pages: AsyncIterable<RecordPage>): Promise<RecordPage[]> {
  const out: RecordPage[] = [];
  for await (const p of pages) out.push(p);
  return out;
}
const idsOf = (pages: readonly RecordPage[]): string[] => pages.flatMap((p) => p.records.map((r) => r.id));

function seed(sim: RestProvider, n: number): void {
  sim.defineCollection('items', { softDelete: { field: 'archived', value: true } });
  for (let i = 1; i <= n; i++) {
    sim.put('items', { name: `item ${i}` });
    sim.advance(1000);
  }
}

describe('generic REST adapter against the simulator', () => {
  let http: HttpClient;
  beforeAll(() => {
    http = simulatorHttpClient();
  });
  afterAll(async () => {
    await http.close();
  });

  describe.each(STYLES)('$style pagination', (c) => {
    let sim: RestProvider;
    beforeEach(async () => {
      sim = await startRestProvider({ auth: c.auth, now: T0 });
      seed(sim, 8);
    });
    afterEach(async () => {
      await sim.close();
    });

    const adapter = (credentials = c.credentials): RestAdapter =>
      createRestAdapter(
        adapterContext(http, credentials, { baseUrl: sim.url, descriptor: descriptorFor(c) }),
      );

    it('fetches every record once across pages, authenticated the way the API wants', async () => {
      const pages = await collect(adapter().fetchRecords('items'));
      expect(idsOf(pages)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      expect(pages.map((p) => p.records.length)).toEqual([3, 3, 2]);
      expect(sim.requests.every((r) => r.status === 200)).toBe(true);
    });

    it('refuses with ProviderAuthExpired on wrong credentials, without retrying', async () => {
      const wrong: ConnectionCredentials =
        c.credentials.type === 'BASIC'
          ? { ...c.credentials, password: 'nope' }
          : c.credentials.type === 'API_KEY'
            ? { ...c.credentials, apiKey: 'nope' }
            : c.credentials.type === 'BEARER'
              ? { type: 'BEARER', token: 'nope' }
              : { type: 'OAUTH2', accessToken: 'nope' };
      const error: unknown = await collect(adapter(wrong).fetchRecords('items')).catch((e: unknown) => e);
      expect(isSyncError(error) && error.code).toBe('ProviderAuthExpired');
      expect(sim.requests).toHaveLength(1);
    });

    it('an incremental fetch returns changes since the instant, archived records as tombstones', async () => {
      const since = new Date(sim.now());
      sim.advance(5000);
      sim.patch('items', 2, { name: 'renamed' });
      sim.trash('items', 6);
      const pages = await collect(adapter().fetchRecords('items', { since }));
      const records = pages.flatMap((p) => p.records);
      expect(records.map((r) => [r.id, r.deleted])).toEqual([
        ['2', false],
        ['6', true],
      ]);
      expect(records[0]?.data['name']).toBe('renamed');
      expect(records[0]?.updatedAt).toBe(new Date(sim.now()).toISOString());
    });

    it('a run killed after page 2 resumes from its last cursor with no gap and no repeat', async () => {
      sim.killAfterPage(2);
      const seen: RecordPage[] = [];
      const error: unknown = await (async () => {
        for await (const p of adapter().fetchRecords('items')) seen.push(p);
      })().catch((e: unknown) => e);
      expect(isSyncError(error) && error.retryable).toBe(true);
      expect(seen).toHaveLength(2);
      sim.revive();
      const rest = await collect(adapter().fetchRecords('items', { cursor: seen[1]?.cursor ?? '' }));
      expect([...idsOf(seen), ...idsOf(rest)]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    });

    it('creates, updates and deletes, and deleting twice is fine', async () => {
      const a = adapter();
      const created = await a.createRecord('items', { name: 'new' });
      expect(sim.get('items', created.id)?.fields['name']).toBe('new');
      const updated = await a.updateRecord('items', created.id, { name: 'newer' });
      expect(updated.data['name']).toBe('newer');
      await a.deleteRecord('items', created.id);
      expect(sim.get('items', created.id)?.deleted).toBe(true);
      sim.remove('items', created.id);
      await expect(a.deleteRecord('items', created.id)).resolves.toBeUndefined();
    });
  });

  describe('faults', () => {
    let sim: RestProvider;
    const c = STYLES[0] as StyleCase;
    beforeEach(async () => {
      sim = await startRestProvider({ auth: c.auth, now: T0 });
      seed(sim, 8);
    });
    afterEach(async () => {
      await sim.close();
    });
    const adapter = (client = http): RestAdapter =>
      createRestAdapter(
        adapterContext(client, c.credentials, { baseUrl: sim.url, descriptor: descriptorFor(c) }),
      );

    it('waits out a 429 for its Retry-After, then carries on', async () => {
      sim.inject({ kind: 'status', status: 429, retryAfter: '1', nth: [2] });
      const pages = await collect(adapter().fetchRecords('items'));
      expect(idsOf(pages)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      const [first, limited, retried] = sim.requests;
      expect(limited?.status).toBe(429);
      expect(retried?.query).toEqual(limited?.query);
      expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
      expect(first?.status).toBe(200);
    });

    it('retries 500 and 503 and connection resets', async () => {
      sim.inject({ kind: 'status', status: 503, nth: [1] });
      sim.inject({ kind: 'reset', nth: [3] });
      sim.inject({ kind: 'status', status: 500, nth: [5] });
      const pages = await collect(adapter().fetchRecords('items'));
      expect(idsOf(pages)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
      expect(sim.requests.map((r) => r.fault ?? r.status)).toEqual([
        'status-503',
        200,
        'reset',
        200,
        'status-500',
        200,
      ]);
    });

    it('gives up on a provider that hangs with a retryable ProviderTimeout', async () => {
      const impatient = simulatorHttpClient({
        timeoutMs: 150,
        retryPolicy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 10 },
      });
      sim.inject({ kind: 'hang' });
      try {
        const error: unknown = await collect(adapter(impatient).fetchRecords('items')).catch(
          (e: unknown) => e,
        );
        expect(isSyncError(error) && [error.code, error.retryable]).toEqual(['ProviderTimeout', true]);
        expect(sim.requests).toHaveLength(2);
      } finally {
        await impatient.close();
      }
    });

    it('fails a run when most requests fail and attempts run out, and the run resumes after it', async () => {
      sim.inject({ kind: 'status', status: 503, probability: 0.9, seed: 7 });
      const seen: RecordPage[] = [];
      const error: unknown = await (async () => {
        for await (const p of adapter().fetchRecords('items')) seen.push(p);
      })().catch((e: unknown) => e);
      expect(isSyncError(error) && error.code).toBe('ProviderUnavailable');
      sim.clearFaults();
      const last = seen.at(-1)?.cursor;
      const rest = await collect(adapter().fetchRecords('items', last !== undefined ? { cursor: last } : {}));
      expect([...idsOf(seen), ...idsOf(rest)]).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    });
  });

  describe('records edited during a run', () => {
    let sim: RestProvider;
    beforeEach(async () => {
      sim = await startRestProvider({ now: T0 });
      seed(sim, 9);
    });
    afterEach(async () => {
      await sim.close();
    });
    const offset: StyleCase = {
      style: 'offset',
      pagination: { style: 'offset' },
      recordsPath: 'items',
      auth: { type: 'none' },
      credentials: { type: 'BEARER', token: 'unused' },
    };

    async function runEditingAfterFirstPage(keyset: boolean): Promise<string[]> {
      const descriptor = descriptorFor(offset, {
        query: {},
        incremental: { param: 'updated_since', format: { format: 'iso-ms' }, keyset },
      });
      const a = createRestAdapter(adapterContext(http, offset.credentials, { baseUrl: sim.url, descriptor }));
      const seen = new Set<string>();
      let first = true;
      for await (const p of a.fetchRecords('items', { since: new Date(T0 - 1000) })) {
        for (const r of p.records) seen.add(r.id);
        if (first) {
          // Record 2 is edited after page 1 was read: it moves to the end of the updated-at order.
          sim.advance(60_000);
          sim.patch('items', 2, { name: 'edited' });
          first = false;
        }
      }
      return [...seen].sort((x, y) => Number(x) - Number(y));
    }

    it('keyset paging still sees every record', async () => {
      expect(await runEditingAfterFirstPage(true)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    });

    it('plain offset paging would skip one (why keyset exists)', async () => {
      expect(await runEditingAfterFirstPage(false)).not.toContain('4');
    });
  });

  it('parses webhooks described as data after the signature check, over HTTP', async () => {
    const descriptor: RestApiDescriptorInput = {
      baseUrl: 'http://127.0.0.1:9',
      resources: { items: { listPath: '/items', updatedAt: { field: 'updated_at' } } },
      webhook: {
        scheme: 'github',
        eventsPath: 'events',
        resourceType: 'items',
        recordPath: 'record',
        actionField: 'action',
        deleteActions: ['deleted'],
        idField: 'record.id',
      },
    };
    const adapter = createRestAdapter(adapterContext(http, { type: 'BEARER', token: 't' }, { descriptor }));
    const webhooks = adapter.webhooks;
    if (webhooks === undefined) throw new Error('webhooks expected');
    const received: { verified: boolean; events: unknown }[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (b: Buffer) => chunks.push(b));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const verified = webhooks.verify(
          { scheme: 'github', secret: 'a-webhook-secret-123' },
          { rawBody, headers: req.headers, method: 'POST', url: 'http://127.0.0.1/hook', now: Date.now() },
        );
        const parsed = verified.ok ? webhooks.parse({ rawBody, headers: req.headers }) : undefined;
        received.push({ verified: verified.ok, events: parsed?.ok === true ? parsed.value : undefined });
        res.writeHead(verified.ok ? 202 : 401);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const sim = await startRestProvider();
    try {
      const body = {
        events: [
          { action: 'updated', record: { id: 7, name: 'x', updated_at: '2024-05-01T10:00:00Z' } },
          { action: 'deleted', record: { id: 8 } },
        ],
      };
      const good = await sim.sendWebhook({ url, scheme: 'github', secret: 'a-webhook-secret-123', body });
      const bad = await sim.sendWebhook({ url, scheme: 'github', secret: 'another-secret-4567', body });
      expect([good.status, bad.status]).toEqual([202, 401]);
      expect(received[0]?.events).toEqual([
        {
          kind: 'upsert',
          externalId: '7',
          resourceType: 'items',
          eventType: 'updated',
          record: {
            id: '7',
            updatedAt: '2024-05-01T10:00:00.000Z',
            deleted: false,
            data: { id: 7, name: 'x', updated_at: '2024-05-01T10:00:00Z' },
          },
        },
        { kind: 'delete', externalId: '8', resourceType: 'items', eventType: 'deleted' },
      ]);
    } finally {
      await sim.close();
      await new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      );
    }
  });
});
