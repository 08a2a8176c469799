import { join } from 'node:path';

import {
  DEFAULT_HOST_CONFIG,
  loadHostConfig,
  parseHostConfig,
  parseTimeSpan,
} from '../../../infra/local/host/hostConfig';

describe('host.json', () => {
  it("reads the repository's host.json", async () => {
    const config = await loadHostConfig(join(__dirname, '../../../host.json'));
    expect(config).toEqual({
      routePrefix: 'api',
      functionTimeoutMs: 10 * 60_000,
      logLevel: 'information',
      serviceBus: {
        maxConcurrentCalls: 16,
        maxConcurrentSessions: 8,
        autoCompleteMessages: true,
        maxAutoLockRenewalDurationMs: 5 * 60_000,
        sessionIdleTimeoutMs: 5000,
        maxMessageBatchSize: 100,
      },
    });
  });

  it('falls back to the Functions defaults when host.json is missing or silent', async () => {
    expect(await loadHostConfig(join(__dirname, 'no-such-host.json'))).toEqual(DEFAULT_HOST_CONFIG);
    expect(parseHostConfig({ version: '2.0' })).toEqual(DEFAULT_HOST_CONFIG);
  });

  it('honours an empty route prefix, an unlimited timeout and case-insensitive keys', () => {
    const config = parseHostConfig({
      functionTimeout: -1,
      Extensions: { HTTP: { routePrefix: '' }, serviceBus: { MaxConcurrentCalls: 2 } },
      logging: { logLevel: { default: 'Warning', Function: 'Debug' } },
    });
    expect(config.routePrefix).toBe('');
    expect(config.functionTimeoutMs).toBeUndefined();
    expect(config.serviceBus.maxConcurrentCalls).toBe(2);
    expect(config.logLevel).toBe('debug');
  });

  it('rejects values the Functions host would reject', () => {
    expect(() => parseHostConfig({ extensions: { serviceBus: { maxConcurrentCalls: 0 } } })).toThrow(
      /positive integer/,
    );
    expect(() => parseHostConfig({ functionTimeout: '10 minutes' })).toThrow(/TimeSpan/);
  });

  it('parses TimeSpans', () => {
    expect(parseTimeSpan('00:00:05')).toBe(5000);
    expect(parseTimeSpan('01:02:03.5')).toBe(3_723_500);
    expect(parseTimeSpan('2.00:00:00')).toBe(2 * 24 * 3_600_000);
  });
});
