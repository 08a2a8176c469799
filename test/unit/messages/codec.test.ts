import { decodeEnvelope, encodeEnvelope } from '../../../shared/messages/codec';
import type { InboundSyncEnvelope } from '../../../shared/messages/envelope';
import { MemoryBlobStore } from '../../fakes/syncStores';

const envelope = (ids?: string[]): InboundSyncEnvelope => ({
  v: 1,
  kind: 'sync.inbound.scheduled',
  tenantId: 'ten_a',
  integrationId: 'int_a',
  correlationId: 'c',
  idempotencyKey: 'key1',
  payload: {
    runId: 'run_1',
    trigger: 'manual',
    mode: 'full',
    resourceTypes: ['items'],
    dryRun: false,
    ...(ids ? { ids } : {}),
  },
});

describe('message envelopes', () => {
  it('round-trips a small envelope inline, as a Buffer, a string or an Event Grid event', async () => {
    const blobs = new MemoryBlobStore();
    const encoded = await encodeEnvelope(envelope(), blobs);
    expect(encoded).toEqual(envelope());
    expect(blobs.blobs.size).toBe(0);
    for (const body of [
      encoded,
      JSON.stringify(encoded),
      Buffer.from(JSON.stringify(encoded)),
      { id: 'e', eventType: 'X', subject: 's', data: encoded },
    ]) {
      const decoded = await decodeEnvelope(body, blobs);
      expect(decoded).toEqual({ ok: true, value: envelope() });
    }
  });

  it('moves a payload over 200 KB to Blob and brings it back intact', async () => {
    const blobs = new MemoryBlobStore();
    const big = envelope(Array.from({ length: 1000 }, (_, i) => `${i}-${'x'.repeat(250)}`));
    const encoded = await encodeEnvelope(big, blobs);
    expect('claimCheck' in encoded).toBe(true);
    expect(JSON.stringify(encoded).length).toBeLessThan(2000);
    expect(await decodeEnvelope(JSON.stringify(encoded), blobs)).toEqual({ ok: true, value: big });
  });

  it('refuses a claim-check blob that was altered', async () => {
    const blobs = new MemoryBlobStore();
    const encoded = await encodeEnvelope(
      envelope(Array.from({ length: 1000 }, () => 'y'.repeat(250))),
      blobs,
    );
    const [key] = [...blobs.blobs.keys()];
    blobs.blobs.set(key!, Buffer.from('{"runId":"run_evil"}'));
    const decoded = await decodeEnvelope(encoded, blobs);
    expect(decoded.ok).toBe(false);
  });

  it('refuses other versions, unknown kinds and non-JSON with a reason', async () => {
    const blobs = new MemoryBlobStore();
    const v2 = await decodeEnvelope({ ...envelope(), v: 2 }, blobs);
    expect(v2).toMatchObject({ ok: false, error: { reason: expect.stringContaining('v') } });
    expect((await decodeEnvelope({ ...envelope(), kind: 'other' }, blobs)).ok).toBe(false);
    expect(await decodeEnvelope('{nope', blobs)).toEqual({
      ok: false,
      error: { reason: 'message body is not JSON' },
    });
  });
});
