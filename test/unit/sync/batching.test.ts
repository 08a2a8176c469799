import type { PublishedEvent } from '../../../shared/ports/eventPublisher';
import { batchingPublisher } from '../../../shared/sync/batchingPublisher';
import { segmentedArchive } from '../../../shared/sync/bodyArchive';
import { MemoryBlobStore } from '../../fakes/syncStores';

const event = (id: string, size = 10): PublishedEvent => ({
  id,
  eventType: 'T',
  subject: 's',
  dataVersion: '1',
  data: { pad: 'x'.repeat(size) },
});

describe('batching publisher', () => {
  it('sends events published together in few calls, each caller settled by its own batch', async () => {
    const calls: string[][] = [];
    const publisher = batchingPublisher(
      {
        publish: (events) => {
          calls.push(events.map((e) => e.id));
          return new Promise((resolve) => setTimeout(resolve, 5));
        },
      },
      { maxInFlight: 1 },
    );
    await Promise.all(Array.from({ length: 50 }, (_, i) => publisher.publish([event(String(i))])));
    expect(calls.flat().sort()).toEqual(Array.from({ length: 50 }, (_, i) => String(i)).sort());
    expect(calls.length).toBeLessThan(5);
  });

  it('keeps a batch under the size limit and fails only the callers of a failed batch', async () => {
    const calls: number[] = [];
    let fail = true;
    const publisher = batchingPublisher(
      {
        publish: (events) => {
          calls.push(events.length);
          if (fail) {
            fail = false;
            return Promise.reject(new Error('down'));
          }
          return Promise.resolve();
        },
      },
      { maxBytes: 3000, maxInFlight: 1 },
    );
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, i) => publisher.publish([event(String(i), 1000)])),
    );
    expect(calls[0]).toBeLessThanOrEqual(2);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(calls[0] ?? 0);
  });
});

describe('segmented body archive', () => {
  it('stores bodies received together in one blob, each readable back by its reference', async () => {
    const blobs = new MemoryBlobStore();
    const archive = segmentedArchive(blobs, 'webhook-bodies');
    const bodies = ['{"a":1}', '', 'héllo wörld', '{"b":[1,2,3]}'].map((b) => Buffer.from(b, 'utf8'));
    const archived = bodies.map((b) => archive.archive('ten_1', b));
    await Promise.all(archived.map((a) => a.written));
    expect(blobs.blobs.size).toBe(1);
    for (const [i, a] of archived.entries()) {
      expect((await blobs.getBlob(a.ref)).equals(bodies[i]!)).toBe(true);
    }
  });

  it('keeps tenants apart and rejects every body of a segment whose write failed', async () => {
    const blobs = new MemoryBlobStore();
    const archive = segmentedArchive(blobs, 'webhook-bodies');
    const a = archive.archive('ten_1', Buffer.from('one'));
    const b = archive.archive('ten_2', Buffer.from('two'));
    await Promise.all([a.written, b.written]);
    expect(a.ref.name.startsWith('ten_1/')).toBe(true);
    expect(b.ref.name.startsWith('ten_2/')).toBe(true);

    const failing = segmentedArchive(
      {
        putBlob: () => Promise.reject(new Error('storage down')),
        getBlob: blobs.getBlob.bind(blobs),
      },
      'c',
    );
    const x = failing.archive('t', Buffer.from('x'));
    const y = failing.archive('t', Buffer.from('y'));
    await expect(x.written).rejects.toThrow('storage down');
    await expect(y.written).rejects.toThrow('storage down');
  });
});
