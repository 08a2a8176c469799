import type { InboundSyncPayload, WebhookEventEnvelope } from '../../../shared/messages/envelope';
import { syncLeaseId } from '../../../shared/ports/leaseStore';
import { inboundRecordId } from '../../../shared/sync/applyRecords';
import { applyWebhookEvent } from '../../../shared/sync/applyWebhookEvent';
import { INCREMENTAL_OVERLAP_MS, runInboundSync } from '../../../shared/sync/runInboundSync';
import type { FakeItem } from '../../fakes/recordSource';
import type { FakeSync } from '../../fakes/syncDeps';
import { createFakeSync, INTEGRATION, integrationDoc, TENANT } from '../../fakes/syncDeps';

const items = (n: number, at = '2025-06-01T10:00:00.000Z'): FakeItem[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(i + 1),
    name: `item ${i + 1}`,
    price: i + 1,
    updatedAt: at,
  }));

function payload(over: Partial<InboundSyncPayload> = {}): InboundSyncPayload {
  return {
    runId: 'run_1',
    trigger: 'manual',
    mode: 'full',
    resourceTypes: ['items'],
    dryRun: false,
    ...over,
  };
}

async function run(f: FakeSync, over: Partial<InboundSyncPayload> = {}, finalAttempt = false) {
  return runInboundSync(f.deps, {
    tenantId: TENANT,
    integrationId: INTEGRATION,
    correlationId: 'corr-1',
    idempotencyKey: 'k',
    payload: payload(over),
    finalAttempt,
  });
}

let f: FakeSync;

function webhookEnvelope(events: { type: string; id: string }[]): WebhookEventEnvelope {
  const body = JSON.stringify({ events });
  return {
    v: 1,
    kind: 'sync.inbound.webhook',
    tenantId: TENANT,
    integrationId: INTEGRATION,
    correlationId: 'c',
    idempotencyKey: 'e',
    payload: {
      eventId: 'evt_w',
      provider: 'rest',
      deliveryId: 'd',
      receivedAt: '2025-06-01T12:00:00.000Z',
      body,
      bodyRef: {
        container: 'webhook-bodies',
        name: 'x',
        bytes: Buffer.byteLength(body),
        sha256: '0'.repeat(64),
      },
    },
  };
}
beforeEach(async () => {
  f = createFakeSync({ pageSize: 3 });
  await f.integrations.createIntegration(integrationDoc());
  f.source.set('items', items(7));
});

