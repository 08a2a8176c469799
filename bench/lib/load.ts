import { Agent, request } from 'node:http';

/** A prepared request: the load generator does no work per request beyond sending it. */
export interface PreparedRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface Sample {
  readonly status: number;
  readonly latencyMs: number;
  readonly body: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at] ?? NaN;
}

function send(agent: Agent, base: URL, r: PreparedRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: r.path,
        headers: { ...r.headers, 'content-length': String(r.body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', () => {
          resolve({ status: 0, body: '' });
        });
      },
    );
    req.on('error', () => {
      resolve({ status: 0, body: '' });
    });
    req.end(r.body);
  });
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whatever happened to earlier
 * ones, and its latency counts from when it was due, so a stalled server cannot hide its queue
 * (no coordinated omission).
 */
export async function fixedRate(
  baseUrl: string,
  requests: readonly PreparedRequest[],
  ratePerSecond: number,
): Promise<Sample[]> {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const samples: Sample[] = new Array<Sample>(requests.length);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(
        requests.length,
        Math.floor(((performance.now() - start) * ratePerSecond) / 1000) + 1,
      );
      while (next < due) {
        const i = next++;
        const dueAt = start + (i * 1000) / ratePerSecond;
        pending.push(
          send(agent, base, requests[i] as PreparedRequest).then((r) => {
            samples[i] = { status: r.status, latencyMs: performance.now() - dueAt, body: r.body };
          }),
        );
      }
      if (next >= requests.length) resolve();
      else setImmediate(tick);
    };
    tick();
  });
  await Promise.all(pending);
  agent.destroy();
  return samples;
}

/** Closed loop: `concurrency` requests always in flight for `durationMs`; completed 2xx per second. */
export async function maxThroughput(
  baseUrl: string,
  make: (i: number) => PreparedRequest,
  concurrency: number,
  durationMs: number,
): Promise<{ rps: number; ok: number; failed: number }> {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let i = 0;
  let ok = 0;
  let failed = 0;
  const end = performance.now() + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const r = await send(agent, base, make(i++));
      if (r.status >= 200 && r.status < 300) ok++;
      else failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { rps: ok / seconds, ok, failed };
}
