import { createHash } from 'node:crypto';

import type { WebhookEventEnvelope } from '../../../shared/messages/envelope';
import { applyWebhookEvent } from '../../../shared/sync/applyWebhookEvent';
import type { FakeSync } from '../../fakes/syncDeps';
import { createFakeSync, INTEGRATION, integrationDoc, TENANT } from '../../fakes/syncDeps';

function envelope(body: string, eventId = 'evt_1'): WebhookEventEnvelope {
  const bytes = Buffer.from(body, 'utf8');
  return {
    v: 1,
    kind: 'sync.inbound.webhook',
    tenantId: TENANT,
    integrationId: INTEGRATION,
    correlationId: 'corr',
    idempotencyKey: eventId,
    payload: {
      eventId,
      provider: 'rest',
      deliveryId: eventId,
      receivedAt: '2025-06-01T12:00:00.000Z',
      body,
      bodyRef: {
        container: 'webhook-bodies',
        name: `x/${eventId}`,
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      },
    },
  };
}

let f: FakeSync;
beforeEach(async () => {
  f = createFakeSync();
  await f.integrations.createIntegration(integrationDoc());
  f.source.set('items', [{ id: '1', name: 'one', price: 1, updatedAt: '2025-06-01T10:00:00.000Z' }]);
});

describe('applyWebhookEvent', () => {
  it('fetches a record the event only names, maps it and writes record and link once; 5 deliveries → 1 write', async () => {
    const body = JSON.stringify({ events: [{ type: 'items', id: '1' }] });
    const first = await applyWebhookEvent(f.deps, envelope(body));
    expect(first).toMatchObject({ status: 'applied', created: 1 });
    expect(f.source.fetches).toBe(1);
    const writes = f.dataWrites();
    for (let i = 2; i <= 5; i++) {
      expect(await applyWebhookEvent(f.deps, envelope(body, `evt_${i}`))).toMatchObject({
        created: 0,
        updated: 0,
        unchanged: 1,
      });
    }
    expect(f.dataWrites()).toBe(writes);
    expect(f.records.all(TENANT)).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ title: 'one' }), version: 1 }),
    ]);
    expect(f.syncLogs.entries.filter((e) => e.operation === 'WEBHOOK_RECEIVED')).toHaveLength(5);
  });

  it('uses a full record carried by the event without fetching, and applies deletions', async () => {
    const record = { id: '2', name: 'two', price: 2, updatedAt: '2025-06-01T11:00:00.000Z' };
    await applyWebhookEvent(
      f.deps,
      envelope(JSON.stringify({ events: [{ type: 'items', id: '2', record }] })),
    );
    expect(f.source.fetches).toBe(0);
    const del = await applyWebhookEvent(
      f.deps,
      envelope(JSON.stringify({ events: [{ type: 'items', id: '2', action: 'delete' }] }), 'evt_d'),
    );
    expect(del.deleted).toBe(1);
    expect(f.records.all(TENANT)[0]).toMatchObject({ deleted: true });
  });

  it('reads the body from Blob when it did not travel inline, and ignores resource types the integration does not sync', async () => {
    const body = JSON.stringify({
      events: [
        { type: 'items', id: '1' },
        { type: 'unknown', id: '9' },
      ],
    });
    const env = envelope(body);
    const { body: _b, ...payload } = env.payload;
    await f.blobs.putBlob(payload.bodyRef.container, payload.bodyRef.name, Buffer.from(body));
    const result = await applyWebhookEvent(f.deps, { ...env, payload });
    expect(result).toMatchObject({ changes: 2, created: 1 });
  });

  it('rejects a body the adapter cannot read as a non-retryable InvalidPayload', async () => {
    await expect(applyWebhookEvent(f.deps, envelope('not json'))).rejects.toMatchObject({
      code: 'InvalidPayload',
      retryable: false,
    });
  });
});
