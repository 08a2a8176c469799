import { join } from 'node:path';

import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';

import { type ServiceBusEmulator, startServiceBusEmulator } from '../../../infra/local/serviceBus';
import type { QueueDefinition } from '../../../shared/config/queues';
import { type Recorded, recorder } from '../../fixtures/hostApp/recorder';
import { type LocalHost, startLocalHost } from '../../support/localHost';

const appEntry = join(__dirname, '../../fixtures/hostApp/index.ts');
const hostJsonPath = join(__dirname, '../../../host.json');

const MAX_DELIVERY = 3;
const queue = (name: string, requiresSession: boolean, maxDeliveryCount = 10): QueueDefinition => ({
  name,
  requiresSession,
  maxDeliveryCount,
  lockDurationSeconds: 30,
  defaultMessageTimeToLiveSeconds: 3600,
  deadLetteringOnMessageExpiration: true,
  duplicateDetectionWindowSeconds: 0,
  maxMessageSizeKb: 256,
});
const QUEUE_DEFS = [
  queue('host-plain', false),
  queue('host-sessions', true),
  queue('host-poison', false, MAX_DELIVERY),
  queue('host-dlq', false),
];

let emulator: ServiceBusEmulator;
let client: ServiceBusClient;
let host: LocalHost;
let output = '';
/** Servers open before the host started (the emulator's; the stack's when jest runs in band). */
let serversBefore = 0;
const openServers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

