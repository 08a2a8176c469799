import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '../../..');

describe('start-up with bad settings', () => {
  it('prints one error listing every problem and exits with code 1', () => {
    const result = spawnSync(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'test/support/registerTs.js'),
        path.join(ROOT, 'infra/local/start.ts'),
        '--no-emulators',
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 30_000,
        env: {
          PATH: process.env['PATH'] ?? '',
          KEYVAULT_URI: 'not-a-url',
          CosmosDbConnection: 'nonsense',
          LOG_LEVEL: 'loud',
        },
      },
    );
    expect(result.status).toBe(1);
    const stderr = result.stderr;
    expect(stderr.match(/Invalid configuration/g)).toHaveLength(1);
    for (const name of [
      'KEYVAULT_URI',
      'CosmosDbConnection',
      'LOG_LEVEL',
      'EVENTGRID_TOPIC_ENDPOINT',
      'WEBHOOK_BASE_URL',
      'ServiceBusConnection',
    ]) {
      expect(stderr).toContain(name);
    }
  });
});
