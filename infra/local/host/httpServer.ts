import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { listenOnLoopback } from '../emulatorSupport';
import type { RpcHttpCookie, RpcHttpData, RpcInvocationResponse, RpcTypedData } from './coreTypes';
import type { Dispatcher, HostedFunction } from './dispatcher';
import { RouteTable } from './routes';

/** The Functions host rejects request bodies over 100 MB. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface HttpHostOptions {
  readonly port: number;
  readonly routePrefix: string;
  readonly httpFunctions: readonly HostedFunction[];
  /** Every function, for `POST /admin/functions/{name}` (Core Tools' way to run non-HTTP triggers). */
  readonly allFunctions: readonly HostedFunction[];
  readonly dispatcher: Dispatcher;
  /** Builds the trigger input for a manual run of a non-HTTP function. */
  readonly manualInput: (fn: HostedFunction, input: string | undefined) => RpcTypedData;
}

export interface RunningHttpHost {
  readonly port: number;
  /** Stops accepting connections and closes idle keep-alive sockets. */
  stopAccepting(): void;
  /** Closes whatever connections remain (after in-flight requests drained). */
  close(): Promise<void>;
}

interface RouteEntry {
  readonly fn: HostedFunction;
  /** Upper-case methods, or undefined when the function accepts any method. */
  readonly methods: ReadonlySet<string> | undefined;
}

function routeTemplate(fn: HostedFunction): string {
  const route = fn.triggerBinding['route'];
  return typeof route === 'string' && route.trim() !== '' ? route : fn.name;
}

function methodsOf(fn: HostedFunction): ReadonlySet<string> | undefined {
  const methods = fn.triggerBinding['methods'];
  if (!Array.isArray(methods) || methods.length === 0) return undefined;
  return new Set(methods.map((m) => String(m).toUpperCase()));
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const joined = Array.isArray(value) ? value.join(', ') : value;
    // The host leaves empty-valued headers out (IgnoreEmptyValuedRpcHttpHeaders).
    if (joined !== '') headers[name] = joined;
  }
  return headers;
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