async function waitFor<T>(
  read: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function send(queueName: string, messages: ServiceBusMessage[]): Promise<void> {
  const sender = client.createSender(queueName);
  try {
    await sender.sendMessages(messages);
  } finally {
    await sender.close();
  }
}

async function peekCount(queueName: string, subQueueType?: 'deadLetter'): Promise<number> {
  const receiver = client.createReceiver(queueName, subQueueType ? { subQueueType } : {});
  try {
    return (await receiver.peekMessages(100)).length;
  } finally {
    await receiver.close();
  }
}

beforeAll(async () => {
  recorder.reset();
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  emulator = await startServiceBusEmulator({ queues: QUEUE_DEFS });
  client = new ServiceBusClient(emulator.connectionString);
  serversBefore = openServers();
  host = await startLocalHost({
    appEntry,
    hostJsonPath,
    port: 0,
    logFormat: 'json',
    enableTimers: false,
    settings: {
      HostAppServiceBus: emulator.connectionString,
      HOSTAPP_PLAIN_QUEUE: 'host-plain',
      HOSTAPP_SESSION_QUEUE: 'host-sessions',
      HOSTAPP_POISON_QUEUE: 'host-poison',
      HOSTAPP_DLQ_QUEUE: 'host-dlq',
    },
  });
});

afterAll(async () => {
  await host.stop();
  await client.close();
  await emulator.stop();
  jest.restoreAllMocks();
});

describe('Service Bus triggers on the local host', () => {
  it('delivers the body and the trigger metadata the Functions host gives, then completes the message', async () => {
    await send('host-plain', [
      {
        body: { hello: 'world' },
        messageId: 'msg-1',
        correlationId: 'corr-sb-1',
        contentType: 'application/json',
        subject: 'greeting',
        applicationProperties: { tenantId: 't-1', attempt: 2 },
      },
      { body: 'just text', messageId: 'msg-2' },
    ]);
    const seen = await waitFor(
      () => {
        const got = recorder.of('PlainQueue');
        return got.length >= 2 ? got : undefined;
      },
      10_000,
      'two plain messages',
    );
    const first = seen.find((r) => r.triggerMetadata?.['messageId'] === 'msg-1');
    expect(first?.input).toEqual({ hello: 'world' });
    expect(first?.triggerMetadata).toMatchObject({
      messageId: 'msg-1',
      correlationId: 'corr-sb-1',
      contentType: 'application/json',
      subject: 'greeting',
      label: 'greeting',
      deliveryCount: 1,
      applicationProperties: { tenantId: 't-1', attempt: 2 },
      userProperties: { tenantId: 't-1', attempt: 2 },
      lockToken: expect.any(String) as unknown,
      sequenceNumber: expect.any(Number) as unknown,
      enqueuedTimeUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      expiresAtUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
    });
    expect(seen.find((r) => r.triggerMetadata?.['messageId'] === 'msg-2')?.input).toBe('just text');

    await waitFor(
      () => (output.includes('"correlationId":"corr-sb-1"') ? true : undefined),
      5000,
      'the invocation log line',
    );
    const line = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r['msg'] === 'invocation' && r['correlationId'] === 'corr-sb-1');
    expect(line).toMatchObject({
      function: 'PlainQueue',
      trigger: 'serviceBus',
      outcome: 'ok',
      detail: 'host-plain deliveryCount=1 completed',
    });
    expect(output).not.toContain('world');
    expect(await peekCount('host-plain')).toBe(0);
  });

  it('abandons when the handler throws, so the broker retries it up to maxDeliveryCount and dead-letters it', async () => {
    await send('host-poison', [{ body: { poison: true }, messageId: 'poison-1' }]);
    const attempts = await waitFor(
      () => {
        const got = recorder.of('AlwaysThrows');
        return got.length >= MAX_DELIVERY ? got : undefined;
      },
      15_000,
      'the poison message retries',
    );
    expect(attempts.map((a) => a.triggerMetadata?.['deliveryCount'])).toEqual([1, 2, 3]);

    const dlq = client.createReceiver('host-poison', { subQueueType: 'deadLetter' });
    try {
      const deadLettered = await waitFor(
        async () => (await dlq.peekMessages(1))[0],
        5000,
        'the dead-lettered message',
      );
      expect(deadLettered.messageId).toBe('poison-1');
      expect(deadLettered.deadLetterReason).toBe('MaxDeliveryCountExceeded');
      expect(deadLettered.deliveryCount).toBe(MAX_DELIVERY);
    } finally {
      await dlq.close();
    }
    // No fourth attempt: the message left the queue.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorder.of('AlwaysThrows')).toHaveLength(MAX_DELIVERY);
    expect(await peekCount('host-poison')).toBe(0);
  });

  it('runs a trigger on a queue/$deadletterqueue sub-queue', async () => {
    await send('host-dlq', [{ body: 'to be dead-lettered', messageId: 'dl-1' }]);
    const receiver = client.createReceiver('host-dlq');
    try {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
      if (!message) throw new Error('no message to dead-letter');
      await receiver.deadLetterMessage(message, {
        deadLetterReason: 'Manual',
        deadLetterErrorDescription: 'test',
      });
    } finally {
      await receiver.close();
    }
    const [seen] = await waitFor(
      () => {
        const got = recorder.of('PoisonDeadLetters');
        return got.length > 0 ? got : undefined;
      },
      10_000,
      'the dead-letter trigger',
    );
    expect(seen?.input).toBe('to be dead-lettered');
    expect(seen?.triggerMetadata).toMatchObject({
      messageId: 'dl-1',
      // The library camel-cases metadata keys all the way down, as in Azure.
      applicationProperties: { deadLetterReason: 'Manual', deadLetterErrorDescription: 'test' },
    });
  });

  it("processes each session's messages in order while sessions run concurrently", async () => {
    recorder.sessionDelayMs = 20;
    const sessions = ['alpha', 'beta', 'gamma'];
    const perSession = 12;
    const messages: ServiceBusMessage[] = [];
    for (let i = 0; i < perSession; i += 1) {
      for (const sessionId of sessions) messages.push({ body: { sessionId, seq: i }, sessionId });
    }
    await send('host-sessions', messages);

    const seen = await waitFor(
      () => {
        const got = recorder.of('SessionQueue');
        return got.length >= messages.length ? got : undefined;
      },
      20_000,
      'all session messages',
    );
    recorder.sessionDelayMs = 0;

    const spans: { first: number; last: number }[] = [];
    for (const sessionId of sessions) {
      const mine: Recorded[] = seen.filter((r) => r.triggerMetadata?.['sessionId'] === sessionId);
      expect(mine.map((r) => (r.input as { seq: number }).seq)).toEqual([...Array(perSession).keys()]);
      expect(mine.every((r) => (r.input as { sessionId: string }).sessionId === sessionId)).toBe(true);
      // One at a time within a session: each message starts after the previous one finished.
      mine.slice(1).forEach((r, i) => {
        const previous = mine[i];
        expect(r.at).toBeGreaterThanOrEqual(recorder.finishedAt(previous?.invocationId ?? '') ?? Infinity);
      });
      spans.push({ first: mine[0]?.at ?? 0, last: mine.at(-1)?.at ?? 0 });
    }
    // Run one after the other, the sessions' spans would not overlap.
    const overlapping = spans.filter((a, i) =>
      spans.some((b, j) => i !== j && a.first < b.last && b.first < a.last),
    );
    expect(overlapping.length).toBeGreaterThanOrEqual(2);
    expect(await peekCount('host-sessions')).toBe(0);
  });
});

describe('stopping the host', () => {
  it('lets an in-flight message finish and settle, then closes receivers', async () => {
    recorder.sessionDelayMs = 400;
    const before = recorder.of('SessionQueue').length;
    await send('host-sessions', [{ body: { sessionId: 'late', seq: 0 }, sessionId: 'late' }]);
    const inFlight = await waitFor(
      () => recorder.of('SessionQueue')[before],
      10_000,
      'the in-flight message',
    );
    const started = Date.now();
    await host.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(recorder.finishedAt(inFlight.invocationId)).toBeDefined();
    expect(recorder.lifecycle).toContain('appTerminate');
    // Completed before the link closed: nothing left to redeliver.
    expect(await peekCount('host-sessions')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(openServers()).toBeLessThanOrEqual(serversBefore);
  });
});
