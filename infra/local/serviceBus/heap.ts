/**
 * A binary min-heap. The broker keeps ready messages, lock deadlines, schedules and expiries in
 * heaps so that every hot operation is O(log n) instead of a scan over the whole queue.
 * Entries are never removed from the middle: callers re-validate what they pop (lazy deletion).
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (!this.less(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let child = l;
      if (r < n && this.less(items[r] as T, items[l] as T)) child = r;
      const c = items[child] as T;
      if (!this.less(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}

/** Heap of sequence numbers: FIFO by sequence number, which is what Service Bus delivers in. */
export function createSequenceHeap(): MinHeap<number> {
  return new MinHeap<number>((a, b) => a < b);
}

export interface Deadline {
  readonly at: number;
  readonly seq: number;
  /** Distinguishes a stale entry (the lock was renewed or re-issued) from the live one. */
  readonly token?: string;
}

export function createDeadlineHeap(): MinHeap<Deadline> {
  return new MinHeap<Deadline>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
}
