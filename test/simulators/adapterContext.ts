import type { AdapterContext, ConnectionCredentials } from '../../adapters/base/adapter';
import type { HttpClientOptions } from '../../adapters/base/httpClient';
import { HttpClient } from '../../adapters/base/httpClient';

/**
 * An HttpClient for talking to simulators on loopback: 127.0.0.1 allowed through the SSRF guard,
 * short timeouts and back-off so fault tests stay quick. Close it in afterAll.
 */
export function simulatorHttpClient(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    allowlist: ['127.0.0.1'],
    timeoutMs: 2_000,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5_000 },
    ...overrides,
  });
}

export function adapterContext(
  http: HttpClient,
  credentials: ConnectionCredentials,
  settings: Readonly<Record<string, unknown>>,
  connectionId = 'conn-1',
): AdapterContext {
  return { tenantId: 'tenant-1', integrationId: 'integration-1', connectionId, credentials, settings, http };
}
