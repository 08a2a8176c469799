import { readFile } from 'node:fs/promises';

import type { RpcLogLevel } from './coreTypes';
import { parseLogLevel } from './logger';

/** The parts of host.json the local host honours, with the Functions host's defaults. */
export interface HostConfig {
  readonly routePrefix: string;
  /** undefined = no limit (`-1` in host.json). */
  readonly functionTimeoutMs: number | undefined;
  readonly logLevel: RpcLogLevel;
  readonly serviceBus: ServiceBusHostConfig;
}

export interface ServiceBusHostConfig {
  readonly maxConcurrentCalls: number;
  readonly maxConcurrentSessions: number;
  readonly autoCompleteMessages: boolean;
  readonly maxAutoLockRenewalDurationMs: number;
  readonly sessionIdleTimeoutMs: number;
  readonly maxMessageBatchSize: number;
}

const DEFAULT_SERVICE_BUS: ServiceBusHostConfig = {
  // The real default is 16 × processor count; 16 keeps a laptop responsive.
  maxConcurrentCalls: 16,
  maxConcurrentSessions: 8,
  autoCompleteMessages: true,
  maxAutoLockRenewalDurationMs: 5 * 60_000,
  // Without a configured idle timeout the SDK's try-timeout (60 s) applies in Azure.
  sessionIdleTimeoutMs: 60_000,
  maxMessageBatchSize: 1000,
};

export const DEFAULT_HOST_CONFIG: HostConfig = {
  routePrefix: 'api',
  functionTimeoutMs: 30 * 60_000,
  logLevel: 'information',
  serviceBus: DEFAULT_SERVICE_BUS,
};

/**
 * Parses a .NET TimeSpan as host.json writes it: `hh:mm:ss`, `d.hh:mm:ss`, optional `.fff`
 * fractions. Returns milliseconds.
 */
export function parseTimeSpan(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a TimeSpan (expected [d.]hh:mm:ss[.fff])`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    (fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1000));
  return ms;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(record: Record<string, unknown> | undefined, key: string): unknown {
  if (!record) return undefined;
  // host.json keys are case-insensitive for the Functions host.
  const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : record[found];
}

function section(
  record: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> | undefined {
  const value = pick(record, key);
  return isRecord(value) ? value : undefined;
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`host.json ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function timeSpan(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new Error(`host.json ${name} must be a TimeSpan string`);
  return parseTimeSpan(value);
}

export function parseHostConfig(json: unknown): HostConfig {
  const root = isRecord(json) ? json : {};
  const extensions = section(root, 'extensions');
  const http = section(extensions, 'http');
  const sb = section(extensions, 'serviceBus');
  const logLevels = section(section(root, 'logging'), 'logLevel');

  const prefixValue = pick(http, 'routePrefix');
  const routePrefix = typeof prefixValue === 'string' ? prefixValue.replace(/^\/+|\/+$/g, '') : 'api';

  const timeoutValue = pick(root, 'functionTimeout');
  let functionTimeoutMs = DEFAULT_HOST_CONFIG.functionTimeoutMs;
  if (timeoutValue === null || timeoutValue === -1 || timeoutValue === '-1') functionTimeoutMs = undefined;
  else if (timeoutValue !== undefined) functionTimeoutMs = timeSpan(timeoutValue, 'functionTimeout', 0);

  const autoComplete = pick(sb, 'autoCompleteMessages');
  return {
    routePrefix,
    functionTimeoutMs,
    logLevel: parseLogLevel(pick(logLevels, 'Function') ?? pick(logLevels, 'default'), 'information'),
    serviceBus: {
      maxConcurrentCalls: positiveInt(
        pick(sb, 'maxConcurrentCalls'),
        'maxConcurrentCalls',
        DEFAULT_SERVICE_BUS.maxConcurrentCalls,
      ),
      maxConcurrentSessions: positiveInt(
        pick(sb, 'maxConcurrentSessions'),
        'maxConcurrentSessions',
        DEFAULT_SERVICE_BUS.maxConcurrentSessions,
      ),
      autoCompleteMessages: typeof autoComplete === 'boolean' ? autoComplete : true,
      maxAutoLockRenewalDurationMs: timeSpan(
        pick(sb, 'maxAutoLockRenewalDuration'),
        'maxAutoLockRenewalDuration',
        DEFAULT_SERVICE_BUS.maxAutoLockRenewalDurationMs,
      ),
      sessionIdleTimeoutMs: timeSpan(
        pick(sb, 'sessionIdleTimeout'),
        'sessionIdleTimeout',
        DEFAULT_SERVICE_BUS.sessionIdleTimeoutMs,
      ),
      maxMessageBatchSize: positiveInt(
        pick(sb, 'maxMessageBatchSize'),
        'maxMessageBatchSize',
        DEFAULT_SERVICE_BUS.maxMessageBatchSize,
      ),
    },
  };
}

export async function loadHostConfig(path: string): Promise<HostConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_HOST_CONFIG;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseHostConfig(json);
}
