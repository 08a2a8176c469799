import type { Server, Socket } from 'node:net';

import {
  type AmqpError,
  type Connection,
  create_container,
  type Delivery,
  type EventContext,
  type link,
  type Message,
  type Receiver,
  type Sender,
  types,
} from 'rhea';

import type { Broker } from './broker';
import {
  BrokerError,
  type Consumer,
  type Entity,
  type Outcome,
  type ReceiveMode,
  type StoredMessage,
} from './entity';
import { lockTokenToDeliveryTag } from './lockToken';
import { handleManagementRequest } from './management';
import {
  acceptedOutcome,
  decodeMessage,
  deferAttach,
  enableAnonymousSasl,
  encodeMessage,
  forgetSettledDelivery,
  localAttach,
  rejectedOutcome,
  resumeAttach,
  sourceOf,
  targetOf,
  unusedCredit,
} from './rheaInternals';
import { audiencePath, grantCovers, type SasGrant, verifySasToken } from './sas';
import { encodeForWire } from './wire';

const CBS_ADDRESS = '$cbs';
const SESSION_FILTER = 'com.microsoft:session-filter';
const LOCKED_UNTIL_PROPERTY = 'com.microsoft:locked-until-utc';
const TIMEOUT_PROPERTY = 'com.microsoft:timeout';
const BATCH_FORMAT = 0x80013700;
/** Azure caps how long an accept-next-session attach is held when the client names no timeout. */
const DEFAULT_SESSION_WAIT_MS = 65_000;
/** .NET ticks at the Unix epoch: the session lock expiry travels as ticks. */
const EPOCH_TICKS = 621355968000000000n;

export interface AmqpServerOptions {
  readonly broker: Broker;
  readonly sasKeyName: string;
  readonly sasKey: string;
}

interface ConnectionState {
  readonly grants: SasGrant[];
  /** Our sending links by name: responses to $cbs/$management go to the link named by reply_to. */
  readonly replyLinks: Map<string, Sender>;
  readonly links: Set<link>;
}

type LinkRole =
  | { readonly kind: 'cbs' }
  | { readonly kind: 'management'; readonly entity: Entity }
  | { readonly kind: 'entitySender'; readonly entity: Entity }
  | { readonly kind: 'reply' }
  | { readonly kind: 'consumer'; readonly consumer: LinkConsumer };

interface DeliveryRef {
  readonly entity: Entity;
  readonly token: string;
}

/** A client receiver link as the broker's consumer. */
class LinkConsumer implements Consumer {
  sent = 0;
  sessionId: string | undefined;
  cancelWait: (() => void) | undefined;
  waitTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly sender: Sender,
    readonly entity: Entity,
    readonly mode: ReceiveMode,
    private readonly deliveries: WeakMap<Delivery, DeliveryRef>,
  ) {}

  credit(): number {
    if (!this.sender.is_open()) return 0;
    return unusedCredit(this.sender, this.sent);
  }

  deliver(entity: Entity, m: StoredMessage): void {
    const token = m.lockToken;
    const tag = token === undefined ? Buffer.from(String(m.seq)) : lockTokenToDeliveryTag(token);
    const delivery = this.sender.send(encodeForWire(m), tag);
    this.sent++;
    if (token !== undefined) this.deliveries.set(delivery, { entity, token });
  }

  sessionLockLost(_entity: Entity, sessionId: string): void {
    if (this.sessionId !== sessionId) return;
    this.sessionId = undefined;
    this.sender.close({
      condition: 'com.microsoft:session-lock-lost',
      description: `The session lock has expired on the session with id ${sessionId}.`,
    });
  }
}

