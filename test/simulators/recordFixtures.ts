/**
 * Records the adapter contract fixtures in test/fixtures/<provider>/ (see
 * test/unit/adapters/contract/). Each case seeds a known data set in a live provider, puts a
 * recording proxy in front of it, runs every call the contract suite makes, and writes what went
 * over the wire plus the expectations derived from the seeded data (never from the adapter's output).
 *
 *   node -r ./test/support/registerTs.js test/simulators/recordFixtures.ts rest       # the simulator
 *   node -r ./test/support/registerTs.js test/simulators/recordFixtures.ts wordpress  # real WordPress
 *
 * `wordpress` needs the peer running (test/peers/wordpress/start.sh); it clears the `contacts` type.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { Adapter, ConnectionCredentials } from '../../adapters/base/adapter';
import { HttpClient } from '../../adapters/base/httpClient';
import type { RestApiDescriptorInput } from '../../adapters/rest';
import { createRestAdapter } from '../../adapters/rest';
import type { WordPressSettingsInput } from '../../adapters/wordpress';
import { createWordPressAdapter } from '../../adapters/wordpress';
import { wordpressPeer, WordPressPeerClient } from '../peers/wordpress/peer';
import type { Fixture } from './fixtures';
import { startRecordingProxy, writeFixture } from './fixtures';
import type { SimAuth, SimPaginationStyle, UpdatedAtFormat } from './restProvider';
import { startRestProvider } from './restProvider';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** What the contract suite reads from `fixture.scenario`. */
export interface ContractScenario {
  readonly adapter: 'rest' | 'wordpress';
  /** `settings` for the adapter context; `{{origin}}` stands for the replay origin. */
  readonly settings: Record<string, unknown>;
  readonly resourceType: string;
  readonly pageSize: number;
  /** Ids of a full fetch, in the provider's order. */
  readonly allIds: string[];
  readonly deletedIds: string[];
  readonly since: string;
  /** Ids changed at or after `since` (the incremental fetch), any order. */
  readonly sinceIds: string[];
  readonly fetchId: string;
  readonly missingId: string;
  readonly create: Record<string, unknown>;
  readonly update: { readonly data: Record<string, unknown>; readonly path: string; readonly value: string };
}

interface RestCase {
  readonly name: string;
  readonly style: SimPaginationStyle;
  readonly pagination: RestApiDescriptorInput['pagination'];
  readonly recordsPath: string;
  readonly format: UpdatedAtFormat;
  readonly updatedAt: { format: 'iso' | 'epoch-s' | 'epoch-ms' | 'custom'; pattern?: string; zone?: string };
  readonly query: { format: 'iso' | 'iso-ms' | 'epoch-s' | 'epoch-ms' | 'iso-offset'; zone?: string };
  readonly simAuth: SimAuth;
  readonly credentials: ConnectionCredentials;
}

const SITE_OFFSET_MIN = 330;
const REST_CASES: readonly RestCase[] = [
  {
    name: 'rest-page',
    style: 'page',
    pagination: { style: 'page' },
    recordsPath: 'data',
    format: 'iso',
    updatedAt: { format: 'iso' },
    query: { format: 'iso-ms' },
    simAuth: { type: 'bearer', token: 'page-token' },
    credentials: { type: 'BEARER', token: 'page-token' },
  },
  {
    name: 'rest-offset',
    style: 'offset',
    pagination: { style: 'offset' },
    recordsPath: 'items',
    format: 'epoch-s',
    updatedAt: { format: 'epoch-s' },
    query: { format: 'epoch-s' },
    simAuth: { type: 'header', name: 'x-api-key', value: 'offset-key' },
    credentials: { type: 'API_KEY', apiKey: 'offset-key', headerName: 'x-api-key' },
  },
  {
    name: 'rest-cursor',
    style: 'cursor',
    pagination: { style: 'cursor', nextCursorPath: 'paging.next' },
    recordsPath: 'results',
    format: 'epoch-ms',
    updatedAt: { format: 'epoch-ms' },
    query: { format: 'epoch-ms' },
    simAuth: { type: 'query', name: 'api_key', value: 'cursor-key' },
    credentials: { type: 'API_KEY', apiKey: 'cursor-key', queryParam: 'api_key' },
  },
  {
    name: 'rest-link',
    style: 'link',
    pagination: { style: 'link-header' },
    recordsPath: '',
    format: 'site-local',
    updatedAt: { format: 'custom', pattern: 'YYYY-MM-DDTHH:mm:ss', zone: '+05:30' },
    query: { format: 'iso-offset', zone: '+05:30' },
    simAuth: { type: 'basic', username: 'link-user', password: 'link-pass' },
    credentials: { type: 'BASIC', username: 'link-user', password: 'link-pass' },
  },
  {
    name: 'rest-pages-header',
    style: 'pages-header',
    pagination: { style: 'page', totalPagesHeader: 'X-Total-Pages' },
    recordsPath: '',
    format: 'iso',
    updatedAt: { format: 'iso' },
    query: { format: 'iso' },
    simAuth: { type: 'bearer', token: 'oauth-token' },
    credentials: { type: 'OAUTH2', accessToken: 'oauth-token' },
  },
];

