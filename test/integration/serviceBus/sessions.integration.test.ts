import type { ServiceBusClient, ServiceBusSessionReceiver } from '@azure/service-bus';

import {
  ConformanceQueues,
  type ConformanceTarget,
  errorCode,
  openConformanceTarget,
  receiveAtLeast,
  uniqueId,
} from './conformanceTarget';

/** Sessions through the public @azure/service-bus API: emulator by default, Azure on request. */

// testTimeout is a global jest option, ignored inside a project; these tests wait on real timers.
jest.setTimeout(30_000);

const queue = ConformanceQueues.sessions;
let target: ConformanceTarget;
let client: ServiceBusClient;

beforeAll(async () => {
  target = await openConformanceTarget();
  client = target.client();
});

afterAll(async () => {
  await target.close();
});

/** Drains what a test left behind in the sessions it used. */
async function drainSessions(ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const r = await client.acceptSession(queue, id, { receiveMode: 'receiveAndDelete' });
    while ((await r.receiveMessages(100, { maxWaitTimeInMs: 200 })).length > 0) {
      // keep draining
    }
    await r.close();
  }
}

test('3 sessions × 50 messages are each received in order while the sessions run concurrently', async () => {
  const sessions = [uniqueId('s0'), uniqueId('s1'), uniqueId('s2')];
  const sender = client.createSender(queue);
  // Interleave the sessions on the wire so that per-session order is the broker's doing.
  const batch = await sender.createMessageBatch();
  for (let i = 0; i < 50; i++) {
    for (const sessionId of sessions) {
      expect(batch.tryAddMessage({ body: i, sessionId })).toBe(true);
    }
  }
  await sender.sendMessages(batch);
  await sender.close();

  const worker = async (): Promise<{ sessionId: string; bodies: number[]; start: number; end: number }> => {
    const receiver = await client.acceptNextSession(queue);
    const start = Date.now();
    const bodies: number[] = [];
    while (bodies.length < 50) {
      const got = await receiver.receiveMessages(10, { maxWaitTimeInMs: 2000 });
      if (got.length === 0) break;
      for (const m of got) {
        expect(m.sessionId).toBe(receiver.sessionId);
        bodies.push(m.body as number);
        await receiver.completeMessage(m);
      }
    }
    const end = Date.now();
    await receiver.close();
    return { sessionId: receiver.sessionId, bodies, start, end };
  };
  const results = await Promise.all([worker(), worker(), worker()]);

  expect(results.map((r) => r.sessionId).sort()).toEqual([...sessions].sort());
  for (const r of results) expect(r.bodies).toEqual([...Array(50).keys()]);
  // Each session was locked and worked on while the others were too.
  const latestStart = Math.max(...results.map((r) => r.start));
  const earliestEnd = Math.min(...results.map((r) => r.end));
  expect(latestStart).toBeLessThan(earliestEnd);
});

test('a second receiver cannot lock a session that is locked, and can once it is released', async () => {
  const sessionId = uniqueId('locked');
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'held', sessionId });
  await sender.close();

  const first = await client.acceptSession(queue, sessionId);
  const other = target.client({ retryOptions: { maxRetries: 0, timeoutInMs: 1500 } });
  expect(await errorCode(other.acceptSession(queue, sessionId))).toBe('SessionCannotBeLocked');
  // The locked session is not offered as "next available" either.
  expect(await errorCode(other.acceptNextSession(queue))).toBe('ServiceTimeout');
  await first.close();

  const second = await client.acceptSession(queue, sessionId);
  const [m] = await receiveAtLeast(second, 1);
  expect(m?.body).toBe('held');
  await second.completeMessage(m!);
  await second.close();
});

test('accept-next-session with nothing available fails with ServiceTimeout after the client timeout', async () => {
  const quick = target.client({ retryOptions: { maxRetries: 0, timeoutInMs: 1500 } });
  const started = Date.now();
  // Other tests' sessions are drained, so nothing is available here.
  expect(await errorCode(quick.acceptNextSession(queue))).toBe('ServiceTimeout');
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
});

test('accept-next-session waits for a session that gets its first message while it waits', async () => {
  const sessionId = uniqueId('late');
  const pending = client.acceptNextSession(queue);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'arrived', sessionId });
  await sender.close();
  const receiver = await pending;
  expect(receiver.sessionId).toBe(sessionId);
  const [m] = await receiveAtLeast(receiver, 1);
  expect(m?.body).toBe('arrived');
  await receiver.completeMessage(m!);
  await receiver.close();
});