function typedDataBytes(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
  if (data.stream) return Buffer.from(data.stream.buffer, data.stream.byteOffset, data.stream.byteLength);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

function serializeCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value?.seconds;
  if (typeof expires === 'number') parts.push(`Expires=${new Date(expires * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

/** The function's HTTP output: the `$return` binding, or an `http` output binding by name. */
function httpOutput(
  fn: HostedFunction,
  response: RpcInvocationResponse | undefined,
): RpcHttpData | undefined {
  if (!response) return undefined;
  if (response.returnValue?.http) return response.returnValue.http;
  const bindings = fn.registered.metadata.bindings;
  for (const output of response.outputData ?? []) {
    const binding = output.name ? bindings[output.name] : undefined;
    if (binding?.type?.toLowerCase() === 'http' && output.data?.http) return output.data.http;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    ...headers,
    ...(bytes.length > 0 ? { 'content-type': 'text/plain; charset=utf-8' } : {}),
    'content-length': String(bytes.length),
  });
  res.end(bytes);
}

/**
 * The HTTP side of the host: `/{routePrefix}/{route}` dispatched to the function whose route and
 * methods match, the request handed over in the RPC shape the Functions host sends (raw body
 * bytes untouched), the response written from the RPC shape the library returns.
 */
export async function startHttpHost(options: HttpHostOptions): Promise<RunningHttpHost> {
  const { dispatcher } = options;
  const table = new RouteTable<RouteEntry>();
  for (const fn of options.httpFunctions) {
    table.add(routeTemplate(fn), { fn, methods: methodsOf(fn) });
  }
  const prefix = options.routePrefix.toLowerCase();
  const byName = new Map(options.allFunctions.map((fn) => [fn.name.toLowerCase(), fn]));

  let port = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;
    const method = (req.method ?? 'GET').toUpperCase();
    const path = pathname.replace(/^\/+|\/+$/g, '');

    const adminMatch = /^admin\/functions\/([^/]+)$/i.exec(path);
    if (adminMatch?.[1] !== undefined && method === 'POST') {
      await runManually(req, res, decodeURIComponent(adminMatch[1]));
      return;
    }

    let rest: string;
    if (prefix === '') rest = path;
    else if (path.toLowerCase() === prefix) rest = '';
    else if (path.toLowerCase().startsWith(`${prefix}/`)) rest = path.slice(prefix.length + 1);
    else {
      if (path === '' && (method === 'GET' || method === 'HEAD')) {
        send(res, 200, 'The local Functions host is running.\n');
        return;
      }
      send(res, 404, '');
      return;
    }

    let chosen: { entry: RouteEntry; params: Record<string, string> } | undefined;
    const allowed = new Set<string>();
    for (const { route, params } of table.matches(rest)) {
      const { methods } = route.value;
      if (!methods || methods.has(method)) {
        chosen = { entry: route.value, params };
        break;
      }
      for (const m of methods) allowed.add(m);
    }
    if (!chosen) {
      if (allowed.size > 0) send(res, 405, '', { allow: [...allowed].join(', ') });
      else send(res, 404, '');
      return;
    }

    const body = await readBody(req);
    if (body === 'too-large') {
      send(res, 413, 'Request body too large\n', { connection: 'close' });
      return;
    }

    const headers = headerRecord(req);
    const host = headers['host'] ?? `127.0.0.1:${port}`;
    const http: RpcHttpData = {
      method,
      url: `http://${host}${rawUrl}`,
      headers,
      params: chosen.params,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: { bytes: body } }),
    };
    const fn = chosen.entry.fn;
    const result = await dispatcher.run(fn, {
      triggerData: { http },
      correlationId: headers['x-correlation-id'],
    });

    let status: number;
    if ('error' in result) {
      status = 500;
      send(res, status, '');
    } else {
      const output = httpOutput(fn, result.response);
      if (!output) {
        status = 204;
        res.writeHead(status);
        res.end();
      } else {
        status = Number(output.statusCode ?? '200') || 200;
        const responseBody = typedDataBytes(output.body);
        for (const [name, value] of Object.entries(output.headers ?? {})) {
          if (name.toLowerCase() !== 'content-length') res.setHeader(name, value);
        }
        const cookies = (output.cookies ?? []).map(serializeCookie);
        if (cookies.length > 0) res.setHeader('set-cookie', cookies);
        const noBody =
          method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
        if (!noBody) res.setHeader('content-length', String(responseBody.length));
        res.writeHead(status);
        res.end(noBody ? undefined : responseBody);
      }
    }
    dispatcher.report(fn, result, `${method} ${pathname} ${status}`);
  }

  async function runManually(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const fn = byName.get(name.toLowerCase());
    const body = await readBody(req);
    if (!fn || fn.trigger === 'http' || body === 'too-large') {
      send(res, fn ? 400 : 404, '');
      return;
    }
    let input: string | undefined;
    if (body.length > 0) {
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { input?: unknown };
        input = typeof parsed.input === 'string' ? parsed.input : undefined;
      } catch {
        send(res, 400, 'Expected a JSON body like {"input": "..."}\n');
        return;
      }
    }
    // Core Tools answers 202 and runs the function in the background.
    send(res, 202, '');
    const result = await dispatcher.run(fn, {
      triggerData: options.manualInput(fn, input),
      correlationId: headerRecord(req)['x-correlation-id'],
    });
    dispatcher.report(fn, result, 'manual run');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      dispatcher.logger.host('error', `HTTP request failed in the host: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, '');
      else res.destroy();
    });
  });
  // Keep-alive sockets of benchmark clients and providers stay open between requests.
  server.keepAliveTimeout = 65_000;
  port = await listenOnLoopback(server, options.port);

  let closed: Promise<void> | undefined;
  const stopAccepting = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
    server.closeIdleConnections();
    return closed;
  };

  return {
    port,
    stopAccepting() {
      void stopAccepting();
    },
    async close() {
      const done = stopAccepting();
      // Responses written by now are flushed on their idle connections; give a connection that is
      // still sending a moment before cutting it.
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 250);
        }),
      ]);
      clearTimeout(timer);
      server.closeAllConnections();
      await done;
    },
  };
}
