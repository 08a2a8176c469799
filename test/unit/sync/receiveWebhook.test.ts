import { signWebhook } from '../../../adapters/base/webhooks';
import { EventTypes } from '../../../shared/config/eventRoutes';
import { WebhookEventEnvelopeSchema } from '../../../shared/messages/envelope';
import { createLogger } from '../../../shared/observability/logger';
import { segmentedArchive } from '../../../shared/sync/bodyArchive';
import type {
  ReceiveWebhookDeps,
  ReceiveWebhookRequest,
  WebhookTarget,
} from '../../../shared/sync/receiveWebhook';
import { receiveWebhook } from '../../../shared/sync/receiveWebhook';
import { cacheWebhookTargets } from '../../../shared/sync/webhookTargetCache';
import type { FakeSync } from '../../fakes/syncDeps';
import { createFakeSync, INTEGRATION, integrationDoc, TENANT } from '../../fakes/syncDeps';

const SECRET = 'a-webhook-secret-of-some-length';
const BASE = 'https://sync.example.com/api';
const NOW = new Date('2025-06-01T12:00:00.000Z');

let f: FakeSync;
let target: WebhookTarget | undefined;
let loads: number;
let stored: string[];
let deps: ReceiveWebhookDeps;

beforeEach(() => {
  f = createFakeSync();
  loads = 0;
  stored = [];
  target = {
    tenantId: TENANT,
    integration: { value: integrationDoc(), etag: '"1"' },
    scheme: 'github',
    secret: SECRET,
  };
  deps = {
    loadTarget: cacheWebhookTargets((provider, integrationId) => {
      loads++;
      return Promise.resolve(provider === 'rest' && integrationId === INTEGRATION ? target : undefined);
    }),
    storeHandshakeSecret: (_t, _i, secret) => {
      stored.push(secret);
      return Promise.resolve();
    },
    webhookEvents: f.webhookEvents,
    archive: segmentedArchive(f.blobs, 'webhook-bodies'),
    events: f.events,
    logger: createLogger({ level: 'error', write: () => undefined }),
    webhookBaseUrl: BASE,
    maxBodyBytes: 1024,
    now: () => NOW,
  };
});

function request(
  body: string,
  headers: Record<string, string>,
  over: Partial<ReceiveWebhookRequest> = {},
): ReceiveWebhookRequest {
  return {
    provider: 'rest',
    integrationId: INTEGRATION,
    method: 'POST',
    headers,
    search: '',
    rawBody: Buffer.from(body, 'utf8'),
    contentType: 'application/json',
    correlationId: 'corr-1',
    ...over,
  };
}

function signed(body: string, id = 'delivery-1'): Record<string, string> {
  return signWebhook('github', SECRET, { body, url: `${BASE}/webhooks/rest/${INTEGRATION}`, now: NOW, id });
}

