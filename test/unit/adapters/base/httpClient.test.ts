import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { z } from 'zod';

import type { FetchLike } from '../../../../adapters/base/httpClient';
import { HttpClient } from '../../../../adapters/base/httpClient';
import { SyncError } from '../../../../shared/reliability';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let base: string;
let handler: Handler;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

const UNDICI_GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

beforeAll(async () => {
  // Jest runs tests in a vm context whose globalThis is not the one undici registers its global
  // dispatcher on; production code runs in the main context. Copy the slot over so the client's
  // discovery of undici's Agent works here as it does in the Functions host.
  await (await fetch('data:,')).text();

  const mainRealm = (
    fetch as unknown as { constructor: (code: string) => () => Record<symbol, unknown> }
  ).constructor('return globalThis')();
  (globalThis as unknown as Record<symbol, unknown>)[UNDICI_GLOBAL_DISPATCHER] ??=
    mainRealm[UNDICI_GLOBAL_DISPATCHER];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

const clients: HttpClient[] = [];
afterEach(async () => {
  seen.length = 0;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

const noSleep = { sleep: () => Promise.resolve(), random: () => 0 };
const START = 1_700_000_000_000;

/** Sleeping advances a fake clock, so waits are measured without real time passing. */
function fakeClock() {
  let t = START;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

function client(options: ConstructorParameters<typeof HttpClient>[0] = {}): HttpClient {
  const c = new HttpClient({ allowlist: ['127.0.0.1'], ...noSleep, ...options });
  clients.push(c);
  return c;
}

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

const Contact = z.object({ id: z.number(), email: z.string() });

describe('HttpClient against a local server', () => {
  it('returns a typed, schema-checked response and sends query, headers and JSON', async () => {
    handler = (_req, res) => {
      json(res, 200, { id: 7, email: 'a@example.com' });
    };
    const res = await client().post(`${base}/contacts`, {
      query: { since: '2024-01-01', skip: undefined, n: 5 },
      headers: { authorization: 'Bearer t0ken' },
      json: { email: 'a@example.com' },
      idempotencyKey: 'idem-1',
      schema: Contact,
    });
    expect(res.body.email).toBe('a@example.com');
    expect(res.status).toBe(200);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/contacts?since=2024-01-01&n=5',
      body: '{"email":"a@example.com"}',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'idem-1',
        authorization: 'Bearer t0ken',
      },
    });
  });

  it('turns a body that does not match the schema into a non-retryable InvalidPayload without echoing it', async () => {
    handler = (_req, res) => {
      json(res, 200, { id: 'x', email: 'secret@example.com' });
    };
    const error = await client()
      .get(`${base}/c`, { schema: Contact })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidPayload', retryable: false });
    expect((error as Error).message).not.toContain('secret@example.com');
    expect(seen).toHaveLength(1);
  });

  it('maps statuses to SyncErrors with the status and never the body or auth header', async () => {
    handler = (_req, res) => {
      json(res, 404, { error: 'no contact secret@example.com' });
    };
    const error = await client()
      .get(`${base}/c/1`, { headers: { authorization: 'Bearer sup3rsecret' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'RecordNotFound', status: 404, retryable: false });
    const text = JSON.stringify(error) + (error as Error).message;
    expect(text).not.toContain('secret@example.com');
    expect(text).not.toContain('sup3rsecret');
  });

  it('retries a GET on 503 and returns the later success', async () => {
    let n = 0;
    handler = (_req, res) => {
      n++;
      if (n < 3) json(res, 503, {});
      else json(res, 200, { ok: true });
    };
    const attempts: number[] = [];
    const res = await client({ onAttempt: (e) => attempts.push(e.status ?? 0) }).get(`${base}/flaky`);
    expect(res.body).toEqual({ ok: true });
    expect(attempts).toEqual([503, 503, 200]);
  });

  it('does not retry a POST on 500 unless it carries an idempotency key or is marked safe', async () => {
    handler = (_req, res) => {
      json(res, 500, {});
    };
    await expect(client().post(`${base}/x`, { json: {} })).rejects.toMatchObject({
      code: 'ProviderUnavailable',
      status: 500,
    });
    expect(seen).toHaveLength(1);
    seen.length = 0;
    const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1000 };
    await expect(
      client().post(`${base}/x`, { json: {}, idempotencyKey: 'k', retryPolicy: policy }),
    ).rejects.toMatchObject({
      status: 500,
    });
    expect(seen).toHaveLength(3);
    seen.length = 0;
    await expect(
      client().post(`${base}/x`, { json: {}, retrySafe: true, retryPolicy: policy }),
    ).rejects.toMatchObject({
      status: 500,
    });
    expect(seen).toHaveLength(3);
  });

  it('honours Retry-After on 429 before retrying, even for a POST', async () => {
    let n = 0;
    handler = (_req, res) => {
      n++;
      if (n === 1) json(res, 429, {}, { 'retry-after': '2' });
      else json(res, 201, { id: 1 });
    };
    const clock = fakeClock();
    const res = await client(clock).post(`${base}/x`, { json: {} });
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(2);
    // The retry went out no sooner than the provider asked.
    expect(clock.now() - START).toBeGreaterThanOrEqual(2000);
  });

  it('gives up when Retry-After is longer than the policy will wait, reporting it', async () => {
    handler = (_req, res) => {
      json(res, 429, {}, { 'retry-after': '3600' });
    };
    await expect(client().get(`${base}/x`)).rejects.toMatchObject({
      code: 'ProviderRateLimited',
      retryable: true,
      retryAfterMs: 3_600_000,
    });
    expect(seen).toHaveLength(1);
  });

  it('times out a slow provider as a retryable ProviderTimeout', async () => {
    handler = (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) json(res, 200, {});
      }, 500);
    };
    await expect(
      client().get(`${base}/slow`, {
        timeoutMs: 50,
        retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 },
      }),
    ).rejects.toMatchObject({ code: 'ProviderTimeout', retryable: true });
  });

  it("passes the caller's abortSignal through and does not retry a cancellation", async () => {
    handler = (_req, res) => {
      setTimeout(() => {
        if (!res.destroyed) json(res, 200, {});
      }, 500);
    };
    const ac = new AbortController();
    setTimeout(() => {
      ac.abort();
    }, 30);
    await expect(client().get(`${base}/slow`, { abortSignal: ac.signal })).rejects.toMatchObject({
      code: 'Cancelled',
      retryable: false,
    });
    expect(seen.length).toBeLessThanOrEqual(1);
  });

  it('follows redirects, re-checking each hop, and drops credentials across origins', async () => {
    handler = (req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/end` });
        res.end();
      } else json(res, 200, { at: req.url });
    };
    const resolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 as const }]);
    const res = await client({ resolver }).get(`${base}/start`, { headers: { authorization: 'Bearer x' } });
    expect(res.body).toEqual({ at: '/end' });
    expect(res.url).toContain('localhost');
    expect(seen[0]?.headers.authorization).toBe('Bearer x');
    expect(seen[1]?.headers.authorization).toBeUndefined();
  });

  it('refuses a redirect to the metadata address', async () => {
    handler = (_req, res) => {
      res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    };
    await expect(client().get(`${base}/evil`)).rejects.toMatchObject({
      code: 'SsrfBlocked',
      retryable: false,
    });
    expect(seen).toHaveLength(1);
  });

  it('stops a redirect loop', async () => {
    handler = (_req, res) => {
      res.writeHead(301, { location: '/again' });
      res.end();
    };
    await expect(client({ maxRedirects: 3 }).get(`${base}/loop`)).rejects.toMatchObject({
      code: 'ProviderRejected',
    });
    expect(seen).toHaveLength(4);
  });

  it('pins the connection to the vetted address (the name is never resolved by the OS)', async () => {
    handler = (req, res) => {
      json(res, 200, { host: req.headers.host });
    };
    const port = (server.address() as AddressInfo).port;
    const resolver = jest.fn(() => Promise.resolve([{ address: '127.0.0.1', family: 4 as const }]));
    const res = await client({ resolver, allowlist: ['127.0.0.0/8'] }).get(
      `http://provider.invalid:${port}/x`,
    );
    expect(res.body).toEqual({ host: `provider.invalid:${port}` });
    expect(resolver).toHaveBeenCalledWith('provider.invalid');
  });

  it('refuses a name that rebinds to a blocked address between the check and the connect', async () => {
    handler = (_req, res) => {
      json(res, 200, {});
    };
    const port = (server.address() as AddressInfo).port;
    const answers = ['127.0.0.1', '127.0.0.2'];
    const resolver = () => Promise.resolve([{ address: answers.shift() ?? '127.0.0.2', family: 4 as const }]);
    await expect(
      client({ resolver, allowlist: ['127.0.0.1'] }).get(`http://rebind.invalid:${port}/x`),
    ).rejects.toMatchObject({ code: 'SsrfBlocked' });
    expect(seen).toHaveLength(0);
  });

  it('applies the per-connection rate limit', async () => {
    handler = (_req, res) => {
      json(res, 200, {});
    };
    const clock = fakeClock();
    const c = client({ ...clock, rateLimit: { requestsPerSecond: 5, burst: 2 } });
    for (let i = 0; i < 4; i++) await c.get(`${base}/r`, { connectionId: 'conn-1' });
    await c.get(`${base}/r`, { connectionId: 'conn-2' });
    expect(clock.sleeps).toEqual([200, 200]);
  });

  it('pauses a connection after X-RateLimit-Remaining: 0 until the reset', async () => {
    handler = (_req, res) => {
      json(res, 200, {}, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4' });
    };
    const clock = fakeClock();
    const c = client(clock);
    await c.get(`${base}/r`, { connectionId: 'c' });
    expect(clock.sleeps).toEqual([]);
    await c.get(`${base}/r`, { connectionId: 'other' });
    expect(clock.sleeps).toEqual([]);
    await c.get(`${base}/r`, { connectionId: 'c' });
    expect(clock.sleeps).toEqual([4000]);
  });
});

describe('SSRF guard in the client: no traffic for blocked targets', () => {
  it.each([
    'http://127.0.0.1:1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f000001/',
    'ftp://example.com/file',
  ])('%s is refused before any fetch or DNS', async (url) => {
    const fetchSpy = jest.fn<ReturnType<FetchLike>, Parameters<FetchLike>>();
    const resolver = jest.fn(() => Promise.resolve([{ address: '93.184.216.34', family: 4 as const }]));
    const c = new HttpClient({ fetch: fetchSpy, resolver, ...noSleep });
    clients.push(c);
    await expect(c.get(url)).rejects.toMatchObject({ code: 'SsrfBlocked', retryable: false });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(resolver).not.toHaveBeenCalled();
  });

  it('127.0.0.1 (the test server) is refused without the allowlist', async () => {
    const c = new HttpClient({ ...noSleep });
    clients.push(c);
    await expect(c.get(`${base}/x`)).rejects.toMatchObject({ code: 'SsrfBlocked' });
    expect(seen).toHaveLength(0);
  });
});
