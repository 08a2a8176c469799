import { randomUUID } from 'node:crypto';

import { getComposition, resetComposition } from '../shared/composition';
import { ContainerNames } from '../shared/config/containers';
import { SettingNames } from '../shared/config/settingNames';
import type { IntegrationDocument } from '../shared/domain/integration';
import type { MappingDocument } from '../shared/mapping';
import type { LinkStore } from '../shared/ports/linkStore';
import type { RecordSource, SourcePage, SourceRecord } from '../shared/ports/recordSource';
import type { CanonicalRecord, RecordStore } from '../shared/ports/recordStore';
import { recordDocumentId } from '../shared/ports/recordStore';
import { inboundRecordId } from '../shared/sync/applyRecords';
import { mapLimit } from '../shared/sync/concurrency';
import type { SyncDeps } from '../shared/sync/deps';
import { mapperFor } from '../shared/sync/resourceMapping';
import { runInboundSync } from '../shared/sync/runInboundSync';
import { startChild } from './lib/children';

/**
 * Inbound sync against the Cosmos emulator (its own process, as beside the Functions host):
 *  1. raw Cosmos upserts of the canonical records the sync would write (same concurrency);
 *  2. the engine's first full sync of the same records: paging, mapping, hashing, one link query
 *     per page, record + link per record, a checkpoint per page, the run document and logs;
 *  3. an unchanged full re-sync, counting record and link writes (should be 0).
 * The provider is an in-memory source, so the figures are the engine's, not a provider's HTTP.
 * Usage: npm run bench -- inbound-sync [records] [pageSize]
 */

const RESOURCE = 'contacts';

const MAPPING: MappingDocument = {
  resourceType: RESOURCE,
  inbound: [
    { from: 'id', to: 'externalRef' },
    { from: 'first_name', to: 'name.first', transform: 'trim' },
    { from: 'last_name', to: 'name.last', transform: 'trim' },
    { from: 'email', to: 'email', transform: 'lowercase' },
    { from: 'phone', to: 'phone' },
    { from: 'company', to: 'company' },
    { from: 'title', to: 'title' },
    { from: 'city', to: 'address.city' },
    { from: 'country', to: 'address.country' },
    { from: 'score', to: 'score' },
    { from: 'updated_at', to: 'sourceUpdatedAt' },
  ],
  hash: { ignore: ['sourceUpdatedAt'] },
};

function records(n: number): SourceRecord[] {
  const base = Date.parse('2025-06-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const updatedAt = new Date(base + i * 1000).toISOString();
    return {
      externalId: String(i + 1),
      updatedAt,
      deleted: false,
      data: {
        id: i + 1,
        first_name: ` First${i} `,
        last_name: `Last${i}`,
        email: `Person.${i}@Example.com`,
        phone: `+1555${String(i).padStart(7, '0')}`,
        company: `Company ${i % 97}`,
        title: 'Engineer',
        city: 'Lisbon',
        country: 'PT',
        score: i % 100,
        updated_at: updatedAt,
      },
    };
  });
}

function memorySource(all: readonly SourceRecord[], pageSize: number): RecordSource {
  return {
    async *listRecords(request) {
      let offset = request.cursor === undefined ? 0 : Number(request.cursor);
      while (offset < all.length) {
        await Promise.resolve();
        const page: SourcePage = {
          records: all.slice(offset, offset + pageSize),
          ...(offset + pageSize < all.length ? { nextCursor: String(offset + pageSize) } : {}),
        };
        offset += pageSize;
        yield page;
      }
    },
    getRecord: (_type, id) => Promise.resolve(all.find((r) => r.externalId === id)),
    parseWebhook: () => [],
  };
}

interface WriteCounter {
  records: number;
  links: number;
}

function counting(
  records: RecordStore,
  links: LinkStore,
  counter: WriteCounter,
): { records: RecordStore; links: LinkStore } {
  return {
    records: {
      getRecord: (...a) => records.getRecord(...a),
      listRecords: (...a) => records.listRecords(...a),
      createRecord: (...a) => {
        counter.records++;
        return records.createRecord(...a);
      },
      replaceRecord: (...a) => {
        counter.records++;
        return records.replaceRecord(...a);
      },
    },
    links: {
      getLinksByExternalIds: (...a) => links.getLinksByExternalIds(...a),
      listLinksOfRecords: (...a) => links.listLinksOfRecords(...a),
      resolveLinks: (...a) => links.resolveLinks(...a),
      writeLink: (...a) => {
        counter.links++;
        return links.writeLink(...a);
      },
    },
  };
}