describe('receiveWebhook', () => {
  it('accepts a signed delivery: one dedup record, the raw bytes in Blob, one event carrying a valid envelope', async () => {
    const body = '{"events":[{"type":"items","id":"1"}],"note":"héllo"}';
    const outcome = await receiveWebhook(deps, request(body, signed(body)));
    expect(outcome).toMatchObject({ kind: 'accepted', duplicate: false });
    if (outcome.kind !== 'accepted') return;
    expect(f.webhookEvents.table.values()).toHaveLength(1);
    const blob = [...f.blobs.blobs.values()][0];
    expect(blob?.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(f.events.events).toHaveLength(1);
    const event = f.events.events[0]!;
    expect(event).toMatchObject({ id: outcome.eventId, eventType: EventTypes.webhookReceived });
    const envelope = WebhookEventEnvelopeSchema.parse(event.data);
    expect(envelope).toMatchObject({ tenantId: TENANT, integrationId: INTEGRATION, correlationId: 'corr-1' });
    expect(envelope.payload.body).toBe(body);
    expect(envelope.payload.deliveryId).toBe('delivery-1');
  });

  it('the same delivery five times is accepted five times with one event id and published once', async () => {
    const body = '{"events":[]}';
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await receiveWebhook(deps, request(body, signed(body))));
    const ids = new Set(outcomes.map((o) => (o.kind === 'accepted' ? o.eventId : 'x')));
    expect(ids.size).toBe(1);
    expect(outcomes.filter((o) => o.kind === 'accepted' && o.duplicate)).toHaveLength(4);
    expect(f.events.events).toHaveLength(1);
    expect(loads).toBe(1);
  });

  it('answers 401-class for a tampered body or a wrong secret, without publishing', async () => {
    const body = '{"a":1}';
    expect(await receiveWebhook(deps, request('{"a":2}', signed(body)))).toMatchObject({
      kind: 'rejected',
      reason: 'unauthorized',
    });
    const wrong = signWebhook('github', 'another-secret-entirely!', { body, url: '', now: NOW });
    expect(await receiveWebhook(deps, request(body, wrong))).toMatchObject({
      kind: 'rejected',
      reason: 'unauthorized',
    });
    expect(await receiveWebhook(deps, request(body, {}))).toMatchObject({
      kind: 'rejected',
      reason: 'unauthorized',
      detail: 'missing-header',
    });
    expect(f.events.events).toHaveLength(0);
    expect(f.webhookEvents.table.values()).toHaveLength(0);
  });

  it('answers malformed for a signature header that is not one', async () => {
    expect(await receiveWebhook(deps, request('{}', { 'x-hub-signature-256': 'nonsense' }))).toMatchObject({
      kind: 'rejected',
      reason: 'malformed',
    });
  });

  it('refuses unknown integrations, a provider that does not match, paused integrations and oversized bodies', async () => {
    const body = '{}';
    expect(
      await receiveWebhook(deps, request(body, signed(body), { integrationId: 'int_nope' })),
    ).toMatchObject({ reason: 'unknown-integration' });
    expect(await receiveWebhook(deps, request(body, signed(body), { provider: 'github' }))).toMatchObject({
      reason: 'unknown-integration',
    });
    expect(await receiveWebhook(deps, request('x'.repeat(1025), {}))).toMatchObject({ reason: 'too-large' });
    target = { ...target!, integration: { value: integrationDoc({ status: 'PAUSED' }), etag: '"2"' } };
    (deps.loadTarget as ReturnType<typeof cacheWebhookTargets>).forget(INTEGRATION);
    expect(await receiveWebhook(deps, request(body, signed(body)))).toMatchObject({ reason: 'paused' });
  });

  it('a failed publish forgets the delivery so the provider retry is accepted, not taken for a duplicate', async () => {
    const body = '{"events":[]}';
    f.events.failNext = 1;
    await expect(receiveWebhook(deps, request(body, signed(body)))).rejects.toThrow('event grid unavailable');
    expect(f.webhookEvents.table.values()).toHaveLength(0);
    expect(await receiveWebhook(deps, request(body, signed(body)))).toMatchObject({
      kind: 'accepted',
      duplicate: false,
    });
    expect(f.events.events).toHaveLength(1);
  });

  it('answers a handshake and stores the secret it delivers, publishing nothing', async () => {
    target = { ...target!, scheme: 'asana' };
    const { secret: _s, ...withoutSecret } = target;
    target = withoutSecret;
    const outcome = await receiveWebhook(deps, request('', { 'x-hook-secret': 'handshake-secret-value' }));
    expect(outcome).toMatchObject({ kind: 'handshake', status: 200 });
    if (outcome.kind === 'handshake')
      expect(outcome.headers['X-Hook-Secret'] ?? outcome.headers['x-hook-secret']).toBe(
        'handshake-secret-value',
      );
    expect(stored).toEqual(['handshake-secret-value']);
    expect(f.events.events).toHaveLength(0);
  });

  it('a body too large to travel inline goes by reference only', async () => {
    deps = { ...deps, maxBodyBytes: 1024 * 1024 };
    const body = JSON.stringify({ events: [], pad: 'x'.repeat(300 * 1024) });
    const outcome = await receiveWebhook(deps, request(body, signed(body)));
    expect(outcome.kind).toBe('accepted');
    const envelope = WebhookEventEnvelopeSchema.parse(f.events.events[0]!.data);
    expect(envelope.payload.body).toBeUndefined();
    expect(envelope.payload.bodyRef.bytes).toBe(Buffer.byteLength(body));
    expect(JSON.stringify(f.events.events[0]).length).toBeLessThan(4096);
  });
});