/** The AMQP 1.0 face of the broker: CBS, sender and receiver links, dispositions, $management. */
export class AmqpServer {
  private readonly container = create_container({ id: 'servicebus-emulator' });
  private readonly connections = new Map<Connection, ConnectionState>();
  private readonly roles = new WeakMap<link, LinkRole>();
  private readonly deliveries = new WeakMap<Delivery, DeliveryRef>();
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  constructor(private readonly options: AmqpServerOptions) {
    enableAnonymousSasl(this.container);
    const c = this.container;
    // A link or connection error nobody handles would be rethrown by the EventEmitter.
    c.on('error', () => undefined);
    c.on('connection_open', (ctx: EventContext) => {
      this.connections.set(ctx.connection, { grants: [], replyLinks: new Map(), links: new Set() });
    });
    c.on('disconnected', (ctx: EventContext) => {
      this.dropConnection(ctx.connection);
    });
    c.on('connection_close', (ctx: EventContext) => {
      this.dropConnection(ctx.connection);
    });
    c.on('sender_open', (ctx: EventContext) => {
      if (ctx.sender) this.onSenderOpen(ctx.connection, ctx.sender);
    });
    c.on('receiver_open', (ctx: EventContext) => {
      if (ctx.receiver) this.onReceiverOpen(ctx.connection, ctx.receiver);
    });
    c.on('message', (ctx: EventContext) => {
      this.onMessage(ctx);
    });
    c.on('sendable', (ctx: EventContext) => {
      if (ctx.sender) this.pumpLink(ctx.sender);
    });
    c.on('sender_flow', (ctx: EventContext) => {
      if (ctx.sender) this.pumpLink(ctx.sender);
    });
    c.on('sender_draining', (ctx: EventContext) => {
      const sender = ctx.sender;
      if (!sender) return;
      this.pumpLink(sender);
      sender.set_drained(true);
    });
    for (const outcome of ['accepted', 'rejected', 'released', 'modified'] as const) {
      c.on(outcome, (ctx: EventContext) => {
        if (ctx.delivery) this.onDisposition(ctx.delivery);
      });
    }
    c.on('sender_close', (ctx: EventContext) => {
      if (ctx.sender) this.dropLink(ctx.connection, ctx.sender);
    });
    c.on('receiver_close', (ctx: EventContext) => {
      if (ctx.receiver) this.dropLink(ctx.connection, ctx.receiver);
    });
  }

  listen(host: string, port: number): Promise<number> {
    const server = this.container.listen({
      host,
      port,
      // Peers keep many unsettled deliveries in flight with prefetch; rhea's default is 2048.
      session_buffer_size: 1 << 16,
      receiver_options: { autoaccept: false, credit_window: 1000 },
      sender_options: { autosettle: true, treat_modified_as_released: false },
    } as Parameters<typeof this.container.listen>[0]);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      coalesceWrites(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        const address = server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('the Service Bus emulator has no TCP address'));
          return;
        }
        resolve(address.port);
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const connections = [...this.connections.keys()];
    for (const connection of connections) this.dropConnection(connection);
    const closed = new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    // Tell peers the connection is going away before the sockets do, as a broker restart would.
    for (const connection of connections) {
      connection.close({
        condition: 'amqp:connection:forced',
        description: 'The Service Bus emulator is stopping.',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, connections.length > 0 ? 20 : 0));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    // Let the closed handles leave the event loop before the caller checks for leaks.
    await new Promise((resolve) => setImmediate(resolve));
  }

  // ---- links ---------------------------------------------------------------------------------

  private state(connection: Connection): ConnectionState {
    let s = this.connections.get(connection);
    if (!s) {
      s = { grants: [], replyLinks: new Map(), links: new Set() };
      this.connections.set(connection, s);
    }
    return s;
  }

  private authorized(connection: Connection, path: string): boolean {
    const now = Date.now();
    return this.state(connection).grants.some((g) => g.expiresAtMs > now && grantCovers(g.path, path));
  }

  private echoTermini(l: link): void {
    const source = sourceOf(l);
    const target = targetOf(l);
    if (source !== undefined) l.set_source(source);
    if (target !== undefined) l.set_target(target);
  }

  /** Answers the attach with no terminus, then detaches with the error, as Azure refuses links. */
  private refuse(l: link, condition: string, description: string): void {
    const local = localAttach(l);
    local['source'] = undefined;
    local['target'] = undefined;
    l.close({ condition, description });
  }

