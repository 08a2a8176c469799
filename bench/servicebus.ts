import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import {
  type ServiceBusClient as Client,
  ServiceBusClient,
  type ServiceBusMessage,
} from '@azure/service-bus';

import type { QueueDefinition } from '../shared/config/queues';

/**
 * Service Bus emulator throughput through the real @azure/service-bus SDK:
 *  - send: single-message sendMessages calls, 64 in flight;
 *  - receive+complete on one session-less queue: one subscribe() receiver, 64 concurrent calls,
 *    explicit completeMessage per message;
 *  - receive+complete over 16 sessions: 16 acceptNextSession receivers, one message at a time
 *    each (the in-order pattern sync-outbound uses);
 *  - the bare loopback TCP round-trip rate (1-byte ping-pong) measured in the same run, for scale.
 * The emulator runs in its own process, as it does beside the Functions host.
 * Usage: npm run bench -- servicebus [messageCount]
 */

const QUEUE = 'bench-queue';
const SESSION_QUEUE = 'bench-sessions';
const SESSIONS = 16;
const IN_FLIGHT = 64;

const benchQueue = {
  maxDeliveryCount: 10,
  lockDurationSeconds: 60,
  defaultMessageTimeToLiveSeconds: 24 * 60 * 60,
  deadLetteringOnMessageExpiration: true,
  duplicateDetectionWindowSeconds: 0,
  maxMessageSizeKb: 256,
} as const;

const QUEUES: QueueDefinition[] = [
  { name: QUEUE, requiresSession: false, ...benchQueue },
  { name: SESSION_QUEUE, requiresSession: true, ...benchQueue },
];

/** A message shaped like the app's envelopes (~300 bytes). */
function envelope(i: number, sessionId?: string): ServiceBusMessage {
  return {
    body: {
      v: 1,
      kind: 'record.changed',
      tenantId: 'tenant-bench',
      integrationId: 'integration-bench',
      correlationId: `corr-${i}`,
      idempotencyKey: `idem-${i}`,
      payload: {
        resourceType: 'contact',
        id: `c-${i}`,
        fields: { name: 'Ada Lovelace', email: 'ada@example.com' },
      },
    },
    contentType: 'application/json',
    applicationProperties: { tenantId: 'tenant-bench' },
    ...(sessionId === undefined ? {} : { sessionId }),
  };
}

async function tcpRoundTripsPerSecond(durationMs: number): Promise<number> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (d) => socket.write(d));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const socket: Socket = createConnection(address.port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  let count = 0;
  const started = process.hrtime.bigint();
  const end = started + BigInt(durationMs) * 1_000_000n;
  await new Promise<void>((resolve) => {
    socket.on('data', () => {
      count++;
      if (process.hrtime.bigint() >= end) resolve();
      else socket.write('x');
    });
    socket.write('x');
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  socket.destroy();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return count / seconds;
}

interface RunningEmulator {
  readonly connectionString: string;
  stop(): Promise<void>;
}

async function spawnEmulator(): Promise<RunningEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const queuesFile = join(dir, 'queues.json');
  writeFileSync(queuesFile, JSON.stringify(QUEUES));
  const cli = join(__dirname, '..', 'infra', 'local', 'serviceBus', 'cli.js');
  const child: ChildProcess = spawn(process.execPath, [cli, '--queues', queuesFile], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error('emulator has no stdout');
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => {
      reject(new Error(`emulator exited with ${String(code)}`));
    });
  });
  const { connectionString } = JSON.parse(line) as { connectionString: string };
  return {
    connectionString,
    async stop(): Promise<void> {
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function rate(count: number, startedNs: bigint): number {
  return count / (Number(process.hrtime.bigint() - startedNs) / 1e9);
}

async function measureSend(client: Client, count: number): Promise<number> {
  const sender = client.createSender(QUEUE);
  await sender.sendMessages(envelope(-1)); // opens the link outside the timed part
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < count) {
        const i = next++;
        await sender.sendMessages(envelope(i));
      }
    }),
  );
  const r = rate(count, started);
  await sender.close();
  return r;
}

async function fillSessions(client: Client, count: number): Promise<void> {
  const sender = client.createSender(SESSION_QUEUE);
  let batch = await sender.createMessageBatch();
  for (let i = 0; i < count; i++) {
    const m = envelope(i, `session-${i % SESSIONS}`);
    if (!batch.tryAddMessage(m)) {
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      batch.tryAddMessage(m);
    }
  }
  if (batch.count > 0) await sender.sendMessages(batch);
  await sender.close();
}

async function measureReceiveComplete(client: Client, count: number): Promise<number> {
  const receiver = client.createReceiver(QUEUE);
  let done = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    receiver.subscribe(
      {
        processMessage: async (m) => {
          await receiver.completeMessage(m);
          if (++done === count) resolve();
        },
        processError: (args) => {
          reject(args.error);
          return Promise.resolve();
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: IN_FLIGHT },
    );
  });
  const r = rate(count, started);
  await receiver.close();
  return r;
}

async function measureSessions(client: Client, count: number): Promise<number> {
  let done = 0;
  const started = process.hrtime.bigint();
  const perSession = count / SESSIONS;
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const receiver = await client.acceptNextSession(SESSION_QUEUE);
      let mine = 0;
      let last = -1;
      await new Promise<void>((resolve, reject) => {
        receiver.subscribe(
          {
            processMessage: async (m) => {
              const i = Number((m.body as { correlationId: string }).correlationId.slice('corr-'.length));
              if (i <= last)
                reject(new Error(`session ${receiver.sessionId} out of order: ${i} after ${last}`));
              last = i;
              await receiver.completeMessage(m);
              done++;
              if (++mine === perSession) resolve();
            },
            processError: (args) => {
              reject(args.error);
              return Promise.resolve();
            },
          },
          { autoCompleteMessages: false, maxConcurrentCalls: 1 },
        );
      });
      await receiver.close();
    }),
  );
  if (done !== count) throw new Error(`completed ${done} of ${count}`);
  return rate(count, started);
}

export async function main(): Promise<void> {
  const count = Math.max(SESSIONS, Math.floor(Number(process.argv[3] ?? 10_000) / SESSIONS) * SESSIONS);
  const tcp = await tcpRoundTripsPerSecond(1000);
  const emulator = await spawnEmulator();
  const client = new ServiceBusClient(emulator.connectionString);
  try {
    const send = await measureSend(client, count);
    const receive = await measureReceiveComplete(client, count + 1);
    await fillSessions(client, count);
    const sessions = await measureSessions(client, count);
    const round = (n: number): number => Math.round(n);
    console.log(`messages per phase:              ${count}`);
    console.log(`loopback TCP round trips/s:       ${round(tcp)}`);
    console.log(`send msgs/s (${IN_FLIGHT} in flight):        ${round(send)}`);
    console.log(`receive+complete msgs/s (1 queue): ${round(receive)}`);
    console.log(`receive+complete msgs/s (${SESSIONS} sessions): ${round(sessions)}`);
    console.log(
      JSON.stringify({
        bench: 'servicebus',
        send_rps: round(send),
        receive_complete_rps: round(receive),
        receive_complete_16_sessions_rps: round(sessions),
        tcp_roundtrip_rps: round(tcp),
      }),
    );
  } finally {
    await client.close();
    await emulator.stop();
  }
}
