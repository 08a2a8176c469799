/**
 * Recorded provider fixtures (Nango's `*.test.json` idea): a JSON file of request → response
 * pairs, recorded once from the simulator or from a real provider, replayed by a tiny HTTP server
 * so adapter contract tests run offline, fast and without the recording's side effects.
 *
 * - `startRecordingProxy(targetBaseUrl)` forwards everything to the target and records it; the
 *   target's origin is replaced by `{{origin}}` in bodies and headers so the file does not depend
 *   on a port. Request headers are never recorded (they hold credentials).
 * - `startReplayServer(fixture)` answers each request with the first unused recorded interaction
 *   whose method, path, query and JSON body match (the last match is reused once all are used, so
 *   a retried request gets the same answer); anything else is a 501 and lands in `unmatched`.
 * - `replayFetch(fixture, origin)` is the same replay as an in-process `fetch` for HttpClient's
 *   `fetch` option (unit tests, no sockets), with `holdFrom` to test cancellation mid-request.
 * - `readFixture(path)` / `writeFixture(path, fixture)` validate with `FixtureSchema`.
 * - test/simulators/recordFixtures.ts re-records test/fixtures/{rest,wordpress}.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isDeepStrictEqual } from 'node:util';

import { z } from 'zod';

export const ORIGIN_PLACEHOLDER = '{{origin}}';

/** Response headers worth keeping: pagination, rate limits, content type. */
const KEPT_RESPONSE_HEADERS = new Set([
  'content-type',
  'link',
  'retry-after',
  'x-wp-total',
  'x-wp-totalpages',
  'x-total-pages',
  'x-total-count',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
]);

const JsonSchema = z.json();

export const InteractionSchema = z.object({
  request: z.object({
    method: z.string(),
    path: z.string(),
    /** Sorted `k=v&…` string (decoded values), '' when none. */
    query: z.string(),
    body: JsonSchema.optional(),
  }),
  response: z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    body: JsonSchema.optional(),
    text: z.string().optional(),
  }),
});
export type Interaction = z.infer<typeof InteractionSchema>;

export const FixtureSchema = z.object({
  provider: z.string(),
  description: z.string(),
  /** Where the responses came from, e.g. `WordPress 6.1 (Debian) via test/peers`. */
  source: z.string(),
  recordedAt: z.string(),
  /** The scenario's inputs and expected facts, read by the contract suite. */
  scenario: z.record(z.string(), JsonSchema),
  interactions: z.array(InteractionSchema),
});
export type Fixture = z.infer<typeof FixtureSchema>;

export async function readFixture(path: string): Promise<Fixture> {
  return FixtureSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}

export async function writeFixture(path: string, fixture: Fixture): Promise<void> {
  await writeFile(path, `${JSON.stringify(FixtureSchema.parse(fixture), null, 2)}\n`);
}

export function canonicalQuery(params: URLSearchParams): string {
  return [...params.entries()]
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface RecordingProxy extends RunningServer {
  /** What was recorded so far, origins replaced by the placeholder. */
  interactions(): Interaction[];
  clear(): void;
}

export interface ReplayServer extends RunningServer {
  readonly unmatched: readonly { method: string; path: string; query: string }[];
  /** How many requests were answered from the fixture. */
  readonly served: () => number;
}

export async function startRecordingProxy(targetBaseUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetBaseUrl);
  const recorded: Interaction[] = [];
  let proxyOrigin = '';
  const { url, close } = await listen(async (req, res, body) => {
    const incoming = new URL(req.url ?? '/', 'http://placeholder');
    const forwardUrl = new URL(`${incoming.pathname}${incoming.search}`, target.origin);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && k !== 'host' && k !== 'connection' && k !== 'content-length')
        headers.set(k, v);
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const upstream = await fetch(forwardUrl, {
      method,
      headers,
      ...(body.length > 0 ? { body } : {}),
      redirect: 'manual',
    });
    const text = await upstream.text();
    const keptHeaders: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (KEPT_RESPONSE_HEADERS.has(k)) keptHeaders[k] = v.split(target.origin).join(ORIGIN_PLACEHOLDER);
    });
    const placeheld = text.split(target.origin).join(ORIGIN_PLACEHOLDER);
    const parsedBody = tryJson(placeheld);
    const requestBody = body.length > 0 ? tryJson(body.toString('utf8')) : undefined;
    recorded.push({
      request: {
        method,
        path: incoming.pathname,
        query: canonicalQuery(incoming.searchParams),
        ...(requestBody !== undefined ? { body: requestBody } : {}),
      },
      response: {
        status: upstream.status,
        headers: keptHeaders,
        ...(parsedBody !== undefined ? { body: parsedBody } : text !== '' ? { text: placeheld } : {}),
      },
    });
    // The caller sees the proxy's own origin so follow-up Link URLs come back here.
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(keptHeaders)) out[k] = v.split(ORIGIN_PLACEHOLDER).join(proxyOrigin);
    res.writeHead(upstream.status, out);
    res.end(placeheld.split(ORIGIN_PLACEHOLDER).join(proxyOrigin));
  });
  proxyOrigin = url;
  return {
    url,
    close,
    interactions: () => structuredClone(recorded),
    clear: () => {
      recorded.length = 0;
    },
  };
}

