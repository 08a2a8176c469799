import { randomUUID } from 'node:crypto';

import { ServiceBusClient } from '@azure/service-bus';

import type { Composition } from '../../../shared/composition';
import { getComposition, resetComposition } from '../../../shared/composition';
import { BlobContainerNames } from '../../../shared/config/blobContainers';
import { EventTypes } from '../../../shared/config/eventRoutes';
import { QueueNames } from '../../../shared/config/queues';
import { SettingNames } from '../../../shared/config/settingNames';
import { decodeEnvelope, encodeEnvelope } from '../../../shared/messages/codec';
import type { InboundSyncEnvelope } from '../../../shared/messages/envelope';
import { BlobNotFoundError } from '../../../shared/ports/blobStore';
import { DuplicateError, StaleEtagError } from '../../../shared/ports/documentStore';
import { linkDocumentId } from '../../../shared/ports/linkStore';
import type { CanonicalRecord } from '../../../shared/ports/recordStore';
import { recordDocumentId } from '../../../shared/ports/recordStore';
import { acquireLease } from '../../../shared/sync/lease';
import { integrationDoc } from '../../fakes/syncDeps';
import { testSetting, testSettings } from '../../support/stack';

let c: Composition;
const tenant = (): string => `ten_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

beforeAll(async () => {
  c = await getComposition({
    ...testSettings(),
    [SettingNames.webhookBaseUrl]: 'https://hooks.example.test/api',
  });
});
afterAll(async () => {
  await resetComposition();
});

/** Receives (peek-lock) for `waitMs`, completes the messages `isMine` picks and abandons the rest. */
async function receiveOwn(
  queue: string,
  isMine: (messageId: string) => boolean,
  waitMs: number,
  stopAfter = Infinity,
): Promise<{ messageId: string; body: unknown }[]> {
  const client = new ServiceBusClient(testSetting(SettingNames.serviceBus));
  const receiver = client.createReceiver(queue);
  const mine: { messageId: string; body: unknown }[] = [];
  try {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && mine.length < stopAfter) {
      for (const m of await receiver.receiveMessages(20, { maxWaitTimeInMs: 300 })) {
        const messageId = String(m.messageId);
        if (isMine(messageId)) {
          mine.push({ messageId, body: m.body as unknown });
          await receiver.completeMessage(m);
        } else {
          await receiver.abandonMessage(m);
        }
      }
    }
  } finally {
    await receiver.close();
    await client.close();
  }
  return mine;
}

function record(tenantId: string, id: string, updatedAt: string): CanonicalRecord {
  return {
    id: recordDocumentId('items', id),
    tenantId,
    resourceType: 'items',
    recordId: id,
    data: { n: id },
    version: 1,
    hash: 'h',
    deleted: false,
    origin: { source: 'inbound' },
    createdAt: updatedAt,
    updatedAt,
  };
}

describe('Cosmos stores of the sync slice (emulator)', () => {
  it('records: create once, replace only with the current ETag, list oldest change first with updated_since and continuation tokens', async () => {
    const t = tenant();
    const created = await c.sync.records.createRecord(record(t, 'a', '2025-01-01T00:00:01.000Z'));
    await expect(
      c.sync.records.createRecord(record(t, 'a', '2025-01-01T00:00:01.000Z')),
    ).rejects.toBeInstanceOf(DuplicateError);
    const replaced = await c.sync.records.replaceRecord(
      { ...created.value, version: 2 },
      { ifMatch: created.etag },
    );
    await expect(
      c.sync.records.replaceRecord({ ...created.value, version: 3 }, { ifMatch: created.etag }),
    ).rejects.toBeInstanceOf(StaleEtagError);
    expect((await c.sync.records.getRecord(t, 'items', 'a'))?.etag).toBe(replaced.etag);
    for (let i = 2; i <= 6; i++)
      await c.sync.records.createRecord(record(t, `r${i}`, `2025-01-01T00:00:0${i}.000Z`));
    await c.sync.records.createRecord({ ...record(t, 'gone', '2025-01-01T00:00:09.000Z'), deleted: true });
    const first = await c.sync.records.listRecords(
      t,
      'items',
      { updatedSince: '2025-01-01T00:00:03.000Z' },
      { limit: 2 },
    );
    expect(first.items.map((r) => r.recordId)).toEqual(['r3', 'r4']);
    const second = await c.sync.records.listRecords(
      t,
      'items',
      { updatedSince: '2025-01-01T00:00:03.000Z' },
      { limit: 10, continuationToken: first.continuationToken! },
    );
    expect(second.items.map((r) => r.recordId)).toEqual(['r5', 'r6']);
    expect(second.continuationToken).toBeUndefined();
    const withDeleted = await c.sync.records.listRecords(
      t,
      'items',
      { updatedSince: '2025-01-01T00:00:06.000Z', includeDeleted: true },
      { limit: 10 },
    );
    expect(withDeleted.items.map((r) => r.recordId)).toEqual(['r6', 'gone']);
    // Another tenant sees none of it.
    expect((await c.sync.records.listRecords(tenant(), 'items', {}, { limit: 10 })).items).toEqual([]);
  });

  it('links: one query per page of external ids, create-if-absent, ETag-guarded replace, lookups both ways', async () => {
    const t = tenant();
    const scope = { tenantId: t, integrationId: 'int_1' };
    const link = (externalId: string, internalId: string) => ({
      id: linkDocumentId('int_1', 'items', externalId),
      tenantId: t,
      integrationId: 'int_1',
      resourceType: 'items',
      internalId,
      externalId,
      lastSyncedAt: '2025-01-01T00:00:00.000Z',
      lastExternalHash: 'h1',
      lastLocalHash: 'h1',
    });
    const a = await c.sync.links.writeLink(link('ext/1', 'rec_1'));
    await c.sync.links.writeLink(link('ext/2', 'rec_2'));
    await expect(c.sync.links.writeLink(link('ext/1', 'rec_other'))).rejects.toBeInstanceOf(DuplicateError);
    const found = await c.sync.links.getLinksByExternalIds(scope, 'items', ['ext/1', 'ext/2', 'ext/3']);
    expect([...found.keys()].sort()).toEqual(['ext/1', 'ext/2']);
    await c.sync.links.writeLink({ ...a.value, lastExternalHash: 'h2' }, { ifMatch: a.etag });
    await expect(
      c.sync.links.writeLink({ ...a.value, lastExternalHash: 'h3' }, { ifMatch: a.etag }),
    ).rejects.toBeInstanceOf(StaleEtagError);
    const [toInternal, toExternal] = await c.sync.links.resolveLinks(scope, [
      { resourceType: 'items', direction: 'toInternal', ids: ['ext/2', 'nope'] },
      { resourceType: 'items', direction: 'toExternal', ids: ['rec_1'] },
    ]);
    expect(Object.fromEntries(toInternal!)).toEqual({ 'ext/2': 'rec_2' });
    expect(Object.fromEntries(toExternal!)).toEqual({ rec_1: 'ext/1' });
    expect((await c.sync.links.listLinksOfRecords(t, 'items', ['rec_2'])).map((l) => l.externalId)).toEqual([
      'ext/2',
    ]);
  });

  it('leases: of two runs racing for the same resource type exactly one gets it', async () => {
    const t = tenant();
    const key = { tenantId: t, integrationId: 'int_1', resourceType: 'items' };
    const now = new Date();
    const results = await Promise.all(
      ['run_a', 'run_b', 'run_c'].map((run) => acquireLease(c.sync.leases, key, run, now)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('webhook deliveries: the first is recorded, a repeat is a duplicate, a forgotten one is new again', async () => {
    const t = tenant();
    const delivery = {
      id: `evt_${randomUUID()}`,
      tenantId: t,
      integrationId: 'int_1',
      provider: 'rest',
      deliveryId: 'd1',
      eventId: 'e1',
      receivedAt: new Date().toISOString(),
      bodyRef: { container: 'webhook-bodies', name: 'x', bytes: 1, sha256: 'a'.repeat(64) },
      expiresAt: new Date(Date.now() + 72 * 3600_000).toISOString(),
    };
    expect(await c.sync.webhookEvents.recordDelivery(delivery)).toBe('recorded');
    expect(await c.sync.webhookEvents.recordDelivery(delivery)).toBe('duplicate');
    await c.sync.webhookEvents.forgetDelivery(t, delivery.id);
    expect(await c.sync.webhookEvents.recordDelivery(delivery)).toBe('recorded');
  });

  it('due integrations: ACTIVE periodic ones whose nextSyncAt has come, across tenants', async () => {
    const marker = randomUUID().slice(0, 8);
    const make = (name: string, over: Parameters<typeof integrationDoc>[0]) =>
      c.admin.integrations.createIntegration(
        integrationDoc({
          id: `int_${marker}_${name}`,
          tenantId: tenant(),
          name: `${marker}-${name}`,
          ...over,
        }),
      );
    await make('due', { nextSyncAt: '2000-01-01T00:00:00.000Z' });
    await make('never', {});
    await make('future', { nextSyncAt: '2999-01-01T00:00:00.000Z' });
    await make('paused', { status: 'PAUSED', nextSyncAt: '2000-01-01T00:00:00.000Z' });
    await make('manual', { schedule: { frequency: 'MANUAL', timeZone: 'UTC' } });
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.sync.dueIntegrations.listDueIntegrations(new Date().toISOString(), {
        limit: 50,
        ...(token !== undefined ? { continuationToken: token } : {}),
      });
      ids.push(...page.items.map((i) => i.value.id));
      token = page.continuationToken;
    } while (token !== undefined);
    expect(ids.filter((id) => id.includes(marker)).sort()).toEqual([
      `int_${marker}_due`,
      `int_${marker}_never`,
    ]);
  });
});

describe('Service Bus, Event Grid and Blob ports (emulators)', () => {
  it('the job queue drops a second message with the same id (a double-fired timer)', async () => {
    const dupId = `dup-${randomUUID()}`;
    await c.sync.jobs.enqueue(QueueNames.tokenRefresh, [{ messageId: dupId, body: { n: 1 } }]);
    await c.sync.jobs.enqueue(QueueNames.tokenRefresh, [{ messageId: dupId, body: { n: 2 } }]);
    // Peek-lock, and leave every other message where it was: other suites share the stack.
    const mine = await receiveOwn(QueueNames.tokenRefresh, (id) => id === dupId, 3000);
    expect(mine.map((m) => m.body)).toEqual([{ n: 1 }]);
  });

  it('an event published to Event Grid arrives on sync-inbound-webhook with the event id as message id', async () => {
    const id = `evt_${randomUUID()}`;
    await c.sync.events.publish([
      {
        id,
        eventType: EventTypes.webhookReceived,
        subject: '/t',
        dataVersion: '1',
        data: { hello: 'world' },
      },
    ]);
    const [found] = await receiveOwn(QueueNames.inboundWebhook, (messageId) => messageId === id, 10_000, 1);
    expect(found?.body).toMatchObject({
      id,
      eventType: EventTypes.webhookReceived,
      data: { hello: 'world' },
    });
  });

  it('blobs: whole and ranged reads, not-found, and a claim-checked envelope round trip', async () => {
    const name = `t/${randomUUID()}`;
    const ref = await c.sync.blobs.putBlob(
      BlobContainerNames.webhookBodies,
      name,
      Buffer.from('hello segment world'),
    );
    expect((await c.sync.blobs.getBlob(ref)).toString()).toBe('hello segment world');
    expect((await c.sync.blobs.getBlob({ ...ref, offset: 6, bytes: 7 })).toString()).toBe('segment');
    await expect(
      c.sync.blobs.getBlob({ container: BlobContainerNames.webhookBodies, name: 'nope' }),
    ).rejects.toBeInstanceOf(BlobNotFoundError);

    const big: InboundSyncEnvelope = {
      v: 1,
      kind: 'sync.inbound.scheduled',
      tenantId: 'ten_x',
      integrationId: 'int_x',
      correlationId: 'c',
      idempotencyKey: randomUUID(),
      payload: {
        runId: 'run_x',
        trigger: 'manual',
        mode: 'full',
        resourceTypes: ['items'],
        dryRun: false,
        ids: Array.from({ length: 1000 }, (_, i) => `${i}-${'x'.repeat(250)}`),
      },
    };
    const encoded = await encodeEnvelope(big, c.sync.blobs);
    expect('claimCheck' in encoded).toBe(true);
    expect(await decodeEnvelope(JSON.parse(JSON.stringify(encoded)) as unknown, c.sync.blobs)).toEqual({
      ok: true,
      value: big,
    });
  });
});
