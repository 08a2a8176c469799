import { type QueueDefinition, QUEUES } from '../../../shared/config/queues';
import { AmqpServer } from './amqpServer';
import { Broker } from './broker';
import { Journal } from './journal';

/**
 * A local Service Bus namespace on AMQP 1.0 that @azure/service-bus talks to unchanged through a
 * connection string ending in `UseDevelopmentEmulator=true`. See docs/SERVICEBUS_EMULATOR.md.
 */

export interface ServiceBusEmulatorOptions {
  /** 0 = a free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: QUEUES from shared/config/queues.ts. */
  queues?: readonly QueueDefinition[];
  /** Default 'RootManageSharedAccessKey'. */
  sasKeyName?: string;
  /** Default: a fixed development key (DEV_SAS_KEY). */
  sasKey?: string;
  /** undefined keeps messages in memory; otherwise they are journaled there and survive a restart. */
  persistDir?: string;
}

export interface ServiceBusEmulator {
  readonly connectionString: string;
  readonly port: number;
  stop(): Promise<void>;
}

export const DEV_SAS_KEY_NAME = 'RootManageSharedAccessKey';
/** Not a secret: it only opens the emulator on loopback, like Azurite's well-known account key. */
export const DEV_SAS_KEY = 'c2VydmljZWJ1cy1lbXVsYXRvci1kZXZlbG9wbWVudC1rZXk=';

export async function startServiceBusEmulator(
  options: ServiceBusEmulatorOptions = {},
): Promise<ServiceBusEmulator> {
  const host = options.host ?? '127.0.0.1';
  const sasKeyName = options.sasKeyName ?? DEV_SAS_KEY_NAME;
  const sasKey = options.sasKey ?? DEV_SAS_KEY;
  const queues = options.queues ?? QUEUES;
  assertUniqueNames(queues);

  const journal = options.persistDir === undefined ? undefined : Journal.open(options.persistDir, queues);
  const broker = new Broker(queues, journal?.sink);
  if (journal) journal.restoreInto(broker);
  const server = new AmqpServer({ broker, sasKeyName, sasKey });
  let port: number;
  try {
    port = await server.listen(host, options.port ?? 0);
  } catch (err) {
    broker.stop();
    await journal?.close(broker);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    connectionString: buildConnectionString(host, port, sasKeyName, sasKey),
    port,
    stop(): Promise<void> {
      stopping ??= (async () => {
        await server.close();
        broker.stop();
        await journal?.close(broker);
      })();
      return stopping;
    },
  };
}

export function buildConnectionString(host: string, port: number, keyName: string, key: string): string {
  return `Endpoint=sb://${host}:${port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true`;
}

function assertUniqueNames(queues: readonly QueueDefinition[]): void {
  const seen = new Set<string>();
  for (const q of queues) {
    const key = q.name.toLowerCase();
    if (seen.has(key)) throw new Error(`Queue '${q.name}' is declared twice`);
    seen.add(key);
  }
}