/** Credentials the contract suite uses per case (the replay does not check them; recording did). */
export const CONTRACT_CREDENTIALS: Readonly<Record<string, ConnectionCredentials>> = Object.fromEntries(
  REST_CASES.map((c) => [c.name, c.credentials]),
);

async function exercise(adapter: Adapter, s: ContractScenario): Promise<void> {
  const pages = [];
  for await (const p of adapter.fetchRecords(s.resourceType, { pageSize: s.pageSize })) pages.push(p);
  const first = pages[0]?.cursor;
  if (first !== undefined) {
    for await (const _ of adapter.fetchRecords(s.resourceType, { pageSize: s.pageSize, cursor: first })) {
      // drained: the requests are what is recorded
    }
  }
  for await (const _ of adapter.fetchRecords(s.resourceType, {
    pageSize: s.pageSize,
    since: new Date(s.since),
  })) {
    // drained
  }
  await adapter.fetchRecord(s.resourceType, s.fetchId);
  await adapter.fetchRecord(s.resourceType, s.missingId);
  const t = await adapter.testConnection();
  if (!t.ok) throw t.error;
  const created = await adapter.createRecord(s.resourceType, s.create);
  await adapter.updateRecord(s.resourceType, created.id, s.update.data);
  await adapter.deleteRecord(s.resourceType, created.id);
}

async function recordRest(http: HttpClient): Promise<void> {
  for (const c of REST_CASES) {
    const t0 = Date.parse('2024-05-01T10:00:00Z');
    const sim = await startRestProvider({ auth: c.simAuth, now: t0 });
    sim.defineCollection('contacts', {
      updatedAtFormat: c.format,
      siteOffsetMinutes: SITE_OFFSET_MIN,
      softDelete: { field: 'archived', value: true },
    });
    for (let i = 1; i <= 7; i++) {
      sim.put('contacts', { name: `Contact ${i}`, email: `c${i}@example.test` });
      sim.advance(1000);
    }
    const since = t0 + 10_000;
    sim.setNow(t0 + 20_000);
    sim.patch('contacts', 3, { email: 'changed@example.test' });
    sim.setNow(t0 + 21_000);
    sim.trash('contacts', 5);
    sim.setNow(t0 + 30_000);
    const all = sim.list('contacts');

    const proxy = await startRecordingProxy(sim.url);
    const base = `/${c.style}/contacts`;
    const descriptor: RestApiDescriptorInput = {
      pagination: c.pagination,
      pageSize: 3,
      testConnection: { path: '/me' },
      resources: {
        contacts: {
          listPath: base,
          recordsPath: c.recordsPath,
          updatedAt: { field: 'updated_at', ...c.updatedAt },
          incremental: { param: 'updated_since', format: c.query },
          deleted: { field: 'archived', value: true },
          get: { path: `${base}/{id}` },
          create: { method: 'POST', path: base },
          update: { method: 'PATCH', path: `${base}/{id}` },
          delete: { method: 'DELETE', path: `${base}/{id}` },
        },
      },
    };
    const scenario: ContractScenario = {
      adapter: 'rest',
      settings: { baseUrl: '{{origin}}', descriptor },
      resourceType: 'contacts',
      pageSize: 3,
      allIds: all.map((r) => r.id),
      deletedIds: all.filter((r) => r.deleted).map((r) => r.id),
      since: new Date(since).toISOString(),
      sinceIds: all.filter((r) => r.updatedMs >= since).map((r) => r.id),
      fetchId: '3',
      missingId: '999',
      create: { name: 'Zed', email: 'zed@example.test' },
      update: { data: { name: 'Zed Updated' }, path: 'name', value: 'Zed Updated' },
    };
    const adapter = createRestAdapter({
      tenantId: 't',
      integrationId: 'i',
      connectionId: c.name,
      http,
      credentials: c.credentials,
      settings: { ...scenario.settings, baseUrl: proxy.url },
    });
    await exercise(adapter, scenario);
    await save(
      'rest',
      c.name,
      `generic REST API, ${c.style} pagination`,
      'test/simulators/restProvider.ts',
      scenario,
      proxy.interactions(),
    );
    await proxy.close();
    await sim.close();
  }
}

