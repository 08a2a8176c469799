import { randomUUID } from 'node:crypto';

import type { Message } from 'rhea';

import { createDeadlineHeap, createSequenceHeap, type Deadline, type MinHeap } from './heap';
import { newLockToken } from './lockToken';

/**
 * One queue (or its `$deadletterqueue`) with Service Bus semantics: sequence numbers, peek-lock
 * with lock expiry, delivery counts, max delivery count → dead-letter, TTL, scheduling, deferral,
 * duplicate detection and sessions. Nothing here knows AMQP; the server turns links and
 * management requests into calls on this class.
 */

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';
export type MessageState = 'active' | 'deferred' | 'scheduled';

export interface EntityConfig {
  readonly path: string;
  readonly requiresSession: boolean;
  readonly maxDeliveryCount: number;
  readonly lockDurationMs: number;
  readonly defaultTtlMs: number;
  readonly deadLetterOnExpiration: boolean;
  /** 0 disables duplicate detection. */
  readonly duplicateWindowMs: number;
  readonly maxMessageSizeBytes: number;
}

export interface StoredMessage {
  readonly seq: number;
  /** The message as the sender sent it, plus what the broker stamps on it (id, dead-letter properties). */
  message: Message;
  enqueuedAt: number;
  expiresAt: number;
  deliveryCount: number;
  state: MessageState;
  scheduledAt: number | undefined;
  /**
   * The session the message is grouped under in a session-enabled entity. Undefined elsewhere,
   * even when the message carries a session id (a plain queue or a DLQ delivers it like any other).
   */
  readonly sessionId: string | undefined;
  lockToken: string | undefined;
  lockedUntil: number;
  /** The link the message was delivered on; undefined when locked through receive-by-sequence-number. */
  holder: Consumer | undefined;
  /** Sitting in a ready heap right now. */
  queued: boolean;
}

/** A receiving link as the broker sees it. */
export interface Consumer {
  readonly mode: ReceiveMode;
  /** How many more messages the link may take right now. */
  credit(): number;
  deliver(entity: Entity, message: StoredMessage): void;
  /** The session lock expired: the link must be detached with session-lock-lost. */
  sessionLockLost(entity: Entity, sessionId: string): void;
}

export interface EntityJournal {
  put(entity: Entity, message: StoredMessage): void;
  remove(entity: Entity, seq: number): void;
  sessionState(entity: Entity, sessionId: string, state: Buffer | undefined): void;
}

export type Outcome =
  | { readonly kind: 'complete' }
  | { readonly kind: 'abandon'; readonly propertiesToModify?: Record<string, unknown> | undefined }
  | { readonly kind: 'defer'; readonly propertiesToModify?: Record<string, unknown> | undefined }
  | {
      readonly kind: 'deadLetter';
      readonly reason?: string | undefined;
      readonly description?: string | undefined;
      readonly propertiesToModify?: Record<string, unknown> | undefined;
    };

export type SettleResult = 'ok' | 'lockLost' | 'sessionLockLost';

/** Broker-side failure with the AMQP condition the SDK maps to a ServiceBusError code. */
export class BrokerError extends Error {
  constructor(
    readonly condition: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}

interface SessionEntry {
  readonly id: string;
  readonly ready: MinHeap<number>;
  readyCount: number;
  /** Messages of this session in the entity, in any state. */
  count: number;
  state: Buffer | undefined;
  holder: Consumer | undefined;
  lockedUntil: number;
  /** Messages delivered under the current session lock and not yet settled. */
  readonly locked: Set<number>;
}

export interface SessionWaiter {
  readonly consumer: Consumer;
  /** Called once with the session now locked for the consumer. */
  grant(sessionId: string): void;
}

export const DeadLetterReasons = {
  maxDelivery: 'MaxDeliveryCountExceeded',
  expired: 'TTLExpiredException',
} as const;

export class Entity {
  readonly messages = new Map<number, StoredMessage>();
  private readonly ready = createSequenceHeap();
  private readonly sessions = new Map<string, SessionEntry>();
  /** Unlocked sessions that have ready messages, in the order they became available. */
  private readonly availableSessions = new Set<string>();
  private readonly sessionWaiters: SessionWaiter[] = [];
  private readonly locks = new Map<string, number>();
  private readonly lockDeadlines = createDeadlineHeap();
  private readonly sessionDeadlines = new Map<string, number>();
  private readonly schedule = createDeadlineHeap();
  private readonly expiries = createDeadlineHeap();
  private readonly consumers: Consumer[] = [];
  private nextConsumer = 0;
  private readonly duplicates = new Map<string, number>();
  private readonly duplicateOrder: { id: string; at: number }[] = [];
  private duplicateHead = 0;
  private pumping = false;
  nextSeq = 1;

