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

test('an expired lock redelivers the message and a late complete fails with MessageLockLost', async () => {
  const id = uniqueId('expire');
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'slow', messageId: id });
  await sender.close();
  const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
  const [first] = await receiveAtLeast(receiver, 1);
  expect(first?.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now() + LOCK_MS - 2000);

  const other = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
  expect(await other.receiveMessages(1, { maxWaitTimeInMs: 1000 })).toHaveLength(0);
  const [second] = await receiveAtLeast(other, 1, LOCK_MS + 5000);
  expect(second?.messageId).toBe(id);
  expect(second?.deliveryCount).toBe(1);

  expect(await errorCode(receiver.completeMessage(first!))).toBe('MessageLockLost');
  await other.completeMessage(second!);
  await receiver.close();
  await other.close();
});

test('renewing the lock keeps the message locked past its lock duration', async () => {
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'renewed' });
  await sender.close();
  const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
  const [m] = await receiveAtLeast(receiver, 1);
  const firstUntil = m!.lockedUntilUtc!.getTime();
  for (let i = 0; i < 2; i++) {
    await sleep(3000);
    const until = await receiver.renewMessageLock(m!);
    expect(until.getTime()).toBeGreaterThan(firstUntil);
  }
  // 6 s after receipt, past the 5 s lock: nobody else got it and the complete still works.
  expect(await client.createReceiver(queue).peekMessages(1)).toHaveLength(1);
  await receiver.completeMessage(m!);
  expect(await client.createReceiver(queue).peekMessages(1)).toHaveLength(0);
  await receiver.close();
});

test("the SDK's auto lock renewal holds a message through slow processing", async () => {
  const sender = client.createSender(queue);
  await sender.sendMessages({ body: 'auto' });
  await sender.close();
  const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 30_000 });
  const [m] = await receiveAtLeast(receiver, 1);
  await sleep(LOCK_MS + 1000);
  await receiver.completeMessage(m!);
  const again = client.createReceiver(queue);
  expect(await again.receiveMessages(1, { maxWaitTimeInMs: 500 })).toHaveLength(0);
  await receiver.close();
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
