import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ServiceBusClient } from '@azure/service-bus';

import { startServiceBusEmulator } from '../../../infra/local/serviceBus';
import { QUEUES } from '../../../shared/config/queues';
import { CONFORMANCE_QUEUES, ConformanceQueues, receiveAtLeast } from './conformanceTarget';

/**
 * Emulator-only: `npm start` keeps messages across restarts. This is a property of the local
 * stack, not of Service Bus, so it never runs against a real namespace.
 */

// testTimeout is a global jest option, ignored inside a project; these tests wait on real timers.
jest.setTimeout(30_000);

const queues = [...QUEUES, ...CONFORMANCE_QUEUES];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-emulator-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('unsettled, scheduled and dead-lettered messages and session state survive a restart', async () => {
  const first = await startServiceBusEmulator({ queues, persistDir: dir });
  const c1 = new ServiceBusClient(first.connectionString);
  const sender = c1.createSender(ConformanceQueues.basic);
  await sender.sendMessages([
    { body: 'locked', messageId: 'm-locked' },
    { body: 'waiting' },
    { body: 'done' },
  ]);
  const [scheduledSeq] = await sender.scheduleMessages(
    { body: 'next hour' },
    new Date(Date.now() + 3_600_000),
  );
  await sender.sendMessages({ body: 'to dlq' });
  const receiver = c1.createReceiver(ConformanceQueues.basic);
  const got = await receiveAtLeast(receiver, 4);
  expect(got.map((m) => m.body as unknown)).toEqual(['locked', 'waiting', 'done', 'to dlq']);
  await receiver.abandonMessage(got[0]!);
  await receiver.completeMessage(got[2]!);
  await receiver.deadLetterMessage(got[3]!, { deadLetterReason: 'Bad', deadLetterErrorDescription: 'kept' });
  // got[1] stays locked and unsettled when the emulator stops.
  const session = await c1.acceptSession(ConformanceQueues.sessions, 'persisted-session');
  await session.setSessionState('cursor-9');
  await session.close();
  await c1.close();
  await first.stop();

  const second = await startServiceBusEmulator({ queues, persistDir: dir });
  const c2 = new ServiceBusClient(second.connectionString);
  try {
    const r2 = c2.createReceiver(ConformanceQueues.basic);
    const peeked = await r2.peekMessages(10);
    expect(peeked.map((m) => [m.body as unknown, m.state])).toEqual([
      ['locked', 'active'],
      ['waiting', 'active'],
      ['next hour', 'scheduled'],
    ]);
    const again = await receiveAtLeast(r2, 2);
    expect(again.map((m) => [m.body as unknown, m.deliveryCount])).toEqual([
      ['locked', 1],
      ['waiting', 0],
    ]);
    expect(again[0]?.messageId).toBe('m-locked');
    for (const m of again) await r2.completeMessage(m);
    await c2.createSender(ConformanceQueues.basic).cancelScheduledMessages([scheduledSeq!]);
    expect(await r2.peekMessages(10)).toHaveLength(0);

    // New messages continue the sequence instead of reusing numbers.
    await c2.createSender(ConformanceQueues.basic).sendMessages({ body: 'after restart' });
    const [fresh] = await receiveAtLeast(r2, 1);
    expect(fresh!.sequenceNumber!.toNumber()).toBeGreaterThan(scheduledSeq!.toNumber());
    await r2.completeMessage(fresh!);

    const dlq = c2.createReceiver(ConformanceQueues.basic, { subQueueType: 'deadLetter' });
    const [dead] = await receiveAtLeast(dlq, 1);
    expect([dead?.body, dead?.deadLetterReason, dead?.deadLetterErrorDescription]).toEqual([
      'to dlq',
      'Bad',
      'kept',
    ]);
    await dlq.completeMessage(dead!);

    const s2 = await c2.acceptSession(ConformanceQueues.sessions, 'persisted-session');
    expect(await s2.getSessionState()).toBe('cursor-9');
    await s2.close();
  } finally {
    await c2.close();
    await second.stop();
  }

  // What was settled before the second stop stays settled after a third start.
  const third = await startServiceBusEmulator({ queues, persistDir: dir });
  const c3 = new ServiceBusClient(third.connectionString);
  try {
    expect(await c3.createReceiver(ConformanceQueues.basic).peekMessages(10)).toHaveLength(0);
  } finally {
    await c3.close();
    await third.stop();
  }
});

test('an in-memory emulator starts empty every time', async () => {
  const a = await startServiceBusEmulator({ queues });
  const ca = new ServiceBusClient(a.connectionString);
  await ca.createSender(ConformanceQueues.basic).sendMessages({ body: 'gone' });
  await ca.close();
  await a.stop();
  const b = await startServiceBusEmulator({ queues });
  const cb = new ServiceBusClient(b.connectionString);
  try {
    expect(await cb.createReceiver(ConformanceQueues.basic).peekMessages(10)).toHaveLength(0);
  } finally {
    await cb.close();
    await b.stop();
  }
});

test('the journal alone restores state when the emulator did not stop cleanly', async () => {
  const crashDir = await mkdtemp(join(tmpdir(), 'sb-emulator-crash-'));
  const crashed = await startServiceBusEmulator({ queues, persistDir: crashDir });
  const c1 = new ServiceBusClient(crashed.connectionString);
  try {
    await c1.createSender(ConformanceQueues.basic).sendMessages([{ body: 'kept' }, { body: 'completed' }]);
    const r1 = c1.createReceiver(ConformanceQueues.basic);
    const got = await receiveAtLeast(r1, 2);
    await r1.completeMessage(got[1]!);
    // Give the journal its write; then read the directory as a fresh process would after a crash.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reader = await startServiceBusEmulator({ queues, persistDir: crashDir });
    const c2 = new ServiceBusClient(reader.connectionString);
    try {
      const peeked = await c2.createReceiver(ConformanceQueues.basic).peekMessages(10);
      expect(peeked.map((m) => m.body as unknown)).toEqual(['kept']);
    } finally {
      await c2.close();
      await reader.stop();
    }
  } finally {
    await c1.close();
    await crashed.stop();
    await rm(crashDir, { recursive: true, force: true });
  }
});
