import type { ServiceBusClient } from '@azure/service-bus';

import {
  ConformanceQueues,
  type ConformanceTarget,
  errorCode,
  openConformanceTarget,
  purge,
  receiveAtLeast,
  sleep,
  uniqueId,
} from './conformanceTarget';

/**
 * Time-driven behaviour (lock expiry, lock renewal, scheduling, TTL) through the public SDK API.
 * The test queue has a 5 s lock (Azure's minimum), so these tests wait it out.
 */

// testTimeout is a global jest option, ignored inside a project; these tests wait on real timers.
jest.setTimeout(30_000);

const queue = ConformanceQueues.timing;
const LOCK_MS = 5000;
let target: ConformanceTarget;
let client: ServiceBusClient;

beforeAll(async () => {
  target = await openConformanceTarget();
  client = target.client();
});

afterAll(async () => {
  await target.close();
});

beforeEach(async () => {
  await purge(client, queue);
  await purge(client, queue, true);
});

test('unrenewed message and session locks expire (redelivery, MessageLockLost, SessionLockLost) while renewed and auto-renewed locks hold', async () => {
  const sender = client.createSender(queue);
  await sender.sendMessages([
    { body: 'expires', messageId: uniqueId('expire') },
    { body: 'renewed', messageId: uniqueId('renew') },
    { body: 'auto-renewed', messageId: uniqueId('auto') },
  ]);
  await sender.close();
  // The cases share one lock-duration wait to keep the suite short.
  const manual = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
  const [expiring, renewed] = await receiveAtLeast(manual, 2);
  const auto = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 30_000 });
  const [autoRenewed] = await receiveAtLeast(auto, 1);
  expect([expiring?.body, renewed?.body, autoRenewed?.body]).toEqual(['expires', 'renewed', 'auto-renewed']);
  const sessionId = uniqueId('session-lock');
  const sessionSender = client.createSender(ConformanceQueues.sessions);
  await sessionSender.sendMessages({ body: 'in session', sessionId });
  await sessionSender.close();
  const session = await client.acceptSession(ConformanceQueues.sessions, sessionId, {
    maxAutoLockRenewalDurationInMs: 0,
  });
  const [sessionMessage] = await receiveAtLeast(session, 1);
  const originalUntil = renewed!.lockedUntilUtc!.getTime();
  expect(originalUntil).toBeGreaterThan(Date.now() + LOCK_MS - 2000);

  const other = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
  expect(await other.receiveMessages(1, { maxWaitTimeInMs: 1000 })).toHaveLength(0);
  await sleep(2000);
  const until = await manual.renewMessageLock(renewed!);
  expect(until.getTime()).toBeGreaterThan(originalUntil);

  const [redelivered] = await receiveAtLeast(other, 1, LOCK_MS + 5000);
  expect(redelivered?.messageId).toBe(expiring!.messageId);
  expect(redelivered?.deliveryCount).toBe(1);
  // Past the original lock of all three: only the unrenewed one came back.
  await sleep(Math.max(0, originalUntil + 500 - Date.now()));
  expect(await other.receiveMessages(1, { maxWaitTimeInMs: 500 })).toHaveLength(0);

  expect(await errorCode(manual.completeMessage(expiring!))).toBe('MessageLockLost');
  await manual.completeMessage(renewed!);
  await auto.completeMessage(autoRenewed!);
  await other.completeMessage(redelivered!);
  expect(await other.peekMessages(10)).toHaveLength(0);
  await Promise.all([manual.close(), auto.close(), other.close()]);

  // The session lock was not renewed either: the session is lost and its message comes back.
  expect(await errorCode(session.completeMessage(sessionMessage!))).toBe('SessionLockLost');
  const retaken = await client.acceptSession(ConformanceQueues.sessions, sessionId);
  const [again] = await receiveAtLeast(retaken, 1);
  expect([again?.body, again?.deliveryCount]).toEqual(['in session', 1]);
  await retaken.completeMessage(again!);
  await Promise.all([session.close(), retaken.close()]);
});

test('a scheduled message is invisible until its time, and a cancelled one never arrives', async () => {
  const sender = client.createSender(queue);
  const at = new Date(Date.now() + 2500);
  const [kept] = await sender.scheduleMessages({ body: 'on time', messageId: uniqueId('sched') }, at);
  const [cancelled] = await sender.scheduleMessages({ body: 'cancelled' }, at);
  expect(kept!.toNumber()).toBeLessThan(cancelled!.toNumber());

  const receiver = client.createReceiver(queue);
  const peeked = await receiver.peekMessages(10);
  expect(peeked.map((p) => [p.body as unknown, p.state])).toEqual([
    ['on time', 'scheduled'],
    ['cancelled', 'scheduled'],
  ]);
  expect(peeked[0]?.scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
  await sender.cancelScheduledMessages([cancelled!]);
  expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 })).toHaveLength(0);

  const got = await receiveAtLeast(receiver, 1, 8000);
  expect(got.map((m) => m.body as unknown)).toEqual(['on time']);
  expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 })).toHaveLength(0);
  expect(got[0]!.enqueuedTimeUtc!.getTime()).toBeGreaterThanOrEqual(at.getTime() - 1000);
  expect(got[0]!.sequenceNumber!.toNumber()).toBe(kept!.toNumber());
  await receiver.completeMessage(got[0]!);
  await sender.close();
  await receiver.close();
});

test('a message sent with scheduledEnqueueTimeUtc is held like a scheduled one', async () => {
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'later', scheduledEnqueueTimeUtc: new Date(Date.now() + 1500) });
  await sender.close();
  const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
  expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toHaveLength(0);
  const [m] = await receiveAtLeast(receiver, 1, 6000);
  expect(m?.body).toBe('later');
  await receiver.close();
});

test('a message whose time to live passes goes to the DLQ with TTLExpiredException', async () => {
  const id = uniqueId('ttl');
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'stale', messageId: id, timeToLive: 1000 });
  await sender.close();
  await sleep(1500);
  const receiver = client.createReceiver(queue);
  expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 })).toHaveLength(0);
  await receiver.close();
  const dlq = client.createReceiver(queue, { subQueueType: 'deadLetter' });
  const [dead] = await receiveAtLeast(dlq, 1, 15_000);
  expect(dead?.messageId).toBe(id);
  expect(dead?.deadLetterReason).toBe('TTLExpiredException');
  await dlq.completeMessage(dead!);
  await dlq.close();
});
