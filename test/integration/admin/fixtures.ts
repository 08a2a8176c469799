import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A provider on loopback that accepts one bearer token on GET /me and refuses others. */
export async function startFakeProvider(
  token: string,
): Promise<{ url: string; calls: number; close(): Promise<void> }> {
  const state = { calls: 0 };
  const server: Server = createServer((req, res) => {
    state.calls += 1;
    const ok = req.headers.authorization === `Bearer ${token}`;
    res.writeHead(req.url?.startsWith('/me') === true ? (ok ? 200 : 401) : 404, {
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(ok ? { name: 'fake account' } : { error: 'unauthorized' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return state.calls;
    },
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

export function bearerConnection(name: string, baseUrl: string, token: string): Record<string, unknown> {
  return { name, provider: 'rest', baseUrl, params: { testPath: '/me' }, auth: { type: 'BEARER', token } };
}

export function restIntegration(
  name: string,
  connectionId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    name,
    provider: 'rest',
    connectionId,
    direction: 'inbound',
    resourceTypes: [{ name: 'contacts' }],
    ...extra,
  };
}