async function recordWordPress(http: HttpClient): Promise<void> {
  const peer = wordpressPeer();
  const client = new WordPressPeerClient(peer);
  await client.clear('contacts');
  const created = [];
  for (let i = 1; i <= 5; i++) {
    created.push(
      await client.create('contacts', {
        title: `Contact ${i}`,
        status: i === 2 ? 'draft' : 'publish',
        meta: { email: `c${i}@example.test`, external_id: `ext-${i}` },
      }),
    );
  }
  await WordPressPeerClient.nextSecond();
  const since = new Date(Math.floor(Date.now() / 1000) * 1000);
  await WordPressPeerClient.nextSecond();
  const changed = created[1];
  const trashed = created[3];
  if (changed === undefined || trashed === undefined) throw new Error('seeding failed');
  await client.update('contacts', changed.id, { meta: { email: 'changed@example.test' } });
  await client.trash('contacts', trashed.id);
  const final = await client.list('contacts');

  const proxy = await startRecordingProxy(peer.baseUrl);
  const settings: WordPressSettingsInput = {
    baseUrl: '{{origin}}/wp-json/wp/v2',
    postTypes: [{ name: 'contacts', restBase: 'contacts' }],
    pageSize: 2,
  };
  const scenario: ContractScenario = {
    adapter: 'wordpress',
    settings,
    resourceType: 'contacts',
    pageSize: 2,
    allIds: created.map((p) => String(p.id)),
    deletedIds: final.filter((p) => p.status === 'trash').map((p) => String(p.id)),
    since: since.toISOString(),
    sinceIds: [String(changed.id), String(trashed.id)],
    fetchId: String(changed.id),
    missingId: '999999',
    create: { title: 'Zed', status: 'publish', meta: { email: 'zed@example.test', external_id: 'ext-zed' } },
    update: { data: { meta: { phone: '+44 20 7946 0000' } }, path: 'meta.phone', value: '+44 20 7946 0000' },
  };
  const adapter = createWordPressAdapter({
    tenantId: 't',
    integrationId: 'i',
    connectionId: 'wp',
    http,
    credentials: { type: 'BASIC', username: peer.username, password: peer.appPassword },
    settings: { ...settings, baseUrl: `${proxy.url}/wp-json/wp/v2` },
  });
  await exercise(adapter, scenario);
  await save(
    'wordpress',
    'wordpress-contacts',
    'WordPress 6.1 custom post type `contacts` with meta, site zone Asia/Kolkata',
    'WordPress 6.1 (Debian bookworm package) via test/peers/wordpress',
    scenario,
    proxy.interactions(),
  );
  await proxy.close();
}

async function save(
  provider: string,
  name: string,
  description: string,
  source: string,
  scenario: ContractScenario,
  interactions: Fixture['interactions'],
): Promise<void> {
  const dir = join(FIXTURES, provider);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  await writeFixture(file, {
    provider,
    description,
    source,
    recordedAt: new Date().toISOString(),
    scenario: JSON.parse(JSON.stringify(scenario)) as Fixture['scenario'],
    interactions,
  });
  process.stdout.write(`wrote ${file} (${interactions.length} interactions)\n`);
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'rest';
  const http = new HttpClient({
    allowlist: ['127.0.0.1'],
    retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
  });
  try {
    if (which === 'rest') await recordRest(http);
    else if (which === 'wordpress') await recordWordPress(http);
    else throw new Error(`unknown fixture set ${which}`);
  } finally {
    await http.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
