/**
 * Group commit: items submitted while a flush is in flight (or in the same event-loop turn) go
 * out together in the next flush. At low load every item is flushed at once, alone, with no
 * added wait; under load the batches grow by themselves, so the downstream sees a few large
 * calls instead of many small ones. Each submitter learns the outcome of its own batch.
 */
export interface GroupCommitOptions<T> {
  readonly maxBatch: number;
  /** Flushes running at the same time; more batches stay queued until one finishes. */
  readonly maxInFlight: number;
  /** Size of an item and the most a batch may hold (a request size limit downstream). */
  readonly weigh?: (item: T) => number;
  readonly maxWeight?: number;
}

export type GroupCommit<T> = (item: T) => Promise<void>;

interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export function groupCommit<T>(
  flush: (items: readonly T[]) => Promise<void>,
  options: GroupCommitOptions<T>,
): GroupCommit<T> {
  const queue: Waiting<T>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const takeBatch = (): Waiting<T>[] => {
    if (options.weigh === undefined || options.maxWeight === undefined)
      return queue.splice(0, options.maxBatch);
    let weight = 0;
    let n = 0;
    while (n < queue.length && n < options.maxBatch) {
      const w = options.weigh((queue[n] as Waiting<T>).item);
      // The first item always goes, even alone over the limit: downstream decides what to do with it.
      if (n > 0 && weight + w > options.maxWeight) break;
      weight += w;
      n++;
    }
    return queue.splice(0, n);
  };

  const pump = (): void => {
    scheduled = false;
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = takeBatch();
      inFlight++;
      flush(batch.map((w) => w.item))
        .then(
          () => {
            for (const w of batch) w.resolve();
          },
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          schedule();
        });
    }
  };
  const schedule = (): void => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    // setImmediate lets everything submitted in this turn join the batch.
    setImmediate(pump);
  };

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