  constructor(
    readonly config: EntityConfig,
    readonly deadLetter: Entity | undefined,
    private readonly journal: EntityJournal | undefined,
  ) {}

  get path(): string {
    return this.config.path;
  }

  // ---- sending -------------------------------------------------------------------------------

  validate(message: Message): void {
    if (this.config.requiresSession && typeof message.group_id !== 'string') {
      throw new BrokerError(
        'amqp:not-allowed',
        `The SessionId was not set on a message, and it cannot be sent to the entity '${this.path}'. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.`,
        400,
      );
    }
  }

  /**
   * Accepts a message from a sender (or a schedule request). Returns undefined when duplicate
   * detection drops it, which the sender still sees as accepted — as in Azure.
   */
  enqueue(message: Message, now: number, scheduledAt?: number): StoredMessage | undefined {
    this.validate(message);
    const sessionId =
      this.config.requiresSession && typeof message.group_id === 'string' ? message.group_id : undefined;
    if (
      message.message_id === undefined ||
      (message.message_id as unknown) === null ||
      message.message_id === ''
    ) {
      message.message_id = randomUUID().replace(/-/g, '');
    }
    if (this.isDuplicate(String(message.message_id), now)) return undefined;

    const annotated = message.message_annotations?.['x-opt-scheduled-enqueue-time'] as unknown;
    const requestedAt = scheduledAt ?? (annotated instanceof Date ? annotated.getTime() : undefined);
    const scheduled = requestedAt !== undefined && requestedAt > now;
    const enqueuedAt = scheduled ? requestedAt : now;
    const stored: StoredMessage = {
      seq: this.nextSeq++,
      message,
      enqueuedAt,
      expiresAt: this.expiryFor(message, enqueuedAt),
      deliveryCount: 0,
      state: scheduled ? 'scheduled' : 'active',
      scheduledAt: scheduled ? requestedAt : undefined,
      sessionId,
      lockToken: undefined,
      lockedUntil: 0,
      holder: undefined,
      queued: false,
    };
    this.add(stored);
    this.journal?.put(this, stored);
    if (scheduled) {
      this.schedule.push({ at: requestedAt, seq: stored.seq });
    } else {
      this.makeReady(stored, now);
    }
    return stored;
  }

  /** Puts back a message read from the journal; locks are never restored. */
  restore(stored: StoredMessage): void {
    stored.lockToken = undefined;
    stored.holder = undefined;
    stored.queued = false;
    this.add(stored);
    if (stored.seq >= this.nextSeq) this.nextSeq = stored.seq + 1;
    if (stored.state === 'scheduled' && stored.scheduledAt !== undefined) {
      this.schedule.push({ at: stored.scheduledAt, seq: stored.seq });
    } else if (stored.state === 'active') {
      this.makeReady(stored, 0);
    } else if (Number.isFinite(stored.expiresAt)) {
      this.expiries.push({ at: stored.expiresAt, seq: stored.seq });
    }
  }

