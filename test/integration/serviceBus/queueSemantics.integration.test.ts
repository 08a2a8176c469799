import { ServiceBusClient, type ServiceBusMessage, type ServiceBusReceivedMessage } from '@azure/service-bus';

import { QUEUES } from '../../../shared/config/queues';
import {
  ConformanceQueues,
  type ConformanceTarget,
  errorCode,
  openConformanceTarget,
  purge,
  receiveAtLeast,
  uniqueId,
} from './conformanceTarget';

/** Queue semantics through the public @azure/service-bus API: emulator by default, Azure on request. */

// testTimeout is a global jest option, ignored inside a project; these tests wait on real timers.
jest.setTimeout(30_000);

const queue = ConformanceQueues.basic;
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

async function sendOne(message: ServiceBusMessage): Promise<void> {
  const sender = client.createSender(queue);
  try {
    await sender.sendMessages(message);
  } finally {
    await sender.close();
  }
}

describe('the topology', () => {
  test.each(QUEUES.map((q) => [q.name, q.requiresSession] as const))(
    'queue %s accepts a message and delivers it (sessions: %s)',
    async (name, requiresSession) => {
      const sessionId = requiresSession ? uniqueId('topology') : undefined;
      const marker = uniqueId('topology-msg');
      const sender = client.createSender(name);
      await sender.sendMessages({ body: marker, messageId: marker, ...(sessionId ? { sessionId } : {}) });
      await sender.close();
      const receiver =
        sessionId === undefined ? client.createReceiver(name) : await client.acceptSession(name, sessionId);
      const received: ServiceBusReceivedMessage[] = [];
      // A real namespace may hold older messages on the shared queues; look for ours.
      for (let i = 0; i < 20 && !received.some((m) => m.messageId === marker); i++) {
        const batch = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
        for (const m of batch) {
          received.push(m);
          if (m.messageId === marker) await receiver.completeMessage(m);
          else await receiver.abandonMessage(m);
        }
      }
      await receiver.close();
      expect(received.find((m) => m.messageId === marker)?.body).toBe(marker);
    },
  );
});