function integration(tenantId: string): IntegrationDocument {
  const now = new Date().toISOString();
  return {
    id: `int_bench${randomUUID().replace(/-/g, '').slice(0, 12)}`,
    tenantId,
    name: `bench-${randomUUID()}`,
    provider: 'rest',
    connectionId: 'con_bench',
    direction: 'inbound',
    sourceOfTruth: 'external',
    resourceTypes: [{ name: RESOURCE, enabled: true, mapping: MAPPING }],
    conflictStrategy: 'LATEST_WINS',
    schedule: { frequency: 'MANUAL', timeZone: 'UTC' },
    status: 'ACTIVE',
    cursors: {},
    createdAt: now,
    updatedAt: now,
  };
}

export async function main(): Promise<void> {
  const n = Number(process.argv[3] ?? 5000);
  const pageSize = Number(process.argv[4] ?? 200);
  const concurrency = 16;
  const stack = await startChild<{ settings: Record<string, string> }>('stackChild');
  try {
    const settings = {
      ...stack.ready.settings,
      [SettingNames.webhookBaseUrl]: 'https://bench.test/api',
      [SettingNames.logLevel]: 'warn',
    };
    const composition = await getComposition(settings);
    const data = records(n);

    // 1. Raw upserts of exactly the documents the engine writes, mapped and hashed beforehand.
    const rawTenant = `ten_raw${Date.now()}`;
    const rawIntegration = integration(rawTenant);
    const mapper = mapperFor(rawIntegration, RESOURCE);
    const mapped = await mapper.mapPage(
      data.map((r) => r.data),
      { tenantId: rawTenant, integrationId: rawIntegration.id },
    );
    const now = new Date().toISOString();
    const docs: CanonicalRecord[] = mapped.map((m, i) => {
      if (!m.ok) throw m.error;
      const recordId = inboundRecordId(rawIntegration.id, RESOURCE, (data[i] as SourceRecord).externalId);
      return {
        id: recordDocumentId(RESOURCE, recordId),
        tenantId: rawTenant,
        resourceType: RESOURCE,
        recordId,
        data: m.value,
        version: 1,
        hash: mapper.hash(m.value),
        deleted: false,
        origin: {
          source: 'inbound',
          integrationId: rawIntegration.id,
          externalId: (data[i] as SourceRecord).externalId,
        },
        createdAt: now,
        updatedAt: now,
      };
    });
    const recordsContainer = composition.container(ContainerNames.records);
    console.log(`raw upserts: ${n} records, ${concurrency} in flight…`);
    const rawStart = performance.now();
    await mapLimit(docs, concurrency, async (d) => {
      await recordsContainer.items.upsert(d);
    });
    const rawSeconds = (performance.now() - rawStart) / 1000;
    const rawRps = n / rawSeconds;
    console.log(`raw upserts: ${rawRps.toFixed(0)} records/s (${rawSeconds.toFixed(2)} s)`);

    // 2. The engine's first full sync.
    const tenantId = `ten_sync${Date.now()}`;
    const doc = integration(tenantId);
    await composition.admin.integrations.createIntegration(doc);
    const counter: WriteCounter = { records: 0, links: 0 };
    const stores = counting(composition.sync.records, composition.sync.links, counter);
    const deps: SyncDeps = {
      ...composition.sync,
      ...stores,
      writeConcurrency: concurrency,
      openSource: async (t, id) => {
        const found = await composition.admin.integrations.getIntegration(t, id);
        return found === undefined ? undefined : { integration: found, source: memorySource(data, pageSize) };
      },
    };
    const run = (runId: string) =>
      runInboundSync(deps, {
        tenantId,
        integrationId: doc.id,
        correlationId: runId,
        idempotencyKey: runId,
        payload: { runId, trigger: 'manual', mode: 'full', resourceTypes: [RESOURCE], dryRun: false },
      });
    console.log(`engine: first full sync of ${n} records, pages of ${pageSize}…`);
    const engineStart = performance.now();
    const first = await run('run_bench_first');
    const engineSeconds = (performance.now() - engineStart) / 1000;
    const engineRps = n / engineSeconds;
    console.log(
      `engine: ${engineRps.toFixed(0)} records/s (${engineSeconds.toFixed(2)} s), ${first.status}, created ${first.counts.created}, writes ${counter.records} records + ${counter.links} links; ${(engineRps / rawRps).toFixed(2)}× raw`,
    );

    // 3. Nothing changed at the provider: a full re-sync must write no record and no link.
    counter.records = 0;
    counter.links = 0;
    const resyncStart = performance.now();
    const second = await run('run_bench_unchanged');
    const resyncSeconds = (performance.now() - resyncStart) / 1000;
    const unchangedWrites = counter.records + counter.links;
    console.log(
      `unchanged re-sync: ${second.counts.unchanged} unchanged, ${unchangedWrites} record/link writes, ${(n / resyncSeconds).toFixed(0)} records/s`,
    );
    console.log(
      JSON.stringify({
        bench: 'inbound-sync',
        engine_rps: Math.round(engineRps),
        raw_upsert_rps: Math.round(rawRps),
        unchanged_writes: unchangedWrites,
      }),
    );
  } finally {
    await resetComposition();
    await stack.stop();
  }
}