  restoreSessionState(sessionId: string, state: Buffer | undefined): void {
    this.session(sessionId).state = state;
    this.forgetSessionIfIdle(sessionId);
  }

  cancelScheduled(seqs: readonly number[]): void {
    for (const seq of seqs) {
      const m = this.messages.get(seq);
      if (m?.state === 'scheduled') this.delete(m);
    }
  }

  private expiryFor(message: Message, enqueuedAt: number): number {
    const ttl = typeof message.ttl === 'number' && message.ttl > 0 ? message.ttl : Infinity;
    const effective = Math.min(ttl, this.config.defaultTtlMs);
    return Number.isFinite(effective) ? enqueuedAt + effective : Infinity;
  }

  private isDuplicate(messageId: string, now: number): boolean {
    const window = this.config.duplicateWindowMs;
    if (window <= 0) return false;
    const order = this.duplicateOrder;
    while (this.duplicateHead < order.length) {
      const head = order[this.duplicateHead] as { id: string; at: number };
      if (head.at + window > now) break;
      if (this.duplicates.get(head.id) === head.at) this.duplicates.delete(head.id);
      this.duplicateHead++;
    }
    if (this.duplicateHead > 1024 && this.duplicateHead * 2 > order.length) {
      order.splice(0, this.duplicateHead);
      this.duplicateHead = 0;
    }
    if (this.duplicates.has(messageId)) return true;
    this.duplicates.set(messageId, now);
    order.push({ id: messageId, at: now });
    return false;
  }

  // ---- storage helpers -----------------------------------------------------------------------

  private add(m: StoredMessage): void {
    this.messages.set(m.seq, m);
    if (m.sessionId !== undefined) this.session(m.sessionId).count++;
  }

  private delete(m: StoredMessage): void {
    if (!this.messages.delete(m.seq)) return;
    this.dequeue(m);
    this.unlock(m);
    if (m.sessionId !== undefined) {
      const entry = this.sessions.get(m.sessionId);
      if (entry) {
        entry.count--;
        this.forgetSessionIfIdle(m.sessionId);
      }
    }
    this.journal?.remove(this, m.seq);
  }

  /** Takes a message out of its ready heap (lazily: the heap entry is skipped when popped). */
  private dequeue(m: StoredMessage): void {
    if (!m.queued) return;
    m.queued = false;
    if (m.sessionId !== undefined) {
      const entry = this.sessions.get(m.sessionId);
      if (entry) entry.readyCount--;
    }
  }

  private unlock(m: StoredMessage): void {
    if (m.lockToken === undefined) return;
    this.locks.delete(m.lockToken);
    m.lockToken = undefined;
    m.holder = undefined;
    m.lockedUntil = 0;
    if (m.sessionId !== undefined) this.sessions.get(m.sessionId)?.locked.delete(m.seq);
  }

  private session(id: string): SessionEntry {
    let entry = this.sessions.get(id);
    if (!entry) {
      entry = {
        id,
        ready: createSequenceHeap(),
        readyCount: 0,
        count: 0,
        state: undefined,
        holder: undefined,
        lockedUntil: 0,
        locked: new Set(),
      };
      this.sessions.set(id, entry);
    }
    return entry;
  }

  private forgetSessionIfIdle(id: string): void {
    const entry = this.sessions.get(id);
    if (entry && entry.count === 0 && entry.holder === undefined && entry.state === undefined) {
      this.sessions.delete(id);
      this.availableSessions.delete(id);
    }
  }

  // ---- delivery ------------------------------------------------------------------------------

  /** `quiet` queues without handing anything out, for callers that requeue several messages first. */
  private makeReady(m: StoredMessage, now: number, quiet = false): void {
    m.state = m.state === 'scheduled' ? 'active' : m.state;
    if (Number.isFinite(m.expiresAt)) this.expiries.push({ at: m.expiresAt, seq: m.seq });
    m.queued = true;
    if (m.sessionId === undefined) {
      this.ready.push(m.seq);
      if (!quiet) this.pump(now);
      return;
    }
    const entry = this.session(m.sessionId);
    entry.ready.push(m.seq);
    entry.readyCount++;
    if (quiet) return;
    if (entry.holder) {
      this.pumpSession(entry, now);
    } else {
      this.sessionAvailable(entry, now);
    }
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
  }

