import { DefaultAzureCredential } from '@azure/identity';
import {
  isServiceBusError,
  type ServiceBusClient as ServiceBusClientType,
  type ServiceBusClientOptions,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSessionReceiver,
} from '@azure/service-bus';
import { ServiceBusClient } from '@azure/service-bus';

import { IdentitySuffix } from '../../../shared/config/settingNames';
import type { RpcTypedData } from './coreTypes';
import type { Dispatcher, HostedFunction, InvocationResult } from './dispatcher';
import type { ServiceBusHostConfig } from './hostConfig';

/** The setting the Functions host reads when a Service Bus binding names no connection. */
export const DEFAULT_SERVICE_BUS_CONNECTION = 'AzureWebJobsServiceBus';
const DLQ_SUFFIX = '/$deadletterqueue';
/** A failed accept/receive that came back faster than this waits before trying again. */
const FAST_FAILURE_MS = 1000;
const BACKOFF_MS = 1000;
/**
 * How long one accept-next-session call waits for a free session. The JS SDK cannot abort an
 * accept in progress (its link creation ignores the abort signal) and takes the wait from the
 * client's operation timeout, so session triggers get their own client with a short one: idle
 * loops ask again every second and stop() never waits longer than that for them. The same
 * timeout bounds each settle attempt on those receivers (the SDK retries settlement).
 */
const SESSION_ACCEPT_TIMEOUT_MS = 1000;
/** .NET's DateTime.MaxValue, what the Functions host reports for a message that never expires. */
const DATETIME_MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