  /** The peer attached a receiver: we send on this link. */
  private onSenderOpen(connection: Connection, sender: Sender): void {
    const conn = this.state(connection);
    conn.links.add(sender);
    const address = sourceOf(sender)?.address ?? '';
    if (address === CBS_ADDRESS || address.toLowerCase().endsWith('/$management')) {
      this.echoTermini(sender);
      conn.replyLinks.set(sender.name, sender);
      this.roles.set(sender, { kind: 'reply' });
      return;
    }
    const resolved = this.options.broker.resolve(address);
    if (!resolved || resolved.management) {
      this.refuse(sender, 'amqp:not-found', notFoundDescription(address));
      return;
    }
    const entity = resolved.entity;
    if (!this.authorized(connection, entity.path)) {
      this.refuse(
        sender,
        'amqp:unauthorized-access',
        `Unauthorized access. 'Listen' claim(s) are required to perform this operation. Resource: '${entity.path}'.`,
      );
      return;
    }
    const mode: ReceiveMode = sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const local = localAttach(sender);
    local['snd_settle_mode'] = sender.snd_settle_mode;
    local['rcv_settle_mode'] = sender.rcv_settle_mode;
    const consumer = new LinkConsumer(sender, entity, mode, this.deliveries);
    this.roles.set(sender, { kind: 'consumer', consumer });

    const filter = sourceOf(sender)?.filter;
    if (!entity.config.requiresSession) {
      this.echoTermini(sender);
      entity.addConsumer(consumer);
      return;
    }
    if (!filter || !(SESSION_FILTER in filter)) {
      this.refuse(
        sender,
        'amqp:not-allowed',
        `It is not possible for an entity that requires sessions to create a non-sessionful message receiver. Entity: '${entity.path}'.`,
      );
      return;
    }
    const requested = filter[SESSION_FILTER] as unknown;
    const now = Date.now();
    if (typeof requested === 'string') {
      const locked = entity.acceptSession(consumer, requested, now);
      if (locked === undefined) {
        this.refuse(
          sender,
          'com.microsoft:session-cannot-be-locked',
          `The requested session '${requested}' cannot be accepted. It may be locked by another receiver.`,
        );
        return;
      }
      this.bindSession(consumer, locked);
      return;
    }
    const next = entity.acceptSession(consumer, undefined, now);
    if (next !== undefined) {
      this.bindSession(consumer, next);
      return;
    }
    // No free session: hold the attach, as Azure does, until one frees up or the timeout passes.
    deferAttach(sender);
    const timeoutProperty = sender.properties[TIMEOUT_PROPERTY] as unknown;
    const waitMs =
      typeof timeoutProperty === 'number' && timeoutProperty > 0 ? timeoutProperty : DEFAULT_SESSION_WAIT_MS;
    consumer.cancelWait = entity.waitForSession({
      consumer,
      grant: (sessionId) => {
        clearTimeout(consumer.waitTimer);
        consumer.cancelWait = undefined;
        this.bindSession(consumer, sessionId);
        resumeAttach(sender);
      },
    });
    consumer.waitTimer = setTimeout(() => {
      consumer.cancelWait?.();
      consumer.cancelWait = undefined;
      resumeAttach(sender);
      this.refuse(
        sender,
        'com.microsoft:timeout',
        `The operation did not complete within the allotted timeout of ${waitMs} ms. No unlocked session with messages became available.`,
      );
    }, waitMs);
    consumer.waitTimer.unref();
  }

  private bindSession(consumer: LinkConsumer, sessionId: string): void {
    const sender = consumer.sender;
    consumer.sessionId = sessionId;
    sender.set_source({
      ...sourceOf(sender),
      address: sourceOf(sender)?.address ?? '',
      filter: { [SESSION_FILTER]: sessionId },
    });
    const target = targetOf(sender);
    if (target !== undefined) sender.set_target(target);
    const ticks = BigInt(consumer.entity.sessionLockedUntil(sessionId)) * 10000n + EPOCH_TICKS;
    const buf = Buffer.alloc(8);
    buf.writeBigInt64BE(ticks);
    localAttach(sender)['properties'] = { [LOCKED_UNTIL_PROPERTY]: types.wrap_long(buf) };
  }

  /** The peer attached a sender: we receive on this link. */
  private onReceiverOpen(connection: Connection, receiver: Receiver): void {
    const conn = this.state(connection);
    conn.links.add(receiver);
    const address = targetOf(receiver)?.address ?? '';
    if (address === CBS_ADDRESS) {
      this.echoTermini(receiver);
      this.roles.set(receiver, { kind: 'cbs' });
      return;
    }
    const resolved = this.options.broker.resolve(address);
    if (!resolved) {
      this.refuse(receiver, 'amqp:not-found', notFoundDescription(address));
      return;
    }
    const entity = resolved.entity;
    const path = resolved.management ? `${entity.path}/$management` : entity.path;
    if (!this.authorized(connection, path)) {
      this.refuse(
        receiver,
        'amqp:unauthorized-access',
        `Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: '${path}'.`,
      );
      return;
    }
    this.echoTermini(receiver);
    if (resolved.management) {
      this.roles.set(receiver, { kind: 'management', entity });
      return;
    }
    if (entity.deadLetter === undefined) {
      this.refuse(
        receiver,
        'amqp:not-allowed',
        `Messages cannot be sent to the dead-letter queue '${entity.path}'.`,
      );
      return;
    }
    localAttach(receiver)['max_message_size'] = entity.config.maxMessageSizeBytes;
    this.roles.set(receiver, { kind: 'entitySender', entity });
  }

  private pumpLink(sender: Sender): void {
    const role = this.roles.get(sender);
    if (role?.kind !== 'consumer') return;
    const { consumer } = role;
    if (consumer.entity.config.requiresSession && consumer.sessionId === undefined) return;
    consumer.entity.pumpFor(consumer, consumer.sessionId, Date.now());
  }

