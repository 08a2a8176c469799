import { createHash, randomUUID } from 'node:crypto';

import type { BlobRef, BlobStore } from '../ports/blobStore';

/**
 * Where raw webhook bodies are kept for replay. Bodies that arrive together are appended to one
 * segment blob per partition (tenant), each body addressed by offset and length, so a burst of
 * deliveries costs a few Blob writes instead of one per delivery. The reference is assigned at
 * once, before the write lands, so it can travel in the event while the write is in flight.
 */
export interface ArchivedBody {
  readonly ref: BlobRef;
  /** Settles when the segment holding the body is stored (rejects if that write failed). */
  readonly written: Promise<void>;
}

export interface BodyArchive {
  archive(partition: string, body: Buffer): ArchivedBody;
}

export interface SegmentedArchiveOptions {
  /** A segment closes at this size; a larger body gets a segment of its own. */
  readonly maxSegmentBytes?: number;
  readonly maxInFlight?: number;
  readonly now?: () => Date;
}

interface Segment {
  readonly partition: string;
  readonly name: string;
  readonly parts: Buffer[];
  size: number;
  readonly waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

export function segmentedArchive(
  blobs: BlobStore,
  container: string,
  options: SegmentedArchiveOptions = {},
): BodyArchive {
  const maxBytes = options.maxSegmentBytes ?? 4 * 1024 * 1024;
  const maxInFlight = options.maxInFlight ?? 4;
  const now = options.now ?? (() => new Date());
  const open = new Map<string, Segment>();
  const ready: Segment[] = [];
  let inFlight = 0;
  let scheduled = false;

  const write = (segment: Segment): void => {
    inFlight++;
    blobs
      .putBlob(container, segment.name, Buffer.concat(segment.parts, segment.size), {
        contentType: 'application/octet-stream',
      })
      .then(
        () => {
          for (const w of segment.waiters) w.resolve();
        },
        (err: unknown) => {
          for (const w of segment.waiters) w.reject(err);
        },
      )
      .finally(() => {
        inFlight--;
        schedule();
      });
  };
  const pump = (): void => {
    scheduled = false;
    // Segments still open close now: everything of this turn is in them.
    for (const segment of open.values()) ready.push(segment);
    open.clear();
    while (inFlight < maxInFlight && ready.length > 0) write(ready.shift() as Segment);
  };
  function schedule(): void {
    if (scheduled || (open.size === 0 && ready.length === 0)) return;
    if (inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(pump);
  }

  return {
    archive(partition, body) {
      let segment = open.get(partition);
      if (segment !== undefined && segment.size + body.length > maxBytes) {
        ready.push(segment);
        open.delete(partition);
        segment = undefined;
      }
      if (segment === undefined) {
        const at = now().toISOString();
        // Date-first names keep a partition's segments in time order for replay and retention.
        segment = {
          partition,
          name: `${partition}/${at.slice(0, 10)}/${at.slice(11, 13)}/${at}-${randomUUID()}`,
          parts: [],
          size: 0,
          waiters: [],
        };
        open.set(partition, segment);
      }
      const ref: BlobRef = {
        container,
        name: segment.name,
        offset: segment.size,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      };
      segment.parts.push(body);
      segment.size += body.length;
      const current = segment;
      const written = new Promise<void>((resolve, reject) => {
        current.waiters.push({ resolve, reject });
      });
      schedule();
      return { ref, written };
    },
  };
}
