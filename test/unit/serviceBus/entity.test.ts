import type { Message } from 'rhea';

import {
  type Consumer,
  Entity,
  type EntityConfig,
  type ReceiveMode,
  type StoredMessage,
} from '../../../infra/local/serviceBus/entity';

/**
 * The broker's queue semantics with a controlled clock: the parts the SDK suite cannot reach
 * quickly (windows and expiries measured in minutes) or only indirectly.
 */

const base: EntityConfig = {
  path: 'q',
  requiresSession: false,
  maxDeliveryCount: 3,
  lockDurationMs: 1000,
  defaultTtlMs: 60_000,
  deadLetterOnExpiration: true,
  duplicateWindowMs: 10_000,
  maxMessageSizeBytes: 256 * 1024,
};

function entity(overrides: Partial<EntityConfig> = {}): Entity {
  const config = { ...base, ...overrides };
  const dlq = new Entity(
    {
      ...config,
      path: `${config.path}/$deadletterqueue`,
      requiresSession: false,
      defaultTtlMs: Infinity,
      duplicateWindowMs: 0,
    },
    undefined,
    undefined,
  );
  return new Entity(config, dlq, undefined);
}

class FakeConsumer implements Consumer {
  readonly received: StoredMessage[] = [];
  lostSessions: string[] = [];
  constructor(
    public creditLeft = 100,
    readonly mode: ReceiveMode = 'peekLock',
  ) {}
  credit(): number {
    return this.creditLeft;
  }
  deliver(_e: Entity, m: StoredMessage): void {
    this.creditLeft--;
    this.received.push({ ...m });
  }
  sessionLockLost(_e: Entity, id: string): void {
    this.lostSessions.push(id);
  }
  bodies(): unknown[] {
    return this.received.map((m) => m.message.body as unknown);
  }
}

function msg(body: unknown, extra: Partial<Message> = {}): Message {
  return { body, ...extra };
}

test('duplicate detection drops a repeated messageId inside the window and accepts it after', () => {
  const e = entity();
  expect(e.enqueue(msg(1, { message_id: 'a' }), 0)).toBeDefined();
  expect(e.enqueue(msg(2, { message_id: 'a' }), 9_999)).toBeUndefined();
  expect(e.enqueue(msg(3, { message_id: 'a' }), 10_000)).toBeDefined();
  expect([...e.messages.values()].map((m) => m.message.body as unknown)).toEqual([1, 3]);
});

test('without duplicate detection the same messageId is enqueued every time', () => {
  const e = entity({ duplicateWindowMs: 0 });
  e.enqueue(msg(1, { message_id: 'a' }), 0);
  e.enqueue(msg(2, { message_id: 'a' }), 1);
  expect(e.messages.size).toBe(2);
});

test('lock expiry counts as a delivery and the last one dead-letters the message', () => {
  const e = entity();
  const c = new FakeConsumer();
  e.addConsumer(c);
  e.enqueue(msg('x'), 0);
  e.tick(999);
  expect(c.received).toHaveLength(1);
  e.tick(1000);
  e.tick(2000);
  e.tick(3000);
  expect(c.received.map((m) => m.deliveryCount)).toEqual([0, 1, 2]);
  expect(e.messages.size).toBe(0);
  const dead = [...e.deadLetter!.messages.values()];
  expect(dead.map((m) => m.message.application_properties?.['DeadLetterReason'] as unknown)).toEqual([
    'MaxDeliveryCountExceeded',
  ]);
});

test('a lock renewed before it expires is not lost', () => {
  const e = entity();
  const c = new FakeConsumer();
  e.addConsumer(c);
  e.enqueue(msg('x'), 0);
  const token = c.received[0]!.lockToken!;
  expect(e.renewLock(token, 900)).toBe(1900);
  e.tick(1500);
  expect(e.settle(token, { kind: 'complete' }, 1800)).toBe('ok');
  expect(e.messages.size).toBe(0);
});

test('a settle after expiry reports lockLost even before the tick runs', () => {
  const e = entity();
  const c = new FakeConsumer();
  e.addConsumer(c);
  e.enqueue(msg('x'), 0);
  expect(e.settle(c.received[0]!.lockToken!, { kind: 'complete' }, 1000)).toBe('lockLost');
  expect(c.received).toHaveLength(2);
  expect(c.received[1]!.deliveryCount).toBe(1);
});

