/**
 * One contract, every adapter: the same behaviour is required of the generic REST adapter in each
 * pagination style and of the WordPress adapter, checked against recorded provider traffic
 * (test/fixtures/<provider>/*.json, written by test/simulators/recordFixtures.ts; the WordPress one
 * comes from a real WordPress 6.1). The fixtures replay in-process through HttpClient's `fetch`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Adapter, ConnectionCredentials, RecordPage } from '../../../../adapters/base/adapter';
import { HttpClient } from '../../../../adapters/base/httpClient';
import { createRestAdapter } from '../../../../adapters/rest';
import { createWordPressAdapter } from '../../../../adapters/wordpress';
import { isSyncError } from '../../../../shared/reliability/errors';
import type { Fixture, ReplayFetch } from '../../../simulators/fixtures';
import { FixtureSchema, replayFetch } from '../../../simulators/fixtures';
import type { ContractScenario } from '../../../simulators/recordFixtures';
import { CONTRACT_CREDENTIALS } from '../../../simulators/recordFixtures';

const ORIGIN = 'http://127.0.0.1:9';
const FIXTURES = join(__dirname, '..', '..', '..', 'fixtures');

function loadFixtures(): { name: string; fixture: Fixture; scenario: ContractScenario }[] {
  const out = [];
  for (const provider of ['rest', 'wordpress']) {
    for (const file of readdirSync(join(FIXTURES, provider))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const fixture = FixtureSchema.parse(JSON.parse(readFileSync(join(FIXTURES, provider, file), 'utf8')));
      out.push({
        name: file.replace(/\.json$/, ''),
        fixture,
        scenario: fixture.scenario as unknown as ContractScenario,
      });
    }
  }
  return out;
}

const CASES = loadFixtures();

interface Harness {
  readonly adapter: Adapter;
  readonly fetch: ReplayFetch;
  close(): Promise<void>;
}

function harness(c: (typeof CASES)[number], options: { holdFrom?: number } = {}): Harness {
  const fetch = replayFetch(c.fixture, ORIGIN, options);
  const http = new HttpClient({
    allowlist: ['127.0.0.1'],
    pinDns: false,
    fetch: (url, init) => fetch(url, init),
    retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
  });
  const settings = JSON.parse(JSON.stringify(c.scenario.settings).split('{{origin}}').join(ORIGIN)) as Record<
    string,
    unknown
  >;
  const credentials: ConnectionCredentials =
    c.scenario.adapter === 'wordpress'
      ? { type: 'BASIC', username: 'admin', password: 'app password' }
      : (CONTRACT_CREDENTIALS[c.name] ?? { type: 'BEARER', token: 't' });
  const context = { tenantId: 't1', integrationId: 'i1', connectionId: c.name, credentials, settings, http };
  const adapter =
    c.scenario.adapter === 'wordpress' ? createWordPressAdapter(context) : createRestAdapter(context);
  return { adapter, fetch, close: () => http.close() };
}

async function collect(iterable: AsyncIterable<RecordPage>): Promise<RecordPage[]> {
  const pages: RecordPage[] = [];
  for await (const p of iterable) pages.push(p);
  return pages;
}

const ids = (pages: readonly RecordPage[]): string[] => pages.flatMap((p) => p.records.map((r) => r.id));

describe.each(CASES)('adapter contract: $name', (c) => {
  const s = c.scenario;
  let h: Harness;

  beforeEach(() => {
    h = harness(c);
  });

  afterEach(async () => {
    await h.close();
    // Every request the adapter made was one the provider really answered when recording.
    expect(h.fetch.matcher.unmatched).toEqual([]);
  });

  it('a full fetch returns every record once, each with id, UTC updatedAt and deleted flag', async () => {
    const pages = await collect(h.adapter.fetchRecords(s.resourceType, { pageSize: s.pageSize }));
    expect(ids(pages).sort()).toEqual([...s.allIds].sort());
    for (const r of pages.flatMap((p) => p.records)) {
      expect(r.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(r.deleted).toBe(s.deletedIds.includes(r.id));
      expect(typeof r.data).toBe('object');
    }
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.slice(0, -1).every((p) => p.hasMore && p.cursor !== undefined)).toBe(true);
    expect(pages.at(-1)).toMatchObject({ hasMore: false, cursor: undefined });
  });

  it('resuming from a page cursor continues with the next page: no gap, no repeat', async () => {
    const full = await collect(h.adapter.fetchRecords(s.resourceType, { pageSize: s.pageSize }));
    const cursor = full[0]?.cursor;
    if (cursor === undefined) throw new Error('the first page has no cursor');
    const fresh = harness(c);
    try {
      const rest = await collect(
        fresh.adapter.fetchRecords(s.resourceType, { pageSize: s.pageSize, cursor }),
      );
      const head = full[0]?.records.map((r) => r.id) ?? [];
      expect([...head, ...ids(rest)].sort()).toEqual([...s.allIds].sort());
      expect(new Set([...head, ...ids(rest)]).size).toBe(s.allIds.length);
    } finally {
      await fresh.close();
    }
  });

  it('`since` returns only what changed, with deletions as tombstones', async () => {
    const pages = await collect(
      h.adapter.fetchRecords(s.resourceType, { pageSize: s.pageSize, since: new Date(s.since) }),
    );
    expect(ids(pages).sort()).toEqual([...s.sinceIds].sort());
    const deleted = pages
      .flatMap((p) => p.records)
      .filter((r) => r.deleted)
      .map((r) => r.id);
    expect(deleted.sort()).toEqual(s.sinceIds.filter((id) => s.deletedIds.includes(id)).sort());
    for (const r of pages.flatMap((p) => p.records)) {
      expect(Date.parse(r.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(s.since));
    }
  });

  it('fetchRecord returns the record, and undefined for one that does not exist', async () => {
    const rec = await h.adapter.fetchRecord(s.resourceType, s.fetchId);
    expect(rec?.id).toBe(s.fetchId);
    expect(rec?.updatedAt).toBeDefined();
    await expect(h.adapter.fetchRecord(s.resourceType, s.missingId)).resolves.toBeUndefined();
  });

  it('create, update and delete round-trip through the provider', async () => {
    const created = await h.adapter.createRecord(s.resourceType, s.create);
    expect(created.id).toMatch(/^\S+$/);
    expect(created.deleted).toBe(false);
    const updated = await h.adapter.updateRecord(s.resourceType, created.id, s.update.data);
    expect(updated.id).toBe(created.id);
    const value = s.update.path
      .split('.')
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], updated.data);
    expect(value).toBe(s.update.value);
    await expect(h.adapter.deleteRecord(s.resourceType, created.id)).resolves.toBeUndefined();
  });

  it('testConnection succeeds with working credentials', async () => {
    const result = await h.adapter.testConnection();
    expect(result.ok).toBe(true);
  });

  it('passes abortSignal through: aborting mid-request rejects with Cancelled and sends nothing more', async () => {
    const held = harness(c, { holdFrom: 2 });
    try {
      const controller = new AbortController();
      const pages = held.adapter.fetchRecords(s.resourceType, {
        pageSize: s.pageSize,
        abortSignal: controller.signal,
      });
      const it = pages[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.done).toBe(false);
      const second = it.next();
      // The second request is in flight (held by the replay until its signal aborts).
      await new Promise((r) => setImmediate(r));
      expect(held.fetch.calls()).toBe(2);
      controller.abort();
      const error: unknown = await second.catch((e: unknown) => e);
      expect(isSyncError(error) && error.code).toBe('Cancelled');
      expect(isSyncError(error) && error.retryable).toBe(false);
      await new Promise((r) => setTimeout(r, 20));
      expect(held.fetch.calls()).toBe(2);
    } finally {
      await held.close();
    }
  });
});