describe('messages', () => {
  test('every message property the SDK exposes round-trips', async () => {
    const sent = {
      body: { order: 42, lines: ['a', 'b'], nested: { ok: true } },
      messageId: uniqueId('props'),
      correlationId: 'corr-1',
      subject: 'record.updated',
      contentType: 'application/json',
      to: 'someone',
      replyTo: 'reply-queue',
      replyToSessionId: 'reply-session',
      timeToLive: 30 * 60 * 1000,
      applicationProperties: { tenantId: 't-1', attempt: 3, flag: true, ratio: 0.5 },
    } satisfies ServiceBusMessage;
    const before = Date.now();
    await sendOne(sent);

    const receiver = client.createReceiver(queue);
    const [m] = await receiveAtLeast(receiver, 1);
    expect(m).toBeDefined();
    const got = m!;
    expect(got.body).toEqual(sent.body);
    expect(got.messageId).toBe(sent.messageId);
    expect(got.correlationId).toBe(sent.correlationId);
    expect(got.subject).toBe(sent.subject);
    expect(got.contentType).toBe(sent.contentType);
    expect(got.to).toBe(sent.to);
    expect(got.replyTo).toBe(sent.replyTo);
    expect(got.replyToSessionId).toBe(sent.replyToSessionId);
    expect(got.timeToLive).toBe(sent.timeToLive);
    expect(got.applicationProperties).toEqual(sent.applicationProperties);
    expect(got.deliveryCount).toBe(0);
    expect(got.state).toBe('active');
    expect(got.sequenceNumber!.toNumber()).toBeGreaterThan(0);
    expect(got.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    const enqueued = got.enqueuedTimeUtc!.getTime();
    expect(enqueued).toBeGreaterThanOrEqual(before - 5000);
    expect(enqueued).toBeLessThanOrEqual(Date.now() + 5000);
    expect(got.expiresAtUtc!.getTime()).toBe(enqueued + sent.timeToLive);
    expect(got.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
    await receiver.completeMessage(got);
    await receiver.close();
  });

  test('string, binary and array bodies keep their type', async () => {
    const sender = client.createSender(queue);
    await sender.sendMessages([
      { body: 'plain text' },
      { body: Buffer.from([0, 1, 2, 255]) },
      { body: [1, 'two', 3] },
    ]);
    await sender.close();
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got = await receiveAtLeast(receiver, 3);
    await receiver.close();
    expect(got.map((m) => m.body as unknown)).toEqual([
      'plain text',
      Buffer.from([0, 1, 2, 255]),
      [1, 'two', 3],
    ]);
  });

  test('a session id on a message to a session-less queue is just a property', async () => {
    await sendOne({ body: 'grouped', sessionId: 'not-a-session-queue' });
    const receiver = client.createReceiver(queue);
    const [m] = await receiveAtLeast(receiver, 1);
    expect(m?.body).toBe('grouped');
    expect(m?.sessionId).toBe('not-a-session-queue');
    await receiver.completeMessage(m!);
    await receiver.close();
  });

  test('a batch arrives whole and in order, with increasing sequence numbers', async () => {
    const sender = client.createSender(queue);
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 20; i++) expect(batch.tryAddMessage({ body: i })).toBe(true);
    await sender.sendMessages(batch);
    await sender.close();
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got = await receiveAtLeast(receiver, 20);
    await receiver.close();
    expect(got.map((m) => m.body as unknown)).toEqual([...Array(20).keys()]);
    const seqs = got.map((m) => m.sequenceNumber!.toNumber());
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(20);
  });
});

describe('settlement', () => {
  test('complete removes the message; abandon redelivers it with deliveryCount + 1', async () => {
    const id = uniqueId('abandon');
    await sendOne({ body: 'x', messageId: id });
    const receiver = client.createReceiver(queue);
    const [first] = await receiveAtLeast(receiver, 1);
    expect(first?.deliveryCount).toBe(0);
    await receiver.abandonMessage(first!);
    const [second] = await receiveAtLeast(receiver, 1);
    expect(second?.messageId).toBe(id);
    expect(second?.deliveryCount).toBe(1);
    expect(second?.sequenceNumber!.toNumber()).toBe(first!.sequenceNumber!.toNumber());
    await receiver.completeMessage(second!);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toHaveLength(0);
    await receiver.close();
  });

  test('a message abandoned maxDeliveryCount times is in the DLQ with MaxDeliveryCountExceeded', async () => {
    const id = uniqueId('poison');
    await sendOne({ body: 'poison', messageId: id });
    const receiver = client.createReceiver(queue);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const [m] = await receiveAtLeast(receiver, 1);
      expect(m?.messageId).toBe(id);
      counts.push(m!.deliveryCount!);
      await receiver.abandonMessage(m!);
    }
    expect(counts).toEqual([0, 1, 2]);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toHaveLength(0);
    await receiver.close();

    const dlq = client.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await receiveAtLeast(dlq, 1);
    expect(dead?.messageId).toBe(id);
    expect(dead?.body).toBe('poison');
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead?.deadLetterErrorDescription).toEqual(expect.stringContaining('3'));
    await dlq.completeMessage(dead!);
    await dlq.close();
  });

  test('deadLetterMessage keeps the reason, description and the original properties', async () => {
    const id = uniqueId('dead');
    await sendOne({ body: { n: 1 }, messageId: id, applicationProperties: { tenantId: 't-9' } });
    const receiver = client.createReceiver(queue);
    const [m] = await receiveAtLeast(receiver, 1);
    await receiver.deadLetterMessage(m!, {
      deadLetterReason: 'InvalidPayload',
      deadLetterErrorDescription: 'missing id',
    });
    await receiver.close();
    const dlq = client.createReceiver(queue, { subQueueType: 'deadLetter' });
    const [dead] = await receiveAtLeast(dlq, 1);
    expect(dead?.messageId).toBe(id);
    expect(dead?.body).toEqual({ n: 1 });
    expect(dead?.deadLetterReason).toBe('InvalidPayload');
    expect(dead?.deadLetterErrorDescription).toBe('missing id');
    expect(dead?.applicationProperties?.['tenantId']).toBe('t-9');
    await dlq.completeMessage(dead!);
    await dlq.close();
  });

  test('a settled message cannot be settled twice', async () => {
    await sendOne({ body: 'once' });
    const receiver = client.createReceiver(queue);
    const [m] = await receiveAtLeast(receiver, 1);
    await receiver.completeMessage(m!);
    await expect(receiver.completeMessage(m!)).rejects.toThrow();
    await receiver.close();
  });

  test('a deferred message is only reachable by sequence number and can then be completed', async () => {
    const id = uniqueId('defer');
    await sendOne({ body: 'later', messageId: id });
    const receiver = client.createReceiver(queue);
    const [m] = await receiveAtLeast(receiver, 1);
    const seq = m!.sequenceNumber!;
    await receiver.deferMessage(m!);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 })).toHaveLength(0);
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((p) => [p.messageId, p.state])).toEqual([[id, 'deferred']]);

    const [deferred] = await receiver.receiveDeferredMessages([seq]);
    expect(deferred?.messageId).toBe(id);
    expect(deferred?.body).toBe('later');
    expect(deferred?.state).toBe('deferred');
    expect(deferred?.lockToken).toBeDefined();
    await receiver.completeMessage(deferred!);
    expect(await errorCode(receiver.receiveDeferredMessages([seq]))).toBe('MessageNotFound');
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  test('receive-and-delete hands the message out once, without a lock', async () => {
    await sendOne({ body: 'rad' });
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const [m] = await receiveAtLeast(receiver, 1);
    expect(m?.body).toBe('rad');
    expect(m?.lockToken).toBeUndefined();
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  test('peek shows messages in order without locking them', async () => {
    const sender = client.createSender(queue);
    await sender.sendMessages([{ body: 'p1' }, { body: 'p2' }, { body: 'p3' }]);
    await sender.close();
    const receiver = client.createReceiver(queue);
    const peeked = await receiver.peekMessages(3);
    expect(peeked.map((m) => m.body as unknown)).toEqual(['p1', 'p2', 'p3']);
    expect(peeked.every((m) => m.lockToken === undefined)).toBe(true);
    const next = await receiver.peekMessages(3);
    expect(next).toHaveLength(0);
    const fromStart = await receiver.peekMessages(2, { fromSequenceNumber: peeked[1]!.sequenceNumber! });
    expect(fromStart.map((m) => m.body as unknown)).toEqual(['p2', 'p3']);
    const received = await receiveAtLeast(receiver, 3);
    expect(received.map((m) => m.body as unknown)).toEqual(['p1', 'p2', 'p3']);
    for (const m of received) await receiver.completeMessage(m);
    await receiver.close();
  });

  test('the same messageId sent twice inside the duplicate-detection window is delivered once', async () => {
    const id = uniqueId('dup');
    await sendOne({ body: 'first', messageId: id });
    await sendOne({ body: 'second', messageId: id });
    await sendOne({ body: 'other', messageId: `${id}-b` });
    const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got = await receiveAtLeast(receiver, 3, 1000);
    await receiver.close();
    expect(got.map((m) => m.body as unknown)).toEqual(['first', 'other']);
  });

  test('subscribe() completes handled messages and redelivers failures until they are dead-lettered', async () => {
    const sender = client.createSender(queue);
    await sender.sendMessages([
      { body: 'ok', messageId: uniqueId('ok') },
      { body: 'boom', messageId: uniqueId('boom') },
    ]);
    await sender.close();
    const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      const sub = receiver.subscribe(
        {
          processMessage: async (m) => {
            seen.push(`${String(m.body)}#${m.deliveryCount}`);
            if (seen.filter((s) => s.startsWith('boom')).length === 3) {
              setImmediate(() => {
                void sub.close().then(resolve);
              });
            }
            if (m.body === 'boom') throw new Error('handler failed');
            return Promise.resolve();
          },
          processError: () => Promise.resolve(),
        },
        { maxConcurrentCalls: 1 },
      );
    });
    await done;
    await receiver.close();
    expect(seen).toEqual(expect.arrayContaining(['ok#0', 'boom#0', 'boom#1', 'boom#2']));
    expect(await client.createReceiver(queue).peekMessages(10)).toHaveLength(0);
    const dlq = client.createReceiver(queue, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    const [dead] = await receiveAtLeast(dlq, 1);
    expect(dead?.body).toBe('boom');
    expect(dead?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    await dlq.close();
  });
});