describe('runInboundSync', () => {
  it('creates one record and one link per provider record, mapped, with counts and a run document', async () => {
    const result = await run(f);
    expect(result.status).toBe('SUCCESS');
    expect(result.counts).toMatchObject({
      processed: 7,
      created: 7,
      updated: 0,
      unchanged: 0,
      failed: 0,
      pages: 3,
    });
    const records = f.records.all(TENANT, 'items');
    expect(records).toHaveLength(7);
    const first = records.find((r) => r.origin.externalId === '1');
    expect(first?.data).toEqual({ title: 'item 1', amount: 1, modified: '2025-06-01T10:00:00.000Z' });
    expect(first?.version).toBe(1);
    const links = f.links.table.values(TENANT);
    expect(links).toHaveLength(7);
    expect(links.find((l) => l.externalId === '1')?.internalId).toBe(first?.recordId);
    const stored = await f.runs.getRun(TENANT, 'run_1');
    expect(stored?.value.status).toBe('SUCCESS');
    expect(stored?.value.durationMs).toBeGreaterThanOrEqual(0);
    expect(f.syncLogs.entries.map((e) => [e.operation, e.status, e.recordsProcessed])).toEqual([
      ['BULK_SYNC', 'SUCCESS', 7],
    ]);
    const integration = await f.integrations.getIntegration(TENANT, INTEGRATION);
    expect(integration?.value.lastSuccessAt).toBeDefined();
    expect(integration?.value.cursors['items']).toMatchObject({ watermark: '2025-06-01T10:00:00.000Z' });
  });

  it('an unchanged full re-sync writes no record and no link', async () => {
    await run(f);
    const before = f.dataWrites();
    const second = await run(f, { runId: 'run_2' });
    expect(second.counts).toMatchObject({ processed: 7, created: 0, updated: 0, unchanged: 7 });
    expect(f.dataWrites()).toBe(before);
  });

  it('a change only in an ignored field is unchanged; a real change updates record and link once', async () => {
    await run(f);
    f.source.upsert('items', { id: '2', name: 'item 2', price: 2, updatedAt: '2025-06-01T11:00:00.000Z' });
    f.source.upsert('items', { id: '3', name: 'renamed', price: 3, updatedAt: '2025-06-01T11:00:00.000Z' });
    const before = f.dataWrites();
    const second = await run(f, { runId: 'run_2' });
    expect(second.counts).toMatchObject({ updated: 1, unchanged: 6, created: 0 });
    expect(f.dataWrites() - before).toBe(2);
    const renamed = f.records.all(TENANT).find((r) => r.origin.externalId === '3');
    expect(renamed?.data['title']).toBe('renamed');
    expect(renamed?.version).toBe(2);
  });

  it('a crash after page 2 resumes at page 3 on redelivery: no gap, no duplicate', async () => {
    f.source.failAfterPage(2);
    await expect(run(f)).rejects.toThrow('connection reset');
    const lease = await f.leases.getLease(TENANT, syncLeaseId(INTEGRATION, 'items'));
    expect(lease?.value.checkpoint).toMatchObject({ runId: 'run_1', cursor: '6' });
    expect((await f.runs.getRun(TENANT, 'run_1'))?.value.status).toBe('RUNNING');

    f.source.revive();
    f.source.served.length = 0;
    const result = await run(f);
    expect(f.source.served).toEqual(['items@6']);
    expect(result.status).toBe('SUCCESS');
    expect(result.counts).toMatchObject({ processed: 7, created: 7, pages: 3 });
    const records = f.records.all(TENANT);
    expect(records).toHaveLength(7);
    expect(new Set(records.map((r) => r.origin.externalId)).size).toBe(7);
    expect(records.every((r) => r.version === 1)).toBe(true);
    expect(
      (await f.leases.getLease(TENANT, syncLeaseId(INTEGRATION, 'items')))?.value.checkpoint,
    ).toBeUndefined();
  });

  it('on the last delivery a failing run is closed as FAILED and the next run continues from its checkpoint', async () => {
    f.source.failAfterPage(1);
    const failed = await run(f, {}, true);
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.code).toBe('ProviderUnavailable');
    const lease = await f.leases.getLease(TENANT, syncLeaseId(INTEGRATION, 'items'));
    expect(lease?.value.holder).toBeUndefined();
    expect(lease?.value.checkpoint?.cursor).toBe('3');

    f.source.revive();
    f.source.served.length = 0;
    const next = await run(f, { runId: 'run_2' });
    expect(next.resumedFrom).toEqual({ items: 'run_1' });
    expect(f.source.served[0]).toBe('items@3');
    expect(next.counts.created).toBe(4);
    expect(f.records.all(TENANT)).toHaveLength(7);
  });

  it('a run whose resource type is leased by another live run is SKIPPED and writes nothing', async () => {
    await f.leases.createLease({
      id: syncLeaseId(INTEGRATION, 'items'),
      tenantId: TENANT,
      integrationId: INTEGRATION,
      resourceType: 'items',
      holder: 'run_other',
      expiresAt: '2025-06-01T12:04:00.000Z',
      updatedAt: '2025-06-01T11:59:00.000Z',
    });
    const result = await run(f);
    expect(result.status).toBe('SKIPPED');
    expect(result.statusReason).toContain('run_other');
    expect(f.records.all(TENANT)).toHaveLength(0);
  });

  it('takes over a lease whose holder stopped renewing it', async () => {
    await f.leases.createLease({
      id: syncLeaseId(INTEGRATION, 'items'),
      tenantId: TENANT,
      integrationId: INTEGRATION,
      resourceType: 'items',
      holder: 'run_dead',
      expiresAt: '2025-06-01T11:00:00.000Z',
      updatedAt: '2025-06-01T10:55:00.000Z',
    });
    expect((await run(f)).status).toBe('SUCCESS');
  });

  it('incremental asks for changes since the watermark minus the overlap, and overlapping records cost nothing', async () => {
    await run(f);
    f.source.upsert('items', { id: '8', name: 'new', price: 8, updatedAt: '2025-06-01T10:30:00.000Z' });
    const listed: (string | undefined)[] = [];
    const original = f.source.listRecords.bind(f.source);
    f.source.listRecords = (req) => {
      listed.push(req.since);
      return original(req);
    };
    const before = f.dataWrites();
    const result = await run(f, { runId: 'run_2', mode: 'incremental' });
    expect(listed).toEqual([
      new Date(Date.parse('2025-06-01T10:00:00.000Z') - INCREMENTAL_OVERLAP_MS).toISOString(),
    ]);
    expect(result.counts).toMatchObject({ created: 1, unchanged: 7 });
    expect(f.dataWrites() - before).toBe(2);
    const integration = await f.integrations.getIntegration(TENANT, INTEGRATION);
    expect(integration?.value.cursors['items']).toMatchObject({ watermark: '2025-06-01T10:30:00.000Z' });
  });

  it('records that fail mapping are reported and the rest are written (PARTIAL_SUCCESS)', async () => {
    f.integrations.table.upsert(
      integrationDoc({
        resourceTypes: [
          {
            name: 'items',
            enabled: true,
            mapping: { resourceType: 'items', inbound: [{ from: 'name', to: 'title', required: true }] },
          },
        ],
      }),
    );
    f.source.upsert('items', { id: '9', price: 1, updatedAt: '2025-06-01T10:00:00.000Z' });
    const result = await run(f);
    expect(result.status).toBe('PARTIAL_SUCCESS');
    expect(result.counts).toMatchObject({ processed: 8, created: 7, failed: 1 });
    expect(result.failures).toEqual([expect.objectContaining({ externalId: '9', code: 'InvalidPayload' })]);
    expect(JSON.stringify(result.failures)).not.toContain('price');
    expect(f.syncLogs.entries.some((e) => e.status === 'FAILED' && e.resourceId === '9')).toBe(true);
  });

  it('dry run reports what would be created, updated and deleted, and writes no record, link or lease', async () => {
    await run(f);
    f.source.upsert('items', { id: '1', name: 'changed', price: 1, updatedAt: '2025-06-01T11:00:00.000Z' });
    f.source.upsert('items', {
      id: '2',
      name: 'x',
      price: 2,
      updatedAt: '2025-06-01T11:00:00.000Z',
      deleted: true,
    });
    f.source.upsert('items', { id: '10', name: 'new', price: 10, updatedAt: '2025-06-01T11:00:00.000Z' });
    const before = f.dataWrites();
    const leaseWrites = f.leases.table.writes;
    const result = await run(f, { runId: 'run_dry', dryRun: true });
    expect(result.dryRunReport).toEqual({ wouldCreate: ['10'], wouldUpdate: ['1'], wouldDelete: ['2'] });
    expect(result.counts).toMatchObject({ created: 1, updated: 1, deleted: 1, unchanged: 5 });
    expect(f.dataWrites()).toBe(before);
    expect(f.leases.table.writes).toBe(leaseWrites);
  });

  it('a tombstone marks the canonical record deleted once', async () => {
    await run(f);
    f.source.upsert('items', {
      id: '4',
      name: 'item 4',
      price: 4,
      updatedAt: '2025-06-01T11:00:00.000Z',
      deleted: true,
    });
    const result = await run(f, { runId: 'run_2' });
    expect(result.counts.deleted).toBe(1);
    const record = f.records.all(TENANT).find((r) => r.origin.externalId === '4');
    expect(record).toMatchObject({ deleted: true, version: 2 });
    const third = await run(f, { runId: 'run_3' });
    expect(third.counts).toMatchObject({ deleted: 0, unchanged: 7 });
  });

  it('ids fetch just those records; one the provider no longer has becomes a deletion', async () => {
    await run(f);
    f.source.set(
      'items',
      items(7).filter((i) => i.id !== '5'),
    );
    const result = await run(f, { runId: 'run_ids', ids: ['5', '6'] });
    expect(result.counts).toMatchObject({ processed: 2, deleted: 1, unchanged: 1 });
    expect(f.source.fetches).toBe(2);
  });

  it('a redelivered message for a finished run does nothing', async () => {
    await run(f);
    const writes = f.dataWrites() + f.runs.table.writes;
    const again = await run(f);
    expect(again.status).toBe('SUCCESS');
    expect(f.dataWrites() + f.runs.table.writes).toBe(writes);
  });

  it('a record written before a crash but not yet linked is linked, not duplicated', async () => {
    const recordId = inboundRecordId(INTEGRATION, 'items', '1');
    await f.records.createRecord({
      id: `items:${recordId}`,
      tenantId: TENANT,
      resourceType: 'items',
      recordId,
      data: { title: 'item 1', amount: 1, modified: '2025-06-01T10:00:00.000Z' },
      version: 1,
      hash: 'stale',
      deleted: false,
      origin: { source: 'inbound', integrationId: INTEGRATION, externalId: '1' },
      createdAt: '2025-06-01T10:00:00.000Z',
      updatedAt: '2025-06-01T10:00:00.000Z',
    });
    await run(f);
    expect(f.records.all(TENANT)).toHaveLength(7);
    expect(f.links.table.values(TENANT).filter((l) => l.externalId === '1')).toHaveLength(1);
  });

  it('a paused integration is skipped', async () => {
    f.integrations.table.upsert(integrationDoc({ status: 'PAUSED' }));
    const result = await run(f);
    expect(result).toMatchObject({ status: 'SKIPPED', statusReason: 'integration is PAUSED' });
    expect(f.records.all(TENANT)).toHaveLength(0);
  });

  it('a first run creates without looking links up, yet converges on records a webhook wrote first', async () => {
    // Records 1 and 2 arrived by webhook before any run; 2 has changed since at the provider.
    await applyWebhookEvent(
      f.deps,
      webhookEnvelope([
        { type: 'items', id: '1' },
        { type: 'items', id: '2' },
        { type: 'items', id: '3' },
      ]),
    );
    f.source.upsert('items', { id: '2', name: 'changed', price: 2, updatedAt: '2025-06-01T10:00:00.000Z' });
    f.source.upsert('items', {
      id: '3',
      name: 'item 3',
      price: 3,
      updatedAt: '2025-06-01T10:00:00.000Z',
      deleted: true,
    });
    const writesBefore = f.dataWrites();
    const queriesBefore = f.links.queries;
    const result = await run(f);
    expect(result.counts).toMatchObject({ processed: 7, created: 4, updated: 1, unchanged: 1, deleted: 1 });
    // Lookups only for the tombstone and the two records that collided, not for the 4 new ones;
    // writes: 4 new records with links, 1 update (record and link), 1 deletion (record and link).
    expect(f.links.queries - queriesBefore).toBe(3);
    expect(f.dataWrites() - writesBefore).toBe(4 * 2 + 2 + 2);
    expect(f.records.all(TENANT)).toHaveLength(7);
    const second = await run(f, { runId: 'run_2' });
    expect(second.counts).toMatchObject({ unchanged: 7, created: 0, updated: 0 });
  });
});