  removeConsumer(consumer: Consumer): void {
    const i = this.consumers.indexOf(consumer);
    if (i >= 0) this.consumers.splice(i, 1);
  }

  /** Hands ready messages to links with credit, round robin, in sequence-number order. */
  pump(now: number): void {
    if (this.pumping || this.config.requiresSession) return;
    this.pumping = true;
    try {
      while (this.ready.size > 0) {
        const consumer = this.consumerWithCredit();
        if (!consumer) break;
        const m = this.popReady(this.ready);
        if (!m) continue;
        if (m.expiresAt <= now) {
          this.expire(m, now);
          continue;
        }
        this.deliver(consumer, m, now, undefined);
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Feeds one link: the session's own receiver, or any session-less receiver. */
  pumpFor(consumer: Consumer, sessionId: string | undefined, now: number): void {
    if (sessionId === undefined) {
      this.pump(now);
      return;
    }
    const entry = this.sessions.get(sessionId);
    if (entry?.holder === consumer) this.pumpSession(entry, now);
  }

  private pumpSession(entry: SessionEntry, now: number): void {
    const consumer = entry.holder;
    if (!consumer) return;
    while (entry.readyCount > 0 && consumer.credit() > 0) {
      const m = this.popReady(entry.ready);
      if (!m) continue;
      entry.readyCount--;
      if (m.expiresAt <= now) {
        this.expire(m, now);
        continue;
      }
      this.deliver(consumer, m, now, entry);
    }
  }

  private popReady(heap: MinHeap<number>): StoredMessage | undefined {
    const seq = heap.pop();
    if (seq === undefined) return undefined;
    const m = this.messages.get(seq);
    if (!m?.queued) return undefined;
    m.queued = false;
    return m;
  }

  private consumerWithCredit(): Consumer | undefined {
    const n = this.consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (this.nextConsumer + i) % n;
      const c = this.consumers[index] as Consumer;
      if (c.credit() > 0) {
        this.nextConsumer = (index + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private deliver(consumer: Consumer, m: StoredMessage, now: number, entry: SessionEntry | undefined): void {
    if (consumer.mode === 'receiveAndDelete') {
      this.delete(m);
      consumer.deliver(this, m);
      return;
    }
    const token = newLockToken();
    m.lockToken = token;
    m.holder = consumer;
    this.locks.set(token, m.seq);
    if (entry) {
      m.lockedUntil = entry.lockedUntil;
      entry.locked.add(m.seq);
    } else {
      m.lockedUntil = now + this.config.lockDurationMs;
      this.lockDeadlines.push({ at: m.lockedUntil, seq: m.seq, token });
    }
    consumer.deliver(this, m);
  }

  // ---- settlement ----------------------------------------------------------------------------

  findLocked(token: string): StoredMessage | undefined {
    const seq = this.locks.get(token);
    return seq === undefined ? undefined : this.messages.get(seq);
  }

  settle(token: string, outcome: Outcome, now: number): SettleResult {
    const m = this.findLocked(token);
    if (!m || m.lockToken !== token) return 'lockLost';
    if (m.holder !== undefined && m.sessionId !== undefined) {
      const entry = this.sessions.get(m.sessionId);
      if (entry?.holder !== m.holder || entry.lockedUntil <= now) return 'sessionLockLost';
    } else if (m.lockedUntil <= now) {
      this.lockExpired(m, now);
      return 'lockLost';
    }
    switch (outcome.kind) {
      case 'complete':
        this.delete(m);
        break;
      case 'abandon':
        this.unlock(m);
        applyProperties(m, outcome.propertiesToModify);
        this.redeliverOrDeadLetter(m, now);
        break;
      case 'defer':
        this.unlock(m);
        applyProperties(m, outcome.propertiesToModify);
        m.state = 'deferred';
        this.journal?.put(this, m);
        if (Number.isFinite(m.expiresAt)) this.expiries.push({ at: m.expiresAt, seq: m.seq });
        break;
      case 'deadLetter':
        this.moveToDeadLetter(m, outcome.reason, outcome.description, outcome.propertiesToModify, now);
        break;
    }
    return 'ok';
  }

  /** An abandon or a lost lock: one more delivery attempt used up. */
  private redeliverOrDeadLetter(m: StoredMessage, now: number, quiet = false): void {
    m.deliveryCount++;
    if (m.deliveryCount >= this.config.maxDeliveryCount) {
      this.moveToDeadLetter(
        m,
        DeadLetterReasons.maxDelivery,
        `Message could not be consumed after ${this.config.maxDeliveryCount} delivery attempts.`,
        undefined,
        now,
      );
      return;
    }
    this.journal?.put(this, m);
    if (m.state === 'deferred') return;
    this.makeReady(m, now, quiet);
  }

  private moveToDeadLetter(
    m: StoredMessage,
    reason: string | undefined,
    description: string | undefined,
    properties: Record<string, unknown> | undefined,
    now: number,
  ): void {
    this.delete(m);
    const dlq = this.deadLetter;
    if (!dlq) return;
    const appProps: Record<string, unknown> = {
      ...(m.message.application_properties ?? {}),
      ...(properties ?? {}),
    };
    if (reason !== undefined) appProps['DeadLetterReason'] = reason;
    if (description !== undefined) appProps['DeadLetterErrorDescription'] = description;
    const moved: StoredMessage = {
      seq: m.seq,
      message: { ...m.message, application_properties: appProps },
      enqueuedAt: m.enqueuedAt,
      expiresAt: Infinity,
      deliveryCount: m.deliveryCount,
      state: 'active',
      scheduledAt: undefined,
      sessionId: undefined,
      lockToken: undefined,
      lockedUntil: 0,
      holder: undefined,
      queued: false,
    };
    dlq.add(moved);
    dlq.journal?.put(dlq, moved);
    dlq.makeReady(moved, now);
  }

  private lockExpired(m: StoredMessage, now: number): void {
    this.unlock(m);
    this.redeliverOrDeadLetter(m, now);
  }

  private expire(m: StoredMessage, now: number): void {
    if (this.config.deadLetterOnExpiration) {
      this.moveToDeadLetter(
        m,
        DeadLetterReasons.expired,
        'The message expired and was dead lettered.',
        undefined,
        now,
      );
    } else {
      this.delete(m);
    }
  }

  renewLock(token: string, now: number): number {
    const m = this.findLocked(token);
    if (!m || m.lockToken !== token || m.lockedUntil <= now) {
      throw new BrokerError(
        'com.microsoft:message-lock-lost',
        'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue, or was received by a different receiver instance.',
        410,
      );
    }
    if (m.holder !== undefined && m.sessionId !== undefined) return m.lockedUntil;
    m.lockedUntil = now + this.config.lockDurationMs;
    this.lockDeadlines.push({ at: m.lockedUntil, seq: m.seq, token });
    return m.lockedUntil;
  }

  // ---- sessions ------------------------------------------------------------------------------

  /**
   * Locks a named session for a link, or the next unlocked session with ready messages.
   * Returns the locked session id, or undefined when none is free.
   */
  acceptSession(consumer: Consumer, sessionId: string | undefined, now: number): string | undefined {
    if (sessionId !== undefined) {
      const entry = this.session(sessionId);
      const previous = entry.holder;
      if (previous !== undefined && entry.lockedUntil > now) return undefined;
      if (previous !== undefined) {
        this.releaseSessionLock(entry, now, false);
        previous.sessionLockLost(this, sessionId);
      }
      this.lockSession(this.session(sessionId), consumer, now);
      return sessionId;
    }
    for (const id of this.availableSessions) {
      const entry = this.sessions.get(id);
      this.availableSessions.delete(id);
      if (entry && entry.holder === undefined && entry.readyCount > 0) {
        this.lockSession(entry, consumer, now);
        return id;
      }
    }
    return undefined;
  }

  /** Parks an accept-next-session request until a session frees up. Returns a cancel function. */
  waitForSession(waiter: SessionWaiter): () => void {
    this.sessionWaiters.push(waiter);
    return () => {
      const i = this.sessionWaiters.indexOf(waiter);
      if (i >= 0) this.sessionWaiters.splice(i, 1);
    };
  }

  private lockSession(entry: SessionEntry, consumer: Consumer, now: number): void {
    entry.holder = consumer;
    entry.lockedUntil = now + this.config.lockDurationMs;
    this.availableSessions.delete(entry.id);
    this.sessionDeadlines.set(entry.id, entry.lockedUntil);
  }

  private sessionAvailable(entry: SessionEntry, now: number): void {
    if (entry.holder !== undefined || entry.readyCount === 0) return;
    const waiter = this.sessionWaiters.shift();
    if (waiter) {
      this.lockSession(entry, waiter.consumer, now);
      waiter.grant(entry.id);
      return;
    }
    this.availableSessions.add(entry.id);
  }

  sessionLockedUntil(sessionId: string): number {
    return this.sessions.get(sessionId)?.lockedUntil ?? 0;
  }

  /** The link that held the session closed: its unsettled messages go back, counted as a delivery. */
  releaseSession(consumer: Consumer, sessionId: string, now: number): void {
    const entry = this.sessions.get(sessionId);
    if (entry?.holder !== consumer) return;
    this.releaseSessionLock(entry, now);
  }

  private releaseSessionLock(entry: SessionEntry, now: number, offer = true): void {
    entry.holder = undefined;
    entry.lockedUntil = 0;
    this.sessionDeadlines.delete(entry.id);
    // Requeue all first, then offer the session once, so a new holder still sees sequence order.
    for (const seq of [...entry.locked]) {
      const m = this.messages.get(seq);
      if (!m) continue;
      this.unlock(m);
      this.redeliverOrDeadLetter(m, now, true);
    }
    entry.locked.clear();
    if (offer) this.sessionAvailable(entry, now);
    this.forgetSessionIfIdle(entry.id);
  }

  private requireSessionLock(sessionId: string, now: number): SessionEntry {
    const entry = this.sessions.get(sessionId);
    if (entry?.holder === undefined || entry.lockedUntil <= now) {
      throw new BrokerError(
        'com.microsoft:session-lock-lost',
        `The session lock has expired on the session with id ${sessionId}.`,
        410,
      );
    }
    return entry;
  }

  renewSessionLock(sessionId: string, now: number): number {
    const entry = this.requireSessionLock(sessionId, now);
    entry.lockedUntil = now + this.config.lockDurationMs;
    this.sessionDeadlines.set(entry.id, entry.lockedUntil);
    for (const seq of entry.locked) {
      const m = this.messages.get(seq);
      if (m) m.lockedUntil = entry.lockedUntil;
    }
    return entry.lockedUntil;
  }

  getSessionState(sessionId: string, now: number): Buffer | undefined {
    return this.requireSessionLock(sessionId, now).state;
  }

  setSessionState(sessionId: string, state: Buffer | undefined, now: number): void {
    const entry = this.requireSessionLock(sessionId, now);
    entry.state = state;
    this.journal?.sessionState(this, sessionId, state);
  }

  sessionStates(): [string, Buffer][] {
    const out: [string, Buffer][] = [];
    for (const s of this.sessions.values()) if (s.state !== undefined) out.push([s.id, s.state]);
    return out;
  }

  listSessions(): string[] {
    return [...this.sessions.values()].filter((s) => s.count > 0 || s.state !== undefined).map((s) => s.id);
  }

  // ---- management reads ----------------------------------------------------------------------

  peek(fromSeq: number, count: number, sessionId: string | undefined): StoredMessage[] {
    const found: StoredMessage[] = [];
    for (const m of this.messages.values()) {
      if (m.seq >= fromSeq && (sessionId === undefined || m.sessionId === sessionId)) found.push(m);
    }
    found.sort((a, b) => a.seq - b.seq);
    return found.slice(0, count);
  }

  /** Locks (or removes, in receive-and-delete) deferred messages by sequence number. */
  receiveDeferred(
    seqs: readonly number[],
    mode: ReceiveMode,
    sessionId: string | undefined,
    now: number,
  ): StoredMessage[] {
    const picked: StoredMessage[] = [];
    for (const seq of seqs) {
      const m = this.messages.get(seq);
      if (
        m?.state !== 'deferred' ||
        m.lockToken !== undefined ||
        (sessionId !== undefined && m.sessionId !== sessionId)
      ) {
        throw new BrokerError(
          'com.microsoft:message-not-found',
          `Failed to lock one or more specified messages. Either the message with sequence number ${seq} is not deferred, or it has been settled or is locked.`,
          404,
        );
      }
      picked.push(m);
    }
    for (const m of picked) {
      if (mode === 'receiveAndDelete') {
        this.delete(m);
        continue;
      }
      const token = newLockToken();
      m.lockToken = token;
      m.holder = undefined;
      m.lockedUntil = now + this.config.lockDurationMs;
      this.locks.set(token, m.seq);
      this.lockDeadlines.push({ at: m.lockedUntil, seq: m.seq, token });
    }
    return picked;
  }

  // ---- time ----------------------------------------------------------------------------------

  /** Applies everything that is due: lock expiry, session lock expiry, schedules, TTL. */
  tick(now: number): void {
    this.drainDue(this.lockDeadlines, now, (d) => {
      const m = this.messages.get(d.seq);
      if (m && m.lockToken === d.token && m.lockedUntil <= now) this.lockExpired(m, now);
    });
    for (const [id, until] of this.sessionDeadlines) {
      if (until > now) continue;
      const entry = this.sessions.get(id);
      const holder = entry?.holder;
      if (!entry || !holder) {
        this.sessionDeadlines.delete(id);
        continue;
      }
      this.releaseSessionLock(entry, now);
      holder.sessionLockLost(this, id);
    }
    this.drainDue(this.schedule, now, (d) => {
      const m = this.messages.get(d.seq);
      if (m?.state !== 'scheduled' || m.scheduledAt !== d.at) return;
      m.scheduledAt = undefined;
      m.state = 'active';
      this.journal?.put(this, m);
      this.makeReady(m, now);
    });
    this.drainDue(this.expiries, now, (d) => {
      const m = this.messages.get(d.seq);
      if (!m || m.expiresAt !== d.at || m.lockToken !== undefined || m.state === 'scheduled') return;
      this.expire(m, now);
    });
  }

  private drainDue(heap: MinHeap<Deadline>, now: number, apply: (d: Deadline) => void): void {
    for (let top = heap.peek(); top !== undefined && top.at <= now; top = heap.peek()) {
      heap.pop();
      apply(top);
    }
  }

  /** Forgets every link (the server is stopping). */
  detachAll(): void {
    this.consumers.length = 0;
    this.sessionWaiters.length = 0;
  }
}

function applyProperties(m: StoredMessage, props: Record<string, unknown> | undefined): void {
  if (!props || Object.keys(props).length === 0) return;
  m.message = {
    ...m.message,
    application_properties: { ...(m.message.application_properties ?? {}), ...props },
  };
}