describe('errors the SDK reports with the right code', () => {
  test('a wrong SAS key is UnauthorizedAccess', async () => {
    const badKey = target.connectionString.replace(/SharedAccessKey=[^;]+/, 'SharedAccessKey=d3Jvbmcta2V5');
    const wrong = new ServiceBusClient(badKey, { retryOptions: { maxRetries: 0 } });
    try {
      const sender = wrong.createSender(queue);
      expect(await errorCode(sender.sendMessages({ body: 'x' }))).toBe('UnauthorizedAccess');
    } finally {
      await wrong.close();
    }
  });

  test('an unknown queue is MessagingEntityNotFound, for senders and receivers', async () => {
    const c = target.client({ retryOptions: { maxRetries: 0 } });
    const sender = c.createSender('no-such-queue');
    expect(await errorCode(sender.sendMessages({ body: 'x' }))).toBe('MessagingEntityNotFound');
    const receiver = c.createReceiver('no-such-queue');
    expect(await errorCode(receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 }))).toBe(
      'MessagingEntityNotFound',
    );
  });

  test('a message over the size limit is MessageSizeExceeded and is not enqueued', async () => {
    const c = target.client({ retryOptions: { maxRetries: 0 } });
    const sender = c.createSender(queue);
    const big = Buffer.alloc(300 * 1024, 7);
    expect(await errorCode(sender.sendMessages({ body: big }))).toBe('MessageSizeExceeded');
    await sender.sendMessages({ body: 'small' });
    const receiver = c.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
    const got = await receiveAtLeast(receiver, 2, 1000);
    expect(got.map((m) => m.body as unknown)).toEqual(['small']);
  });
});
