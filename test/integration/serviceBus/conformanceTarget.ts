import {
  isServiceBusError,
  ServiceBusClient,
  type ServiceBusClientOptions,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';

import { startServiceBusEmulator } from '../../../infra/local/serviceBus';
import { type QueueDefinition, QUEUES } from '../../../shared/config/queues';

/**
 * Where the conformance suite runs: the emulator (default, in memory) or, when
 * SERVICEBUS_CONFORMANCE_CONNECTION is set, a real namespace holding the topology's queues plus
 * CONFORMANCE_QUEUES (see docs/SERVICEBUS_EMULATOR.md). The tests only use the public SDK API.
 */

const MINUTE = 60;

/** Azure's minimum lock duration is 5 s; the lock-expiry tests wait it out. */
const testQueue = {
  maxDeliveryCount: 3,
  lockDurationSeconds: 5,
  defaultMessageTimeToLiveSeconds: 60 * MINUTE,
  deadLetteringOnMessageExpiration: true,
  duplicateDetectionWindowSeconds: MINUTE,
  maxMessageSizeKb: 256,
} as const;

export const ConformanceQueues = {
  basic: 'conformance-basic',
  timing: 'conformance-timing',
  sessions: 'conformance-sessions',
} as const;

export const CONFORMANCE_QUEUES: readonly QueueDefinition[] = [
  { name: ConformanceQueues.basic, requiresSession: false, ...testQueue },
  { name: ConformanceQueues.timing, requiresSession: false, ...testQueue },
  { name: ConformanceQueues.sessions, requiresSession: true, ...testQueue },
];

export interface ConformanceTarget {
  readonly connectionString: string;
  readonly againstAzure: boolean;
  client(options?: ServiceBusClientOptions): ServiceBusClient;
  close(): Promise<void>;
}

export async function openConformanceTarget(): Promise<ConformanceTarget> {
  const external = process.env['SERVICEBUS_CONFORMANCE_CONNECTION'];
  const emulator =
    external === undefined || external === ''
      ? await startServiceBusEmulator({ queues: [...QUEUES, ...CONFORMANCE_QUEUES] })
      : undefined;
  const connectionString = emulator?.connectionString ?? external ?? '';
  const clients: ServiceBusClient[] = [];
  return {
    connectionString,
    againstAzure: emulator === undefined,
    client(options?: ServiceBusClientOptions): ServiceBusClient {
      const c = new ServiceBusClient(connectionString, options);
      clients.push(c);
      return c;
    },
    async close(): Promise<void> {
      await Promise.all(clients.map((c) => c.close()));
      await emulator?.stop();
    },
  };
}

/** Empties a queue (or its DLQ) so each test starts from a known state. */
export async function purge(client: ServiceBusClient, queue: string, deadLetter = false): Promise<void> {
  const sub = deadLetter ? { subQueueType: 'deadLetter' as const } : {};
  const peeker = client.createReceiver(queue, sub);
  const leftovers = await peeker.peekMessages(1);
  await peeker.close();
  // Deferred and scheduled messages are not receivable, so an empty peek is the cheap common case.
  if (leftovers.length === 0) return;
  const receiver = client.createReceiver(queue, { receiveMode: 'receiveAndDelete', ...sub });
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: 300 });
      if (batch.length === 0) return;
    }
  } finally {
    await receiver.close();
  }
}

/** Receives until `count` messages arrived or `timeoutMs` passed. */
export async function receiveAtLeast(
  receiver: ServiceBusReceiver,
  count: number,
  timeoutMs = 10_000,
): Promise<ServiceBusReceivedMessage[]> {
  const out: ServiceBusReceivedMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const batch = await receiver.receiveMessages(count - out.length, {
      maxWaitTimeInMs: Math.max(100, Math.min(2000, deadline - Date.now())),
    });
    out.push(...batch);
  }
  return out;
}

/** The ServiceBusError code a promise rejected with, or 'resolved'. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isServiceBusError(err) ? err.code : `not a ServiceBusError: ${String(err)}`;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
