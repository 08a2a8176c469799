import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';

import { recorder } from '../../fixtures/hostApp/recorder';
import { type LocalHost, startLocalHost } from '../../support/localHost';

const appEntry = join(__dirname, '../../fixtures/hostApp/index.ts');
const hostJsonPath = join(__dirname, '../../../host.json');

interface LogRecord {
  msg: string;
  function?: string;
  trigger?: string;
  outcome?: string;
  correlationId?: string;
  invocationId?: string;
  durationMs?: number;
  detail?: string;
  error?: string;
}

let host: LocalHost;
let output = '';
/** Servers already open in this process (jest may run the test in band, next to the stack). */
let serversBefore = 0;
const openServers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

function logRecords(): LogRecord[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

async function waitFor<T>(read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sends bytes exactly as given (fetch would be fine too, but this pins the raw body). */
async function postRaw(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  recorder.reset();
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  serversBefore = openServers();
  host = await startLocalHost({
    appEntry,
    hostJsonPath,
    port: 0,
    logFormat: 'json',
    enableServiceBus: false,
    settings: { HOSTAPP_MARKER: 'from-settings' },
  });
});

afterAll(async () => {
  await host.stop();
  jest.restoreAllMocks();
});

describe('registrations', () => {
  it('receives every function with exactly the metadata @azure/functions declared', () => {
    const byName = new Map(host.functions.map((fn) => [fn.name, fn]));
    expect(byName.get('GetItem')?.trigger).toBe('http');
    expect(byName.get('GetItem')?.metadata).toMatchObject({
      name: 'GetItem',
      bindings: expect.objectContaining({
        $return: { type: 'http', direction: 'out', name: expect.stringMatching(/^httpOutput/) as unknown },
      }) as unknown,
    });
    const trigger = (fn: string): Record<string, unknown> => {
      const metadata = byName.get(fn)?.metadata as { bindings: Record<string, Record<string, unknown>> };
      const found = Object.values(metadata.bindings).find((b) => /Trigger$/.test(String(b['type'])));
      if (!found) throw new Error(`${fn} has no trigger`);
      return found;
    };
    expect(trigger('GetItem')).toMatchObject({
      type: 'httpTrigger',
      direction: 'in',
      methods: ['GET', 'DELETE'],
      route: 'items/{id:int}',
      authLevel: 'anonymous',
    });
    expect(trigger('Ping')).toMatchObject({ type: 'httpTrigger', methods: ['GET'] });
    expect(trigger('EverySecond')).toMatchObject({ type: 'timerTrigger', schedule: '* * * * * *' });
    expect(trigger('OnStartup')).toMatchObject({
      type: 'timerTrigger',
      schedule: '0 0 0 1 1 *',
      runOnStartup: true,
    });
    expect(trigger('SessionQueue')).toMatchObject({
      type: 'serviceBusTrigger',
      queueName: '%HOSTAPP_SESSION_QUEUE%',
      connection: 'HostAppServiceBus',
      isSessionsEnabled: true,
    });
    expect(trigger('PoisonDeadLetters')).toMatchObject({
      queueName: '%HOSTAPP_DLQ_QUEUE%/$deadletterqueue',
    });
    expect(byName.get('SessionQueue')?.trigger).toBe('serviceBus');
    expect(byName.get('EverySecond')?.trigger).toBe('timer');
  });

  it('copies the settings into process.env before the app loads and runs appStart hooks', () => {
    expect(process.env['HOSTAPP_MARKER']).toBe('from-settings');
    expect(recorder.lifecycle).toContain('appStart');
    expect(host.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
  });
});

describe('HTTP triggers', () => {
  it('binds route parameters, query and method', async () => {
    const res = await fetch(`${host.baseUrl}/items/42?a=1&b=two`, {
      headers: { 'x-correlation-id': 'corr-42' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      function: 'GetItem',
      method: 'GET',
      params: { id: '42' },
      query: { a: '1', b: 'two' },
      url: `${host.baseUrl}/items/42?a=1&b=two`,
    });
    const line = logRecords().find((r) => r.msg === 'invocation' && r.correlationId === 'corr-42');
    expect(line).toMatchObject({
      function: 'GetItem',
      trigger: 'http',
      outcome: 'ok',
      detail: 'GET /api/items/42 200',
    });
    expect(typeof line?.durationMs).toBe('number');
    // context.log goes through the same logger, tagged with the invocation.
    expect(output).toContain('"msg":"item 42"');
  });

  it('answers 404 for unknown routes and failed constraints, 405 with Allow for a wrong method', async () => {
    expect((await fetch(`${host.baseUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl}/items/abc`)).status).toBe(404);
    expect((await fetch(`${host.baseUrl.replace(/\/api$/, '')}/other/items/1`)).status).toBe(404);
    const wrongMethod = await fetch(`${host.baseUrl}/items/42`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, DELETE');
    expect((await fetch(`${host.baseUrl}/items/42`, { method: 'DELETE' })).status).toBe(200);
  });

  it('prefers a literal route over a parameter, matches names case-insensitively, defaults the route to the name', async () => {
    expect(await (await fetch(`${host.baseUrl}/items/new`)).json()).toEqual({ function: 'NewItem' });
    expect(await (await fetch(`${host.baseUrl}/ping`)).text()).toBe('pong');
    expect(await (await fetch(`${host.baseUrl}/files/a/b/c%20d.txt`)).json()).toEqual({
      path: 'a/b/c d.txt',
    });
    expect(await (await fetch(`${host.baseUrl}/files`)).json()).toEqual({ path: null });
  });

  it('hands the handler the raw body bytes unchanged', async () => {
    const body = Buffer.concat([
      Buffer.from('{"event":"order.created","note":"caf\u00e9"}\r\n', 'utf8'),
      Buffer.from([0xff, 0xfe, 0x00, 0x80]),
    ]);
    const { status, json } = await postRaw(`${host.baseUrl}/webhooks/github/int-1`, body, {
      'content-type': 'application/octet-stream',
      'x-signature': 'sha256=abc',
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      sha256: createHash('sha256').update(body).digest('hex'),
      length: body.length,
      params: { provider: 'github', integrationId: 'int-1' },
      contentType: 'application/octet-stream',
      signature: 'sha256=abc',
    });
    const optional = await postRaw(`${host.baseUrl}/webhooks/stripe`, Buffer.from('x'), {});
    expect((optional.json as { params: unknown }).params).toEqual({ provider: 'stripe' });
    expect(output).not.toContain('order.created');
  });

  it('writes status, headers, cookies and body from the response', async () => {
    const res = await fetch(`${host.baseUrl}/items`, {
      method: 'POST',
      body: JSON.stringify({ name: 'lamp' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/items/7');
    expect(res.headers.get('x-item-name')).toBe('lamp');
    expect(res.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly; SameSite=Strict']);
    expect(await res.json()).toEqual({ id: 7, name: 'lamp' });
  });

  it('answers 500 when the handler throws and logs the failure with its correlation id', async () => {
    const res = await fetch(`${host.baseUrl}/boom`, { headers: { 'x-correlation-id': 'corr-boom' } });
    expect(res.status).toBe(500);
    const line = logRecords().find((r) => r.msg === 'invocation' && r.correlationId === 'corr-boom');
    expect(line).toMatchObject({
      function: 'Boom',
      outcome: 'error',
      error: 'Error: handler failed on purpose',
      detail: 'GET /api/boom 500',
    });
  });

  it('logs a caller correlation id cleaned of control characters and capped', async () => {
    await fetch(`${host.baseUrl}/ping`, { headers: { 'x-correlation-id': 'tab\there' } });
    await fetch(`${host.baseUrl}/ping`, { headers: { 'x-correlation-id': 'x'.repeat(500) } });
    const ids = logRecords()
      .filter((r) => r.msg === 'invocation' && r.function === 'Ping')
      .map((r) => r.correlationId);
    expect(ids).toContain('tab?here');
    expect(ids).toContain('x'.repeat(128));
  });

  it('runs preInvocation and postInvocation hooks around the handler', async () => {
    const res = await fetch(`${host.baseUrl}/hooked`);
    expect(await res.json()).toEqual({
      replacedBy: 'postInvocation',
      sawHookData: { startedBy: 'preInvocation' },
    });
  });

  it('keeps connections alive between requests', async () => {
    const sockets = new Set<unknown>();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i += 1) {
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${host.baseUrl}/ping`, { agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    }
    agent.destroy();
    expect(sockets.size).toBe(1);
  });
});

describe('timer triggers', () => {
  it('fires runOnStartup once at start, with the timer input the host sends', () => {
    const startup = recorder.of('OnStartup');
    expect(startup).toHaveLength(1);
    expect(startup[0]?.input).toEqual({
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: '0001-01-01T00:00:00.000Z',
        next: expect.stringMatching(/-01-01T00:00:00\.000Z$/) as unknown,
        lastUpdated: expect.any(String) as unknown,
      },
      isPastDue: false,
    });
    expect(startup[0]?.triggerMetadata).toBeUndefined();
  });

  it('fires a 6-field schedule on its seconds, one run at a time', async () => {
    const runs = await waitFor(() => {
      const seen = recorder.of('EverySecond');
      return seen.length >= 3 ? seen.slice(0, 3) : undefined;
    }, 6000);
    for (const run of runs) {
      // Each occurrence is a whole second; the run starts right after it.
      expect(run.at % 1000).toBeLessThan(400);
    }
    const gaps = runs.slice(1).map((run, i) => run.at - (runs[i]?.at ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(600);
      expect(gap).toBeLessThan(1400);
    }
    const second = runs[1]?.input as { scheduleStatus: { last: string; next: string } };
    expect(Date.parse(second.scheduleStatus.next) - Date.parse(second.scheduleStatus.last)).toBe(2000);
  });

  it("retries a failing timer run per the function's retry policy, with the retry context", async () => {
    const attempts = await waitFor(() => {
      const seen = recorder.of('FlakyTimer');
      return seen.length >= 3 ? seen : undefined;
    }, 5000);
    expect(attempts.map((a) => a.input)).toEqual([
      { retryCount: 0, maxRetryCount: 2 },
      { retryCount: 1, maxRetryCount: 2 },
      { retryCount: 2, maxRetryCount: 2 },
    ]);
    const outcomes = logRecords()
      .filter((r) => r.msg === 'invocation' && r.function === 'FlakyTimer')
      .map((r) => r.outcome);
    expect(outcomes).toEqual(['error', 'error', 'ok']);
  });

  it('runs a non-HTTP function on demand through POST /admin/functions/{name}', async () => {
    const before = recorder.of('OnStartup').length;
    const origin = host.baseUrl.replace(/\/api$/, '');
    const res = await fetch(`${origin}/admin/functions/OnStartup`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(202);
    await waitFor(() => (recorder.of('OnStartup').length > before ? true : undefined), 2000);
  });
});

describe('stop', () => {
  it('stops fast, closes the port, cancels timers, runs appTerminate and restores the environment', async () => {
    const port = Number(new URL(host.baseUrl).port);
    const inFlight = fetch(`${host.baseUrl}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await host.stop();
    // The request that was running when stop() began still got its answer.
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await answered.text()).toBe('done');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(recorder.lifecycle).toContain('appTerminate');
    expect(process.env['HOSTAPP_MARKER']).toBeUndefined();

    const timerRuns = recorder.of('EverySecond').length;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(recorder.of('EverySecond')).toHaveLength(timerRuns);

    await expect(fetch(`http://127.0.0.1:${port}/api/ping`)).rejects.toThrow();
    expect(openServers()).toBeLessThanOrEqual(serversBefore);
    // A second stop is a no-op.
    await host.stop();
  });

  it('starts again in the same process with the same registrations', async () => {
    const again = await startLocalHost({
      appEntry,
      hostJsonPath,
      port: 0,
      logFormat: 'json',
      settings: {},
      enableServiceBus: false,
      enableTimers: false,
    });
    try {
      expect(await (await fetch(`${again.baseUrl}/ping`)).text()).toBe('pong');
      expect(again.functions.map((fn) => fn.name)).toEqual(host.functions.map((fn) => fn.name));
    } finally {
      await again.stop();
    }
  });
});