  private dropLink(connection: Connection, l: link): void {
    this.state(connection).links.delete(l);
    const role = this.roles.get(l);
    if (!role) return;
    this.roles.delete(l);
    if (role.kind === 'reply') {
      this.state(connection).replyLinks.delete(l.name);
      return;
    }
    if (role.kind !== 'consumer') return;
    const { consumer } = role;
    clearTimeout(consumer.waitTimer);
    consumer.cancelWait?.();
    consumer.cancelWait = undefined;
    consumer.entity.removeConsumer(consumer);
    if (consumer.sessionId !== undefined) {
      const sessionId = consumer.sessionId;
      consumer.sessionId = undefined;
      consumer.entity.releaseSession(consumer, sessionId, Date.now());
    }
  }

  private dropConnection(connection: Connection): void {
    const conn = this.connections.get(connection);
    if (!conn) return;
    this.connections.delete(connection);
    for (const l of [...conn.links]) this.dropLink(connection, l);
  }

  // ---- incoming messages ---------------------------------------------------------------------

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver;
    const delivery = ctx.delivery;
    if (!receiver || !delivery) return;
    const role = this.roles.get(receiver);
    if (!role) {
      delivery.reject({ condition: 'amqp:not-allowed', description: 'This link does not accept messages.' });
      return;
    }
    switch (role.kind) {
      case 'cbs':
        if (ctx.message) this.onPutToken(ctx.connection, ctx.message);
        delivery.accept();
        return;
      case 'management':
        if (ctx.message) this.onManagement(ctx.connection, role.entity, ctx.message);
        delivery.accept();
        return;
      case 'entitySender':
        this.onSend(role.entity, ctx, delivery);
        return;
      default:
        delivery.reject({
          condition: 'amqp:not-allowed',
          description: 'This link does not accept messages.',
        });
    }
  }

  private onSend(entity: Entity, ctx: EventContext, delivery: Delivery): void {
    const limit = entity.config.maxMessageSizeBytes;
    try {
      let messages: Message[];
      if (delivery.format === BATCH_FORMAT) {
        const raw = ctx.message as unknown as Buffer;
        if (raw.length > limit) throw sizeExceeded(raw.length, limit);
        messages = splitBatch(raw);
      } else {
        const m = ctx.message;
        if (!m) throw new BrokerError('amqp:decode-error', 'The message could not be decoded.', 400);
        // Only a body near the limit needs the exact (re-encoded) size: headers and properties are
        // capped at 64 KB by Service Bus, so a smaller body cannot push the message over.
        if (bodyLength(m) + HEADER_ALLOWANCE > limit) {
          const size = encodeMessage(m).length;
          if (size > limit) throw sizeExceeded(size, limit);
        }
        messages = [m];
      }
      // Validate the whole batch first so that a refused batch enqueues nothing.
      for (const m of messages) entity.validate(m);
      const now = Date.now();
      for (const m of messages) entity.enqueue(m, now);
      delivery.accept();
    } catch (err) {
      delivery.reject(toAmqpError(err));
    }
  }

  private onPutToken(connection: Connection, request: Message): void {
    const props = request.application_properties ?? {};
    const audience = typeof props['name'] === 'string' ? props['name'] : '';
    const token = typeof request.body === 'string' ? request.body : '';
    let status = 200;
    let description = 'OK';
    if (props['operation'] !== 'put-token') {
      status = 400;
      description = `Unsupported CBS operation '${String(props['operation'])}'.`;
    } else {
      const path = audiencePath(audience);
      const entityPath = path.replace(/\/\$management$/, '');
      const verdict = verifySasToken(token, this.options.sasKeyName, this.options.sasKey, Date.now());
      if (!verdict.ok) {
        status = 401;
        description = `InvalidSignature: ${verdict.reason}.`;
      } else if (entityPath !== '' && !this.options.broker.entity(entityPath)) {
        status = 404;
        description = notFoundDescription(audience);
      } else {
        this.state(connection).grants.push(verdict.grant);
      }
    }
    this.reply(connection, request, {
      application_properties: { 'status-code': status, 'status-description': description },
      body: undefined,
    });
  }

  private onManagement(connection: Connection, entity: Entity, request: Message): void {
    const response = handleManagementRequest(entity, request, Date.now());
    this.reply(connection, request, response);
  }

  private reply(connection: Connection, request: Message, response: Message): void {
    const replyTo = request.reply_to;
    if (replyTo === undefined) return;
    const link =
      this.state(connection).replyLinks.get(replyTo) ??
      findReplyLinkByAddress(this.state(connection), replyTo);
    if (!link?.is_open()) return;
    const reply: Message = { ...response, to: replyTo };
    const correlationId = request.message_id ?? request.correlation_id;
    if (correlationId !== undefined) reply.correlation_id = correlationId;
    link.send(reply);
  }

  // ---- dispositions --------------------------------------------------------------------------

  private onDisposition(delivery: Delivery): void {
    const ref = this.deliveries.get(delivery);
    if (!ref) {
      delivery.update(true, acceptedOutcome());
      forgetSettledDelivery(delivery);
      return;
    }
    this.deliveries.delete(delivery);
    const result = ref.entity.settle(ref.token, toOutcome(delivery.remote_state), Date.now());
    if (result === 'ok') {
      delivery.update(true, acceptedOutcome());
    } else {
      const error: AmqpError =
        result === 'lockLost'
          ? {
              condition: 'com.microsoft:message-lock-lost',
              description:
                'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
            }
          : {
              condition: 'com.microsoft:session-lock-lost',
              description: 'The session lock was lost. Request a new session receiver.',
            };
      delivery.update(true, rejectedOutcome(error));
    }
    forgetSettledDelivery(delivery);
  }
}

