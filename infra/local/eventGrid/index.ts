import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';

import { ServiceBusClient } from '@azure/service-bus';

import { EVENT_GRID_TOPIC, EVENT_ROUTES, type EventRoute } from '../../../shared/config/eventRoutes';
import { closeServer, listenOnLoopback } from '../emulatorSupport';
import type { RunningService } from '../stackTypes';
import { type DeadLetteredEvent, type DeliveryOptions, QueueDelivery } from './delivery';
import { keyMatches, parseEvents, sasTokenValid } from './events';

export type { DeadLetteredEvent } from './delivery';

export interface StartEventGridOptions extends DeliveryOptions {
  /** The topic key publishers send as `aeg-sas-key` (or sign `aeg-sas-token` with); base64. */
  readonly key: string;
  readonly serviceBusConnectionString: string;
  /** Subscriptions (event types → queue); default the app's EVENT_ROUTES. */
  readonly routes?: readonly EventRoute[];
  readonly port?: number;
  readonly topicName?: string;
  readonly log?: (line: string) => void;
}

export interface RunningEventGrid extends RunningService {
  /** EVENTGRID_TOPIC_ENDPOINT value (…/api/events). */
  readonly endpoint: string;
  /** EVENTGRID_TOPIC_KEY value. */
  readonly key: string;
  /** Events that exhausted their delivery attempts. */
  deadLetters(): readonly DeadLetteredEvent[];
  /** Events accepted but not yet on their queue. */
  pending(): number;
  /** Waits until every accepted event is delivered or dead-lettered; false on timeout. */
  drain(timeoutMs: number): Promise<boolean>;
}

/** Event Grid's limit for one publish request. */
const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * A local Event Grid topic: accepts what EventGridPublisherClient sends (EventGrid schema or
 * CloudEvents 1.0, `aeg-sas-key` or `aeg-sas-token`), answers 200 as soon as the events are
 * validated and queued in memory, and delivers them to Service Bus queues by the same routing
 * table infra/azure turns into subscriptions.
 */
export async function startEventGridEmulator(options: StartEventGridOptions): Promise<RunningEventGrid> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const routes = options.routes ?? EVENT_ROUTES;
  const topicName = options.topicName ?? EVENT_GRID_TOPIC;
  const topic = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.EventGrid/topics/${topicName}`;
  const deadLetters: DeadLetteredEvent[] = [];
  // Retries are ours (with backoff); keep the SDK's own short so a dead queue is noticed quickly.
  const client = new ServiceBusClient(options.serviceBusConnectionString, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 10_000 },
  });
  const deliveryOptions: Required<DeliveryOptions> = {
    maxAttempts: options.maxAttempts ?? 10,
    initialRetryDelayMs: options.initialRetryDelayMs ?? 200,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 15_000,
  };
  const queues = new Map<string, QueueDelivery>();
  const deliveryFor = (queue: string): QueueDelivery => {
    let delivery = queues.get(queue);
    if (delivery === undefined) {
      delivery = new QueueDelivery(queue, client, deliveryOptions, (entry) => {
        deadLetters.push(entry);
        log(
          `eventgrid: dead-lettered event ${entry.eventId} (${entry.eventType}) for queue ${entry.queue} after ${entry.attempts} attempt(s): ${entry.reason}`,
        );
      });
      queues.set(queue, delivery);
    }
    return delivery;
  };
  const routesFor = (eventType: string): readonly EventRoute[] =>
    routes.filter((r) => r.eventTypes.some((t) => t.toLowerCase() === eventType.toLowerCase()));

  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      reply(res, 500, 'InternalServerError', (err as Error).message);
    });
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://eventgrid');
    if (url.pathname.replace(/\/+$/, '') !== '/api/events') {
      reply(res, 404, 'NotFound', 'Publish to /api/events.');
      return;
    }
    if (req.method !== 'POST') {
      reply(res, 405, 'MethodNotAllowed', 'Only POST is supported.');
      return;
    }
    const sasKey = header(req, 'aeg-sas-key');
    const sasToken = header(req, 'aeg-sas-token');
    const authorized =
      (sasKey !== undefined && keyMatches(sasKey, options.key)) ||
      (sasToken !== undefined &&
        sasTokenValid(sasToken.replace(/^SharedAccessSignature\s+/i, ''), options.key));
    if (!authorized) {
      await discard(req);
      reply(
        res,
        401,
        'Unauthorized',
        'The request authorization key is not authorized for this topic (aeg-sas-key or aeg-sas-token).',
      );
      return;
    }
    if (!url.searchParams.has('api-version')) {
      await discard(req);
      reply(res, 400, 'BadRequest', "The 'api-version' query parameter is required.");
      return;
    }
    const raw = await readBody(req);
    if (raw === undefined) {
      reply(res, 413, 'RequestEntityTooLarge', `The request exceeds ${MAX_BATCH_BYTES} bytes.`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      reply(res, 400, 'BadRequest', 'The request body is not valid JSON.');
      return;
    }
    const parsed = parseEvents(header(req, 'content-type') ?? 'application/json', body, topic);
    if (!parsed.ok) {
      reply(res, 400, 'BadRequest', parsed.reason);
      return;
    }
    for (const event of parsed.events) {
      for (const route of routesFor(event.eventType)) deliveryFor(route.queue).enqueue(event, route);
    }
    res.writeHead(200, { 'content-length': '0' }).end();
  }

  const port = await listenOnLoopback(server, options.port ?? 0);
  const endpoint = `http://127.0.0.1:${port}/api/events`;
  const pending = (): number => [...queues.values()].reduce((n, q) => n + q.pending(), 0);
  const drain = async (timeoutMs: number): Promise<boolean> => {
    const results = await Promise.all([...queues.values()].map(async (q) => q.idle(timeoutMs)));
    return results.every(Boolean);
  };
  let stopping: Promise<void> | undefined;
  return {
    name: 'eventgrid',
    url: endpoint,
    endpoint,
    key: options.key,
    deadLetters: () => [...deadLetters],
    pending,
    drain,
    stop: async () => {
      stopping ??= (async () => {
        await closeServer(server);
        // Give in-flight deliveries a moment; close() dead-letters (and logs) whatever is left.
        await drain(1000);
        await Promise.all([...queues.values()].map(async (q) => q.close()));
        await client.close();
      })();
      return stopping;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify({ error: { code, message } }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BATCH_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function discard(req: IncomingMessage): Promise<void> {
  for await (const _ of req as AsyncIterable<Buffer>) {
    // Read and drop the body so the keep-alive connection stays usable.
  }
}
