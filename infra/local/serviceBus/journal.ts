import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import type { QueueDefinition } from '../../../shared/config/queues';
import type { Broker } from './broker';
import type { Entity, EntityJournal, MessageState, StoredMessage } from './entity';
import { decodeMessage, encodeMessage } from './rheaInternals';

/**
 * Durability for `npm start`: an append-only journal of message puts/removes and session state,
 * folded into a snapshot when the emulator opens and when it stops. Locks are not durable: after
 * a restart every unsettled message is available again, as after a lock expiry.
 */

const SNAPSHOT = 'servicebus.snapshot.json';
const JOURNAL = 'servicebus.journal.ndjson';

interface MessageRecord {
  readonly op: 'put';
  readonly e: string;
  readonly s: number;
  /** The message as sent (AMQP-encoded, base64). */
  readonly m: string;
  readonly q: number;
  readonly x: number | null;
  readonly d: number;
  readonly st: MessageState;
  readonly sa: number | null;
  readonly n: number;
}

interface RemoveRecord {
  readonly op: 'del';
  readonly e: string;
  readonly s: number;
}

interface SessionRecord {
  readonly op: 'session';
  readonly e: string;
  readonly id: string;
  readonly v: string | null;
}

type JournalRecord = MessageRecord | RemoveRecord | SessionRecord;

interface Snapshot {
  readonly v: 1;
  readonly records: JournalRecord[];
}

interface EntityState {
  readonly messages: Map<number, MessageRecord>;
  readonly sessions: Map<string, string>;
  nextSeq: number;
}

export class Journal {
  private pending: string[] = [];
  private flushScheduled = false;
  private fd: number | undefined;

  private constructor(
    private readonly dir: string,
    private readonly restored: Map<string, EntityState>,
  ) {}

  static open(dir: string, _queues: readonly QueueDefinition[]): Journal {
    mkdirSync(dir, { recursive: true });
    const state = new Map<string, EntityState>();
    const apply = (r: JournalRecord): void => {
      const key = r.e.toLowerCase();
      let s = state.get(key);
      if (!s) {
        s = { messages: new Map(), sessions: new Map(), nextSeq: 1 };
        state.set(key, s);
      }
      if (r.op === 'put') {
        s.messages.set(r.s, r);
        s.nextSeq = Math.max(s.nextSeq, r.n, r.s + 1);
      } else if (r.op === 'del') {
        s.messages.delete(r.s);
      } else if (r.v === null) {
        s.sessions.delete(r.id);
      } else {
        s.sessions.set(r.id, r.v);
      }
    };
    const snapshot = readOptional(join(dir, SNAPSHOT));
    if (snapshot !== undefined) {
      for (const r of (JSON.parse(snapshot) as Snapshot).records) apply(r);
    }
    const journal = readOptional(join(dir, JOURNAL));
    if (journal !== undefined) {
      for (const line of journal.split('\n')) {
        if (line.trim() === '') continue;
        try {
          apply(JSON.parse(line) as JournalRecord);
        } catch {
          // A torn last line from a crash mid-write: everything before it is intact.
          break;
        }
      }
    }
    const j = new Journal(dir, state);
    j.writeSnapshot(recordsOf(state));
    j.fd = openSync(join(dir, JOURNAL), 'w', 0o600);
    return j;
  }

  readonly sink: EntityJournal = {
    put: (entity, m) => {
      this.append(toRecord(entity, m));
    },
    remove: (entity, seq) => {
      this.append({ op: 'del', e: entity.path, s: seq });
    },
    sessionState: (entity, id, state) => {
      this.append({
        op: 'session',
        e: entity.path,
        id,
        v: state === undefined ? null : state.toString('base64'),
      });
    },
  };

  restoreInto(broker: Broker): void {
    for (const [path, s] of this.restored) {
      const entity = broker.entity(path);
      // Entities dropped from the topology since the last run: their messages are not restored.
      if (!entity) continue;
      const sorted = [...s.messages.values()].sort((a, b) => a.s - b.s);
      for (const r of sorted) entity.restore(fromRecord(r, entity.config.requiresSession));
      for (const [id, v] of s.sessions) entity.restoreSessionState(id, Buffer.from(v, 'base64'));
      entity.nextSeq = Math.max(entity.nextSeq, s.nextSeq);
    }
    this.restored.clear();
  }

  close(broker: Broker): Promise<void> {
    this.flush();
    const records: JournalRecord[] = [];
    for (const entity of broker.all()) {
      for (const m of entity.messages.values()) records.push(toRecord(entity, m));
      for (const [id, state] of entity.sessionStates()) {
        records.push({ op: 'session', e: entity.path, id, v: state.toString('base64') });
      }
    }
    this.writeSnapshot(records);
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    writeFileSync(join(this.dir, JOURNAL), '', { mode: 0o600 });
    return Promise.resolve();
  }

  private append(record: JournalRecord): void {
    this.pending.push(`${JSON.stringify(record)}\n`);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One write per turn of the event loop keeps the journal cheap under bursts.
    setImmediate(() => {
      this.flush();
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0 || this.fd === undefined) return;
    const chunk = this.pending.join('');
    this.pending = [];
    writeSync(this.fd, chunk);
  }

  private writeSnapshot(records: JournalRecord[]): void {
    const path = join(this.dir, SNAPSHOT);
    const tmp = `${path}.${process.pid}.tmp`;
    const snapshot: Snapshot = { v: 1, records };
    writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(tmp, path);
  }
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function recordsOf(state: Map<string, EntityState>): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const [e, s] of state) {
    for (const r of s.messages.values()) out.push({ ...r, e, n: Math.max(r.n, s.nextSeq) });
    for (const [id, v] of s.sessions) out.push({ op: 'session', e, id, v });
  }
  return out;
}

function toRecord(entity: Entity, m: StoredMessage): MessageRecord {
  return {
    op: 'put',
    e: entity.path,
    s: m.seq,
    m: encodeMessage(m.message).toString('base64'),
    q: m.enqueuedAt,
    x: Number.isFinite(m.expiresAt) ? m.expiresAt : null,
    d: m.deliveryCount,
    st: m.state,
    sa: m.scheduledAt ?? null,
    n: entity.nextSeq,
  };
}

function fromRecord(r: MessageRecord, requiresSession: boolean): StoredMessage {
  const message = decodeMessage(Buffer.from(r.m, 'base64'));
  return {
    seq: r.s,
    message,
    enqueuedAt: r.q,
    expiresAt: r.x ?? Infinity,
    deliveryCount: r.d,
    state: r.st,
    scheduledAt: r.sa ?? undefined,
    sessionId: requiresSession && typeof message.group_id === 'string' ? message.group_id : undefined,
    lockToken: undefined,
    lockedUntil: 0,
    holder: undefined,
    queued: false,
  };
}