test('expired messages are dropped when the entity does not dead-letter on expiration', () => {
  const e = entity({ deadLetterOnExpiration: false });
  e.enqueue(msg('x', { ttl: 500 }), 0);
  e.tick(500);
  expect(e.messages.size).toBe(0);
  expect(e.deadLetter!.messages.size).toBe(0);
});

test('the entity default TTL caps a longer message TTL', () => {
  const e = entity({ defaultTtlMs: 1000 });
  e.enqueue(msg('x', { ttl: 5000 }), 0);
  e.tick(1000);
  expect(
    [...e.deadLetter!.messages.values()].map(
      (m) => m.message.application_properties?.['DeadLetterReason'] as unknown,
    ),
  ).toEqual(['TTLExpiredException']);
});

test('messages go out only against credit, round robin across receivers, in sequence order', () => {
  const e = entity();
  const a = new FakeConsumer(2);
  const b = new FakeConsumer(2);
  e.addConsumer(a);
  e.addConsumer(b);
  for (let i = 0; i < 6; i++) e.enqueue(msg(i), 0);
  expect([...a.bodies(), ...b.bodies()].sort()).toEqual([0, 1, 2, 3]);
  expect(a.bodies()).toEqual([0, 2]);
  a.creditLeft = 5;
  e.pump(0);
  expect(a.bodies()).toEqual([0, 2, 4, 5]);
});

test('an abandoned message is redelivered before later ones', () => {
  const e = entity();
  const c = new FakeConsumer(1);
  e.addConsumer(c);
  e.enqueue(msg('first'), 0);
  e.enqueue(msg('second'), 0);
  e.settle(c.received[0]!.lockToken!, { kind: 'abandon' }, 10);
  c.creditLeft = 1;
  e.pump(10);
  expect(c.bodies()).toEqual(['first', 'first']);
});

test('a scheduled message becomes available at its time, not before', () => {
  const e = entity();
  const c = new FakeConsumer();
  e.addConsumer(c);
  e.enqueue(msg('later'), 0, 5000);
  e.tick(4999);
  expect(c.received).toHaveLength(0);
  e.tick(5000);
  expect(c.bodies()).toEqual(['later']);
  expect(c.received[0]!.enqueuedAt).toBe(5000);
});

describe('sessions', () => {
  test('next-session waiters get a session as soon as one has a message', () => {
    const e = entity({ requiresSession: true });
    const c = new FakeConsumer();
    const granted: string[] = [];
    e.waitForSession({ consumer: c, grant: (id) => granted.push(id) });
    e.enqueue(msg(1, { group_id: 's1' }), 0);
    expect(granted).toEqual(['s1']);
    e.pumpFor(c, 's1', 0);
    expect(c.bodies()).toEqual([1]);
  });

  test('an expired session lock detaches the holder and returns its messages to the session, in order', () => {
    const e = entity({ requiresSession: true });
    const holder = new FakeConsumer();
    e.enqueue(msg(1, { group_id: 's' }), 0);
    e.enqueue(msg(2, { group_id: 's' }), 0);
    expect(e.acceptSession(holder, undefined, 0)).toBe('s');
    e.pumpFor(holder, 's', 0);
    expect(holder.bodies()).toEqual([1, 2]);
    e.tick(1000);
    expect(holder.lostSessions).toEqual(['s']);
    const next = new FakeConsumer();
    expect(e.acceptSession(next, undefined, 1000)).toBe('s');
    e.pumpFor(next, 's', 1000);
    expect(next.received.map((m) => [m.message.body as unknown, m.deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  test('a locked session is not offered and cannot be accepted by name', () => {
    const e = entity({ requiresSession: true });
    e.enqueue(msg(1, { group_id: 's' }), 0);
    const a = new FakeConsumer();
    const b = new FakeConsumer();
    expect(e.acceptSession(a, 's', 0)).toBe('s');
    expect(e.acceptSession(b, 's', 10)).toBeUndefined();
    expect(e.acceptSession(b, undefined, 10)).toBeUndefined();
    e.releaseSession(a, 's', 20);
    expect(e.acceptSession(b, undefined, 20)).toBe('s');
  });

  test('session state needs the session lock', () => {
    const e = entity({ requiresSession: true });
    expect(() => {
      e.setSessionState('s', Buffer.from('x'), 0);
    }).toThrow(/session lock/);
    e.acceptSession(new FakeConsumer(), 's', 0);
    e.setSessionState('s', Buffer.from('x'), 0);
    expect(e.getSessionState('s', 0)?.toString()).toBe('x');
  });
});