test('session state is stored per session and survives the receiver', async () => {
  const sessionId = uniqueId('state');
  let receiver: ServiceBusSessionReceiver = await client.acceptSession(queue, sessionId);
  expect(await receiver.getSessionState()).toBeFalsy();
  await receiver.setSessionState({ cursor: 'page-7', count: 3 });
  expect(await receiver.getSessionState()).toEqual({ cursor: 'page-7', count: 3 });
  await receiver.close();
  receiver = await client.acceptSession(queue, sessionId);
  expect(await receiver.getSessionState()).toEqual({ cursor: 'page-7', count: 3 });
  await receiver.setSessionState(null);
  expect(await receiver.getSessionState()).toBeFalsy();
  await receiver.close();
});

test('renewSessionLock moves the session lock forward', async () => {
  const receiver = await client.acceptSession(queue, uniqueId('renew'), {
    maxAutoLockRenewalDurationInMs: 0,
  });
  const before = receiver.sessionLockedUntilUtc.getTime();
  expect(before).toBeGreaterThan(Date.now());
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const renewed = await receiver.renewSessionLock();
  expect(renewed.getTime()).toBeGreaterThan(before);
  expect(receiver.sessionLockedUntilUtc.getTime()).toBe(renewed.getTime());
  await receiver.close();
});

test('an abandoned session message comes back first, keeping the session in order', async () => {
  const sessionId = uniqueId('order');
  const sender = client.createSender(queue);
  await sender.sendMessages([1, 2, 3].map((n) => ({ body: n, sessionId })));
  await sender.close();
  const receiver = await client.acceptSession(queue, sessionId);
  const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  expect(first?.body).toBe(1);
  await receiver.abandonMessage(first!);
  const all = await receiveAtLeast(receiver, 3);
  expect(all.map((m) => m.body as unknown)).toEqual([1, 2, 3]);
  expect(all[0]?.deliveryCount).toBe(1);
  for (const m of all) await receiver.completeMessage(m);
  await receiver.close();
});

test('subscribe() on a session receiver sees the session in order', async () => {
  const sessionId = uniqueId('sub');
  const sender = client.createSender(queue);
  await sender.sendMessages([...Array(10).keys()].map((n) => ({ body: n, sessionId })));
  await sender.close();
  const receiver = await client.acceptSession(queue, sessionId);
  const seen: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const sub = receiver.subscribe({
      processMessage: (m) => {
        seen.push(m.body as number);
        if (seen.length === 10) setImmediate(() => void sub.close().then(resolve));
        return Promise.resolve();
      },
      processError: (args) => {
        reject(args.error);
        return Promise.resolve();
      },
    });
  });
  expect(seen).toEqual([...Array(10).keys()]);
  await receiver.close();
  await drainSessions([sessionId]);
});

test('deferred session messages are received by sequence number within the session', async () => {
  const sessionId = uniqueId('defer');
  const sender = client.createSender(queue);
  await sender.sendMessages([
    { body: 'a', sessionId },
    { body: 'b', sessionId },
  ]);
  await sender.close();
  const receiver = await client.acceptSession(queue, sessionId);
  const [a] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  await receiver.deferMessage(a!);
  const [b] = await receiveAtLeast(receiver, 1);
  expect(b?.body).toBe('b');
  await receiver.completeMessage(b!);
  const [again] = await receiver.receiveDeferredMessages([a!.sequenceNumber!]);
  expect(again?.body).toBe('a');
  await receiver.completeMessage(again!);
  expect(await receiver.peekMessages(5)).toHaveLength(0);
  await receiver.close();
});

test('a session-enabled queue refuses a message without a session id', async () => {
  const c = target.client({ retryOptions: { maxRetries: 0 } });
  const sender = c.createSender(queue);
  expect(await errorCode(sender.sendMessages({ body: 'no session' }))).not.toBe('resolved');
});

test('a dead-lettered session message is read from the DLQ by a plain receiver, keeping its session id', async () => {
  const sessionId = uniqueId('dlq');
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'to dlq', sessionId });
  await sender.close();
  const receiver = await client.acceptSession(queue, sessionId);
  const [m] = await receiveAtLeast(receiver, 1);
  await receiver.deadLetterMessage(m!, {
    deadLetterReason: 'Rejected',
    deadLetterErrorDescription: 'by test',
  });
  await receiver.close();
  const dlq = client.createReceiver(queue, { subQueueType: 'deadLetter' });
  const dead = (await receiveAtLeast(dlq, 10, 1500)).filter((d) => d.sessionId === sessionId);
  expect(dead.map((d) => [d.body as unknown, d.deadLetterReason])).toEqual([['to dlq', 'Rejected']]);
  for (const d of dead) await dlq.completeMessage(d);
  await dlq.close();
});
