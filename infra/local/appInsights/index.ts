import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';

import { closeServer, listenOnLoopback } from '../emulatorSupport';
import type { RunningService } from '../stackTypes';
import type { LocalCertificates } from '../tls/certificates';

const gunzip = promisify(gunzipCallback);

/** One Application Insights envelope as the exporters send it (the fields tests look at). */
export interface TelemetryEnvelope {
  readonly name: string;
  readonly time: string;
  readonly iKey?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly data?: {
    readonly baseType?: string;
    readonly baseData?: Readonly<Record<string, unknown>>;
  };
}

export interface StartTelemetryCollectorOptions {
  /** Server certificate signed by the local CA; the exporter must trust that CA (NODE_EXTRA_CA_CERTS). */
  readonly certificates: LocalCertificates;
  readonly port?: number;
  /** Envelopes kept; the oldest are dropped past this (tests run long). Default 50,000. */
  readonly maxEnvelopes?: number;
}

export interface RunningTelemetryCollector extends RunningService {
  /** APPLICATIONINSIGHTS_CONNECTION_STRING whose IngestionEndpoint (and LiveEndpoint) is this collector. */
  readonly connectionString: string;
  envelopes(): readonly TelemetryEnvelope[];
  waitFor(predicate: (envelope: TelemetryEnvelope) => boolean, timeoutMs: number): Promise<TelemetryEnvelope>;
}

/** Path where a test in another process reads what arrived (GET) or clears it (DELETE). */
export const ENVELOPES_TEST_PATH = '/_test/envelopes';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

interface Waiter {
  readonly predicate: (envelope: TelemetryEnvelope) => boolean;
  readonly resolve: (envelope: TelemetryEnvelope) => void;
}

/**
 * A local https ingestion endpoint for Application Insights: `POST /v2.1/track` (and `/v2/track`)
 * with a JSON array or newline-delimited envelopes, gzip or not, answered like the service does.
 * Live-metrics calls get "not subscribed" so an exporter with live metrics on stays quiet.
 */
export async function startTelemetryCollector(
  options: StartTelemetryCollectorOptions,
): Promise<RunningTelemetryCollector> {
  const received: TelemetryEnvelope[] = [];
  const waiters = new Set<Waiter>();
  const max = options.maxEnvelopes ?? 50_000;

  const server = createServer(
    { cert: options.certificates.serverCertPem, key: options.certificates.serverKeyPem, keepAlive: true },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (err as Error).message }));
      });
    },
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://collector').pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        .end(JSON.stringify(body));
    };
    if (path === ENVELOPES_TEST_PATH) {
      if (req.method === 'GET') {
        json(200, received);
        return;
      }
      if (req.method === 'DELETE') {
        received.length = 0;
        json(200, { cleared: true });
        return;
      }
    }
    if (path.includes('QuickPulseService.svc')) {
      await drain(req);
      res.writeHead(200, { 'x-ms-qps-subscribed': 'false' }).end();
      return;
    }
    if (req.method === 'POST' && (path === '/v2.1/track' || path === '/v2/track')) {
      let body = await drain(req);
      if ((req.headers['content-encoding'] ?? '').toLowerCase() === 'gzip') body = await gunzip(body);
      let envelopes: unknown[];
      try {
        envelopes = parseEnvelopes(body.toString('utf8'));
      } catch (err) {
        json(400, {
          itemsReceived: 0,
          itemsAccepted: 0,
          errors: [{ index: 0, statusCode: 400, message: (err as Error).message }],
        });
        return;
      }
      const errors: { index: number; statusCode: number; message: string }[] = [];
      envelopes.forEach((value, index) => {
        if (!isEnvelope(value)) {
          errors.push({ index, statusCode: 400, message: 'Envelope needs name and time' });
          return;
        }
        received.push(value);
        for (const waiter of waiters) {
          if (waiter.predicate(value)) {
            waiters.delete(waiter);
            waiter.resolve(value);
          }
        }
      });
      if (received.length > max) received.splice(0, received.length - max);
      json(errors.length === 0 ? 200 : 206, {
        itemsReceived: envelopes.length,
        itemsAccepted: envelopes.length - errors.length,
        errors,
      });
      return;
    }
    json(404, { error: 'not found' });
  }

  const port = await listenOnLoopback(server, options.port ?? 0);
  const url = `https://127.0.0.1:${port}/`;
  let stopping: Promise<void> | undefined;
  return {
    name: 'telemetry-collector',
    url,
    connectionString: `InstrumentationKey=${randomUUID()};IngestionEndpoint=${url};LiveEndpoint=${url}`,
    envelopes: () => [...received],
    waitFor: async (predicate, timeoutMs) => {
      const already = received.find(predicate);
      if (already !== undefined) return already;
      return new Promise<TelemetryEnvelope>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`no matching telemetry envelope within ${timeoutMs} ms (${received.length} received)`),
          );
        }, timeoutMs);
        const waiter: Waiter = {
          predicate,
          resolve: (envelope) => {
            clearTimeout(timer);
            resolve(envelope);
          },
        };
        waiters.add(waiter);
      });
    },
    stop: async () => {
      stopping ??= closeServer(server);
      return stopping;
    },
  };
}

function parseEnvelopes(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  return trimmed
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as unknown);
}

function isEnvelope(value: unknown): value is TelemetryEnvelope {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && typeof v['time'] === 'string';
}

async function drain(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('telemetry batch too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