function findReplyLinkByAddress(conn: ConnectionState, address: string): Sender | undefined {
  for (const s of conn.replyLinks.values()) {
    if ((s.target as { address?: string } | undefined)?.address === address) return s;
  }
  return undefined;
}

/** Maps the peer's outcome to a Service Bus settlement, as the SDK encodes them. */
function toOutcome(state: unknown): Outcome {
  const s = state as
    | {
        constructor?: { composite_type?: string };
        error?: AmqpError;
        undeliverable_here?: boolean;
        message_annotations?: Record<string, unknown>;
      }
    | undefined;
  const kind = s?.constructor?.composite_type;
  if (kind === 'accepted') return { kind: 'complete' };
  if (kind === 'rejected') {
    const info = (s?.error?.info ?? {}) as Record<string, unknown>;
    const { DeadLetterReason, DeadLetterErrorDescription, ...rest } = info;
    return {
      kind: 'deadLetter',
      reason: typeof DeadLetterReason === 'string' ? DeadLetterReason : undefined,
      description: typeof DeadLetterErrorDescription === 'string' ? DeadLetterErrorDescription : undefined,
      propertiesToModify: rest,
    };
  }
  if (kind === 'modified' && s?.undeliverable_here === true) {
    return { kind: 'defer', propertiesToModify: s.message_annotations };
  }
  return { kind: 'abandon', propertiesToModify: s?.message_annotations };
}

/** Service Bus's cap on a message's header and properties, used to bound the size cheaply. */
const HEADER_ALLOWANCE = 64 * 1024;

function bodyLength(m: Message): number {
  const body = m.body as { content?: unknown } | string | undefined;
  if (typeof body === 'string') return Buffer.byteLength(body);
  const content = (body as { content?: unknown } | undefined)?.content;
  if (Buffer.isBuffer(content)) return content.length;
  if (Array.isArray(content))
    return content.reduce<number>((n, c) => n + (Buffer.isBuffer(c) ? c.length : HEADER_ALLOWANCE), 0);
  // Other body kinds (amqp-value objects): no cheap bound, so force the exact size.
  return Number.POSITIVE_INFINITY;
}

/**
 * rhea writes every frame with its own socket.write; corking until the end of the tick turns a
 * burst of transfers and dispositions into one writev, which matters at thousands of messages/s.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.write = (...args: unknown[]): boolean => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  };
}

function splitBatch(raw: Buffer): Message[] {
  const outer = decodeMessage(raw);
  const body = outer.body as { content?: unknown; multiple?: boolean } | undefined;
  const content = body?.content;
  const parts: Buffer[] = Array.isArray(content)
    ? (content as Buffer[])
    : Buffer.isBuffer(content)
      ? [content]
      : [];
  return parts.map((p) => decodeMessage(p));
}

function sizeExceeded(size: number, limit: number): BrokerError {
  return new BrokerError(
    'amqp:link:message-size-exceeded',
    `The received message (size ${size} bytes) exceeds the limit (${limit} bytes) currently allowed on the link.`,
    403,
  );
}

function notFoundDescription(address: string): string {
  return `The messaging entity '${address}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`;
}

export function toAmqpError(err: unknown): AmqpError {
  if (err instanceof BrokerError) return { condition: err.condition, description: err.message };
  return { condition: 'amqp:internal-error', description: err instanceof Error ? err.message : String(err) };
}