export interface ServiceBusHostOptions {
  readonly functions: readonly HostedFunction[];
  readonly dispatcher: Dispatcher;
  readonly config: ServiceBusHostConfig;
  readonly resolve: (value: string) => string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface RunningServiceBusTriggers {
  /** Stops taking messages, lets in-flight ones finish and settle, then closes receivers and clients. */
  stop(drain: () => Promise<void>): Promise<void>;
}

interface Entity {
  readonly path: string;
  readonly queueOrTopic: string;
  readonly subscription: string | undefined;
  readonly deadLetter: boolean;
}

interface TriggerSettings {
  readonly entity: Entity;
  readonly connection: string;
  readonly sessions: boolean;
  readonly autoComplete: boolean;
  readonly many: boolean;
  readonly binary: boolean;
}

function stringOption(fn: HostedFunction, key: string): string | undefined {
  const value = fn.triggerBinding[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function splitDeadLetter(name: string): { name: string; deadLetter: boolean } {
  return name.toLowerCase().endsWith(DLQ_SUFFIX)
    ? { name: name.slice(0, -DLQ_SUFFIX.length), deadLetter: true }
    : { name, deadLetter: false };
}

function triggerSettings(fn: HostedFunction, options: ServiceBusHostOptions): TriggerSettings {
  const queueName = stringOption(fn, 'queueName');
  const topicName = stringOption(fn, 'topicName');
  const subscriptionName = stringOption(fn, 'subscriptionName');
  let entity: Entity;
  if (queueName !== undefined) {
    const { name, deadLetter } = splitDeadLetter(options.resolve(queueName));
    entity = { path: name, queueOrTopic: name, subscription: undefined, deadLetter };
  } else if (topicName !== undefined && subscriptionName !== undefined) {
    const topic = options.resolve(topicName);
    const { name, deadLetter } = splitDeadLetter(options.resolve(subscriptionName));
    entity = { path: `${topic}/Subscriptions/${name}`, queueOrTopic: topic, subscription: name, deadLetter };
  } else {
    throw new Error(`Service Bus function ${fn.name} names neither a queue nor a topic and subscription`);
  }
  const autoComplete = fn.triggerBinding['autoCompleteMessages'];
  const sessions = fn.triggerBinding['isSessionsEnabled'] === true && !entity.deadLetter;
  const many = fn.triggerBinding['cardinality'] === 'many';
  if (sessions && many) {
    throw new Error(
      `Service Bus function ${fn.name}: cardinality "many" with sessions is not supported by the local host`,
    );
  }
  return {
    entity,
    connection: stringOption(fn, 'connection') ?? DEFAULT_SERVICE_BUS_CONNECTION,
    sessions,
    autoComplete: typeof autoComplete === 'boolean' ? autoComplete : options.config.autoCompleteMessages,
    many,
    binary: fn.triggerBinding.dataType === 'binary',
  };
}

/**
 * Builds a client the way the Functions host resolves a binding's `connection`: a connection
 * string in the setting itself (or `AzureWebJobs<name>`), else an identity-based namespace in
 * `<name>__fullyQualifiedNamespace` used with DefaultAzureCredential.
 */
export function createServiceBusClient(
  connection: string,
  env: Readonly<Record<string, string | undefined>>,
  options: ServiceBusClientOptions = {},
): ServiceBusClientType {
  const connectionString = env[connection] ?? env[`AzureWebJobs${connection}`];
  if (connectionString !== undefined && connectionString !== '') {
    return new ServiceBusClient(connectionString, options);
  }
  const namespace =
    env[`${connection}${IdentitySuffix.serviceBus}`] ??
    env[`AzureWebJobs${connection}${IdentitySuffix.serviceBus}`];
  if (namespace !== undefined && namespace !== '') {
    const clientId = env[`${connection}${IdentitySuffix.clientId}`];
    const credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    return new ServiceBusClient(namespace, credential, options);
  }
  throw new Error(
    `Service Bus connection "${connection}" is not configured: set ${connection} to a connection string, ` +
      `or ${connection}${IdentitySuffix.serviceBus} to a namespace for identity-based access`,
  );
}

function bodyAsTypedData(body: unknown, binary: boolean): RpcTypedData {
  // Receivers skip the SDK's JSON parsing so the bytes reach the function as the host delivers
  // them: a string the library JSON-parses when it can, or raw bytes for dataType "binary".
  let bytes: Buffer;
  if (Buffer.isBuffer(body)) bytes = body;
  else if (body instanceof Uint8Array) bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  else if (typeof body === 'string') bytes = Buffer.from(body, 'utf8');
  else if (body === undefined || body === null) bytes = Buffer.alloc(0);
  else bytes = Buffer.from(JSON.stringify(body), 'utf8');
  return binary ? { bytes } : { string: bytes.toString('utf8') };
}

function utcString(date: Date | undefined): string | undefined {
  if (date === undefined || Number.isNaN(date.getTime())) return undefined;
  return new Date(Math.min(date.getTime(), DATETIME_MAX_MS)).toISOString();
}

function idString(value: string | number | Buffer | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('hex') : String(value);
}

/**
 * The binding data the Service Bus extension (v5) exposes for one message, under its names.
 * DeliveryCount follows the .NET client, which counts the current delivery (1 on the first
 * one); the JS client reports the broker's count of earlier attempts.
 */
export function messageBindingData(message: ServiceBusReceivedMessage): Record<string, unknown> {
  const data: Record<string, unknown> = {
    DeliveryCount: (message.deliveryCount ?? 0) + 1,
    DeadLetterSource: message.deadLetterSource,
    LockToken: message.lockToken,
    ExpiresAtUtc: utcString(message.expiresAtUtc),
    ExpiresAt: utcString(message.expiresAtUtc),
    EnqueuedTimeUtc: utcString(message.enqueuedTimeUtc),
    EnqueuedTime: utcString(message.enqueuedTimeUtc),
    MessageId: idString(message.messageId),
    ContentType: message.contentType,
    ReplyTo: message.replyTo,
    SequenceNumber: message.sequenceNumber?.toNumber(),
    To: message.to,
    Subject: message.subject,
    Label: message.subject,
    CorrelationId: idString(message.correlationId),
    ApplicationProperties: message.applicationProperties ?? {},
    UserProperties: message.applicationProperties ?? {},
    SessionId: message.sessionId,
    ReplyToSessionId: message.replyToSessionId,
    PartitionKey: message.partitionKey,
    TransactionPartitionKey: message.partitionKey,
  };
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
}

function toTypedData(value: unknown): RpcTypedData {
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number' && Number.isInteger(value)) return { int: value };
  if (typeof value === 'number') return { double: value };
  return { json: JSON.stringify(value) };
}

/** triggerMetadata as the host sends it: binding data values as typed data (arrays for batches). */
export function triggerMetadataFor(
  messages: readonly ServiceBusReceivedMessage[],
  many: boolean,
): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {};
  if (!many) {
    const [first] = messages;
    if (first)
      for (const [key, value] of Object.entries(messageBindingData(first)))
        metadata[key] = toTypedData(value);
    return metadata;
  }
  const perMessage = messages.map(messageBindingData);
  const keys = new Set(perMessage.flatMap((data) => Object.keys(data)));
  for (const key of keys)
    metadata[`${key}Array`] = { json: JSON.stringify(perMessage.map((data) => data[key] ?? null)) };
  return metadata;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

function errorText(err: unknown): string {
  if (isServiceBusError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

class ServiceBusTrigger {
  readonly #fn: HostedFunction;
  readonly #settings: TriggerSettings;
  readonly #client: ServiceBusClientType;
  readonly #dispatcher: Dispatcher;
  readonly #config: ServiceBusHostConfig;
  readonly #abort = new AbortController();
  #stopping = false;
  readonly #loops: Promise<void>[] = [];
  readonly #receivers = new Set<ServiceBusReceiver>();
  #subscription: { close(): Promise<void> } | undefined;

  constructor(
    fn: HostedFunction,
    settings: TriggerSettings,
    client: ServiceBusClientType,
    dispatcher: Dispatcher,
    config: ServiceBusHostConfig,
  ) {
    this.#fn = fn;
    this.#settings = settings;
    this.#client = client;
    this.#dispatcher = dispatcher;
    this.#config = config;
  }

  start(): void {
    if (this.#settings.sessions) {
      for (let i = 0; i < this.#config.maxConcurrentSessions; i += 1) this.#loops.push(this.#sessionLoop());
    } else if (this.#settings.many) {
      this.#loops.push(this.#batchLoop(this.#createReceiver()));
    } else {
      this.#subscribe();
    }
  }

  /** First half of stop: take no new messages. */
  async stopReceiving(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await this.#subscription?.close().catch(() => undefined);
  }

  /** Second half, after in-flight invocations drained: close links. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#loops);
    await Promise.allSettled([...this.#receivers].map((receiver) => receiver.close()));
  }

  // A method, not a field read, so the compiler does not narrow it across awaits.
  #isStopping(): boolean {
    return this.#stopping;
  }

  #createReceiver(): ServiceBusReceiver {
    const { entity } = this.#settings;
    const options = {
      receiveMode: 'peekLock' as const,
      maxAutoLockRenewalDurationInMs: this.#config.maxAutoLockRenewalDurationMs,
      skipParsingBodyAsJson: true,
      ...(entity.deadLetter ? { subQueueType: 'deadLetter' as const } : {}),
    };
    const receiver =
      entity.subscription === undefined
        ? this.#client.createReceiver(entity.queueOrTopic, options)
        : this.#client.createReceiver(entity.queueOrTopic, entity.subscription, options);
    this.#receivers.add(receiver);
    return receiver;
  }

  #subscribe(): void {
    const receiver = this.#createReceiver();
    this.#subscription = receiver.subscribe(
      {
        processMessage: async (message) => {
          // Messages the SDK had in flight when stop() suspended the link are still processed
          // and settled here, so none is left locked.
          await this.#dispatcher.track(this.#process(receiver, [message]));
        },
        processError: async (args) => {
          if (this.#isStopping() && isAbort(args.error)) return;
          this.#dispatcher.logger.host(
            'warning',
            `Service Bus receive error on ${this.#settings.entity.path}`,
            {
              function: this.#fn.name,
              source: args.errorSource,
              error: errorText(args.error),
            },
          );
          await Promise.resolve();
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls: this.#config.maxConcurrentCalls },
    );
  }

  async #batchLoop(receiver: ServiceBusReceiver): Promise<void> {
    while (!this.#isStopping()) {
      const started = Date.now();
      try {
        const messages = await receiver.receiveMessages(this.#config.maxMessageBatchSize, {
          maxWaitTimeInMs: 5000,
          abortSignal: this.#abort.signal,
        });
        if (messages.length > 0) await this.#dispatcher.track(this.#process(receiver, messages));
      } catch (err) {
        if (this.#isStopping()) return;
        await this.#backOff(err, started);
      }
    }
  }

  async #sessionLoop(): Promise<void> {
    const { entity } = this.#settings;
    while (!this.#isStopping()) {
      const started = Date.now();
      let receiver: ServiceBusSessionReceiver;
      try {
        const options = {
          receiveMode: 'peekLock' as const,
          maxAutoLockRenewalDurationInMs: this.#config.maxAutoLockRenewalDurationMs,
          skipParsingBodyAsJson: true,
          abortSignal: this.#abort.signal,
        };
        receiver =
          entity.subscription === undefined
            ? await this.#client.acceptNextSession(entity.queueOrTopic, options)
            : await this.#client.acceptNextSession(entity.queueOrTopic, entity.subscription, options);
      } catch (err) {
        if (this.#isStopping()) return;
        // No session became available in the broker's wait window: ask again at once, unless
        // the broker answered without waiting (then it would be a busy loop).
        if (isServiceBusError(err) && err.code === 'ServiceTimeout') {
          if (Date.now() - started < SESSION_ACCEPT_TIMEOUT_MS / 2) await this.#sleep(BACKOFF_MS);
          continue;
        }
        await this.#backOff(err, started);
        continue;
      }
      this.#receivers.add(receiver);
      try {
        // One message at a time keeps the session's order; an idle session is released so
        // another instance (or loop) can take it.
        while (!this.#isStopping()) {
          const [message] = await receiver.receiveMessages(1, {
            maxWaitTimeInMs: this.#config.sessionIdleTimeoutMs,
            abortSignal: this.#abort.signal,
          });
          if (!message) break;
          await this.#dispatcher.track(this.#process(receiver, [message]));
        }
      } catch (err) {
        if (!this.#isStopping()) {
          this.#dispatcher.logger.host(
            'warning',
            `Service Bus session ended with an error on ${entity.path}`,
            {
              function: this.#fn.name,
              session: receiver.sessionId,
              error: errorText(err),
            },
          );
        }
      } finally {
        this.#receivers.delete(receiver);
        await receiver.close().catch(() => undefined);
      }
    }
  }

  async #process(
    receiver: ServiceBusReceiver,
    messages: readonly ServiceBusReceivedMessage[],
  ): Promise<void> {
    const { many, binary, autoComplete } = this.#settings;
    const first = messages[0];
    if (!first) return;
    const triggerData: RpcTypedData = many
      ? binary
        ? {
            collectionBytes: {
              bytes: messages.map((m) => bodyAsTypedData(m.body, true).bytes ?? new Uint8Array()),
            },
          }
        : { collectionString: { string: messages.map((m) => bodyAsTypedData(m.body, false).string ?? '') } }
      : bodyAsTypedData(first.body, binary);

    const result: InvocationResult = await this.#dispatcher.run(this.#fn, {
      triggerData,
      triggerMetadata: triggerMetadataFor(messages, many),
      correlationId: idString(first.correlationId),
    });

    const failed = 'error' in result;
    let settlement: string;
    if (!autoComplete) {
      settlement = 'not settled (autoCompleteMessages=false)';
    } else {
      settlement = failed ? 'abandoned' : 'completed';
      for (const message of messages) {
        try {
          if (failed) await receiver.abandonMessage(message);
          else await receiver.completeMessage(message);
        } catch (err) {
          settlement = `settle failed (${errorText(err)})`;
        }
      }
    }
    const deliveryCount = (first.deliveryCount ?? 0) + 1;
    const detail = [
      this.#settings.entity.path + (this.#settings.entity.deadLetter ? DLQ_SUFFIX : ''),
      ...(first.sessionId === undefined ? [] : [`session=${first.sessionId}`]),
      many ? `batch=${messages.length}` : `deliveryCount=${deliveryCount}`,
      settlement,
    ].join(' ');
    this.#dispatcher.report(this.#fn, result, detail);
  }

  async #backOff(err: unknown, started: number): Promise<void> {
    this.#dispatcher.logger.host('warning', `Service Bus receive failed on ${this.#settings.entity.path}`, {
      function: this.#fn.name,
      error: errorText(err),
    });
    if (Date.now() - started < FAST_FAILURE_MS) await this.#sleep(BACKOFF_MS);
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}

/**
 * Starts one receiver pump per Service Bus trigger: peek-lock, complete on success, abandon on
 * failure (the broker redelivers, then dead-letters after maxDeliveryCount), sessions when
 * `isSessionsEnabled`, concurrency from host.json.
 */
export function startServiceBusTriggers(options: ServiceBusHostOptions): RunningServiceBusTriggers {
  const clients = new Map<string, ServiceBusClientType>();
  const triggers: ServiceBusTrigger[] = [];
  try {
    const prepared = options.functions.map((fn) => ({ fn, settings: triggerSettings(fn, options) }));
    for (const { fn, settings } of prepared) {
      const key = `${settings.connection}${settings.sessions ? ' (sessions)' : ''}`;
      let client = clients.get(key);
      if (!client) {
        client = createServiceBusClient(
          settings.connection,
          options.env,
          settings.sessions ? { retryOptions: { timeoutInMs: SESSION_ACCEPT_TIMEOUT_MS } } : {},
        );
        clients.set(key, client);
      }
      triggers.push(new ServiceBusTrigger(fn, settings, client, options.dispatcher, options.config));
    }
  } catch (err) {
    for (const client of clients.values()) void client.close();
    throw err;
  }
  for (const trigger of triggers) trigger.start();

  return {
    async stop(drain) {
      await Promise.all(triggers.map((trigger) => trigger.stopReceiving()));
      await drain();
      await Promise.all(triggers.map((trigger) => trigger.close()));
      await Promise.allSettled([...clients.values()].map((client) => client.close()));
    },
  };
}
