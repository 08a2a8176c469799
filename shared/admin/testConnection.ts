import type { HttpClient } from '../../adapters/base/httpClient';
import type { ConnectionTarget, ConnectionTestOutcome, ProviderEntry } from '../../adapters/registry';
import type { Credentials } from '../domain/connection';
import { isSyncError } from '../reliability/errors';
import { fillPlaceholders } from './credentials';

export type ConnectionTestStatus =
  'OK' | 'AUTH_FAILED' | 'UNEXPECTED_STATUS' | 'UNREACHABLE' | 'BLOCKED' | 'CONFIG_INVALID' | 'ERROR';

export interface ConnectionTestResult {
  readonly status: ConnectionTestStatus;
  /** True/false when the provider's answer says so; null when it could not tell (unreachable, blocked). */
  readonly credentialsValid: boolean | null;
  readonly latencyMs: number;
  readonly httpStatus?: number;
  /** Host only: paths can hold ids, and credentials never appear in a URL we report. */
  readonly host?: string;
  readonly message: string;
  readonly testedAt: string;
}

/** Headers and query parameters that present the credentials, as every provider here expects them. */
export function authenticationFor(credentials: Credentials): {
  headers: Record<string, string>;
  query: Record<string, string>;
} {
  switch (credentials.type) {
    case 'API_KEY': {
      const { placement } = credentials;
      const value = `${placement.prefix ?? ''}${credentials.apiKey}`;
      return placement.in === 'query'
        ? { headers: {}, query: { [placement.name]: value } }
        : { headers: { [placement.name]: value }, query: {} };
    }
    case 'BASIC':
      return {
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`,
        },
        query: {},
      };
    case 'BEARER':
      return { headers: { authorization: `Bearer ${credentials.token}` }, query: {} };
    case 'OAUTH2':
      return credentials.accessToken !== undefined
        ? { headers: { authorization: `Bearer ${credentials.accessToken}` }, query: {} }
        : { headers: {}, query: {} };
  }
}

const TEST_TIMEOUT_MS = 10_000;
const NO_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 };

/** Calls the provider's verification endpoint (descriptor data) through the shared HTTP client. */
export async function verifyWithDescriptor(
  http: HttpClient,
  entry: ProviderEntry,
  target: ConnectionTarget,
  options: { abortSignal?: AbortSignal } = {},
): Promise<ConnectionTestOutcome> {
  const verification = entry.verification;
  if (verification === undefined) return { message: 'this provider has no verification endpoint' };
  const params = { testPath: '', ...target.params };
  const path = fillPlaceholders(verification.path, params);
  if (!path.ok) throw new ConfigMissingError(path.missing);
  const auth = authenticationFor(target.credentials);
  const response = await http.request(
    `${target.baseUrl}${path.url.startsWith('/') || path.url === '' ? '' : '/'}${path.url}`,
    {
      method: verification.method,
      headers: { ...verification.headers, ...auth.headers, accept: 'application/json' },
      query: auth.query,
      ...(verification.json !== undefined ? { json: verification.json } : {}),
      connectionId: target.connectionId,
      timeoutMs: TEST_TIMEOUT_MS,
      retryPolicy: NO_RETRY,
      responseType: 'none',
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    },
  );
  const expected = verification.expectStatus.includes(response.status);
  return {
    httpStatus: response.status,
    ...(expected ? { credentialsValid: true } : {}),
    message: expected ? 'the provider accepted the credentials' : `the provider answered ${response.status}`,
  };
}

export class ConfigMissingError extends Error {
  override readonly name = 'ConfigMissingError';
  constructor(readonly missing: readonly string[]) {
    super(`the connection needs params: ${missing.join(', ')}`);
  }
}

/**
 * Runs one connection test and describes the outcome; never throws for anything the provider or
 * the network does, because a failed test is an answer, not an error.
 */
export async function runConnectionTest(
  http: HttpClient,
  entry: ProviderEntry,
  target: ConnectionTarget,
  now: () => Date,
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const testedAt = now().toISOString();
  let host: string | undefined;
  try {
    host = new URL(target.baseUrl).host;
  } catch {
    host = undefined;
  }
  const base = { testedAt, ...(host !== undefined ? { host } : {}) };
  const latency = (): number => Math.round(performance.now() - started);
  try {
    const outcome =
      entry.createAdapter !== undefined
        ? await entry.createAdapter({ http }).testConnection(target)
        : await verifyWithDescriptor(http, entry, target);
    const okStatus = outcome.credentialsValid === true;
    return {
      ...base,
      status: okStatus ? 'OK' : 'UNEXPECTED_STATUS',
      credentialsValid: outcome.credentialsValid ?? null,
      latencyMs: latency(),
      ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
      message: outcome.message,
    };
  } catch (e) {
    const latencyMs = latency();
    if (e instanceof ConfigMissingError) {
      return { ...base, status: 'CONFIG_INVALID', credentialsValid: null, latencyMs, message: e.message };
    }
    if (isSyncError(e)) {
      const httpStatus = e.status;
      const withStatus = httpStatus !== undefined ? { httpStatus } : {};
      if (e.code === 'SsrfBlocked') {
        return {
          ...base,
          status: 'BLOCKED',
          credentialsValid: null,
          latencyMs,
          message: `refused to connect: ${e.message} (OUTBOUND_HOST_ALLOWLIST can permit it)`,
        };
      }
      if (httpStatus === 401 || httpStatus === 403) {
        return {
          ...base,
          ...withStatus,
          status: 'AUTH_FAILED',
          credentialsValid: false,
          latencyMs,
          message: `the provider refused the credentials (${httpStatus})`,
        };
      }
      if (httpStatus !== undefined) {
        return {
          ...base,
          ...withStatus,
          status: 'UNEXPECTED_STATUS',
          credentialsValid: null,
          latencyMs,
          message: `the provider answered ${httpStatus}`,
        };
      }
      if (e.code === 'ProviderTimeout' || e.code === 'ProviderUnavailable') {
        return { ...base, status: 'UNREACHABLE', credentialsValid: null, latencyMs, message: e.message };
      }
      return { ...base, status: 'ERROR', credentialsValid: null, latencyMs, message: e.message };
    }
    return {
      ...base,
      status: 'ERROR',
      credentialsValid: null,
      latencyMs,
      message: 'the test failed unexpectedly',
    };
  }
}