/**
 * Matches requests against a fixture: the first unused interaction with the same method, path,
 * query and JSON body; once all matches are used the last one is reused (a retried request gets
 * the same answer).
 */
export class FixtureMatcher {
  private readonly used = new Set<number>();
  readonly unmatched: { method: string; path: string; query: string }[] = [];
  served = 0;

  constructor(private readonly fixture: Fixture) {}

  match(method: string, url: URL, bodyText: string): Interaction | undefined {
    const query = canonicalQuery(url.searchParams);
    const requestBody = bodyText.length > 0 ? tryJson(bodyText) : undefined;
    const candidates: number[] = [];
    this.fixture.interactions.forEach((it, i) => {
      const r = it.request;
      if (r.method !== method || r.path !== url.pathname || r.query !== query) return;
      if (r.body !== undefined && !isDeepStrictEqual(r.body, requestBody)) return;
      candidates.push(i);
    });
    const index = candidates.find((i) => !this.used.has(i)) ?? candidates[candidates.length - 1];
    const hit = index !== undefined ? this.fixture.interactions[index] : undefined;
    if (index === undefined || hit === undefined) {
      this.unmatched.push({ method, path: url.pathname, query });
      return undefined;
    }
    this.used.add(index);
    this.served += 1;
    return hit;
  }
}

function renderResponse(hit: Interaction, origin: string): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(hit.response.headers))
    headers[k] = v.split(ORIGIN_PLACEHOLDER).join(origin);
  const payload =
    hit.response.body !== undefined ? JSON.stringify(hit.response.body) : (hit.response.text ?? '');
  return { headers, body: payload.split(ORIGIN_PLACEHOLDER).join(origin) };
}

export async function startReplayServer(fixture: Fixture): Promise<ReplayServer> {
  const matcher = new FixtureMatcher(fixture);
  let origin = '';
  const server = await listen((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const hit = matcher.match((req.method ?? 'GET').toUpperCase(), url, body.toString('utf8'));
    if (hit === undefined) {
      res.writeHead(501, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'no recorded interaction for this request' }));
      return Promise.resolve();
    }
    const out = renderResponse(hit, origin);
    res.writeHead(hit.response.status, out.headers);
    res.end(out.body);
    return Promise.resolve();
  });
  origin = server.url;
  return { ...server, unmatched: matcher.unmatched, served: () => matcher.served };
}

/** The request init the shared HTTP client hands to its `fetch` option. */
export interface ReplayFetchInit {
  readonly method: string;
  readonly body?: string | Uint8Array | URLSearchParams;
  readonly signal: AbortSignal;
}

export interface ReplayFetch {
  (url: string, init: ReplayFetchInit): Promise<Response>;
  readonly calls: () => number;
  readonly matcher: FixtureMatcher;
}

/**
 * The fixture as an in-process `fetch` for HttpClient's `fetch` option: no sockets, so contract
 * tests are plain unit tests. Requests must go to `origin`. `holdFrom` (1-based) makes that request
 * and every later one wait until its signal aborts, to test cancellation mid-request.
 */
export function replayFetch(
  fixture: Fixture,
  origin: string,
  options: { holdFrom?: number } = {},
): ReplayFetch {
  const matcher = new FixtureMatcher(fixture);
  let calls = 0;
  const fn = (url: string, init: ReplayFetchInit): Promise<Response> => {
    calls += 1;
    const u = new URL(url);
    if (u.origin !== new URL(origin).origin)
      return Promise.reject(new TypeError(`unexpected origin ${u.origin}`));
    if (options.holdFrom !== undefined && calls >= options.holdFrom) {
      return new Promise<Response>((_resolve, reject) => {
        const fail = (): void => {
          reject(
            init.signal.reason instanceof Error
              ? init.signal.reason
              : new DOMException('aborted', 'AbortError'),
          );
        };
        if (init.signal.aborted) fail();
        else init.signal.addEventListener('abort', fail, { once: true });
      });
    }
    const text =
      init.body === undefined
        ? ''
        : typeof init.body === 'string'
          ? init.body
          : init.body instanceof URLSearchParams
            ? init.body.toString()
            : Buffer.from(init.body).toString('utf8');
    const hit = matcher.match(init.method.toUpperCase(), u, text);
    if (hit === undefined) {
      return Promise.resolve(
        new Response(JSON.stringify({ error: 'no recorded interaction for this request' }), {
          status: 501,
          headers: { 'content-type': 'application/json' },
        }),
      );
    }
    const out = renderResponse(hit, new URL(origin).origin);
    const nullBody = hit.response.status === 204 || hit.response.status === 304;
    return Promise.resolve(
      new Response(nullBody ? null : out.body, { status: hit.response.status, headers: out.headers }),
    );
  };
  return Object.assign(fn, { calls: () => calls, matcher });
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handler(req, res, Buffer.concat(chunks)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: e instanceof Error ? e.message : 'proxy error' }));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        for (const s of sockets) s.destroy();
      }),
  };
}

function tryJson(text: string): z.infer<typeof JsonSchema> | undefined {
  if (text === '') return undefined;
  try {
    return JsonSchema.parse(JSON.parse(text));
  } catch {
    return undefined;
  }
}
