import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ConfigError, EnvSchema, loadConfig } from '../../../shared/config/env';
import { SettingNames } from '../../../shared/config/settingNames';

const local = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  ServiceBusConnection:
    'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true',
  CosmosDbConnection: 'AccountEndpoint=http://127.0.0.1:8081/;AccountKey=abc==',
  EVENTGRID_TOPIC_ENDPOINT: 'http://127.0.0.1:7072/api/events',
  EVENTGRID_TOPIC_KEY: 'k',
  KEYVAULT_URI: 'https://127.0.0.1:8443/',
  WEBHOOK_BASE_URL: 'http://127.0.0.1:7071/api/',
  AZURE_LOCAL_EMULATORS: 'true',
  OUTBOUND_HOST_ALLOWLIST: '127.0.0.1, localhost ,',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses the local emulator settings into typed config', () => {
    const config = loadConfig(local);
    expect(config.cosmos).toEqual({ endpoint: 'http://127.0.0.1:8081/', key: 'abc==', database: 'sync' });
    expect(config.serviceBus.kind).toBe('connectionString');
    expect(config.webhookBaseUrl).toBe('http://127.0.0.1:7071/api');
    expect(config.outboundAllowlist).toEqual(['127.0.0.1', 'localhost']);
    expect(config.localEmulators).toBe(true);
    expect(config.webhookMaxBodyBytes).toBe(1024 * 1024);
  });

  it('accepts the identity-based settings used in Azure', () => {
    const config = loadConfig({
      AzureWebJobsStorage__accountName: 'stsync',
      ServiceBusConnection__fullyQualifiedNamespace: 'sb-sync.servicebus.windows.net',
      CosmosDbConnection__accountEndpoint: 'https://cosmos-sync.documents.azure.com:443/',
      EVENTGRID_TOPIC_ENDPOINT: 'https://egt.westeurope-1.eventgrid.azure.net/api/events',
      KEYVAULT_URI: 'https://kv-sync.vault.azure.net/',
      WEBHOOK_BASE_URL: 'https://func-sync.azurewebsites.net/api',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    });
    expect(config.serviceBus).toEqual({
      kind: 'identity',
      fullyQualifiedNamespace: 'sb-sync.servicebus.windows.net',
    });
    expect(config.storage).toMatchObject({
      kind: 'identity',
      blobServiceUri: 'https://stsync.blob.core.windows.net',
    });
    expect(config.cosmos.key).toBeUndefined();
    expect(config.localEmulators).toBe(false);
  });

  it('reports every missing or invalid setting in one error', () => {
    const problems = problemsOf({
      KEYVAULT_URI: 'not a url',
      LOG_LEVEL: 'chatty',
      WEBHOOK_MAX_BODY_BYTES: '-1',
    });
    const text = problems.join('\n');
    for (const name of [
      'EVENTGRID_TOPIC_ENDPOINT',
      'KEYVAULT_URI',
      'WEBHOOK_BASE_URL',
      'LOG_LEVEL',
      'WEBHOOK_MAX_BODY_BYTES',
      'AzureWebJobsStorage',
      'ServiceBusConnection',
      'CosmosDbConnection',
    ]) {
      expect(text).toContain(name);
    }
    expect(problems.length).toBeGreaterThanOrEqual(8);
  });

  it('rejects malformed connection strings with the expected shape in the message', () => {
    const problems = problemsOf({
      ...local,
      CosmosDbConnection: 'http://nope',
      ServiceBusConnection: 'amqp://x',
    });
    expect(problems.join('\n')).toMatch(/CosmosDbConnection: must look like AccountEndpoint=/);
    expect(problems.join('\n')).toMatch(/ServiceBusConnection: must look like Endpoint=sb:\/\//);
  });

  it('requires the Event Grid key against the local emulators', () => {
    const { EVENTGRID_TOPIC_KEY: _omitted, ...withoutKey } = local;
    expect(problemsOf(withoutKey).join('\n')).toContain('EVENTGRID_TOPIC_KEY');
  });

  it('never echoes setting values into the error', () => {
    const secret = 'AccountKey-super-secret-value';
    const problems = problemsOf({ ...local, CosmosDbConnection: secret, KEYVAULT_URI: secret });
    expect(problems.join('\n')).not.toContain(secret);
  });
});

describe('settings declarations', () => {
  it('the schema reads every declared setting name', () => {
    const keys = Object.keys(EnvSchema.shape);
    for (const name of Object.values(SettingNames)) {
      if (name === SettingNames.functionsWorkerRuntime) continue;
      expect(keys).toContain(name);
    }
  });

  it('local.settings.example.json lists every setting with a value that passes the schema', () => {
    const example = JSON.parse(
      readFileSync(path.join(__dirname, '../../../local.settings.example.json'), 'utf8'),
    ) as {
      Values: Record<string, string>;
    };
    for (const name of Object.values(SettingNames)) expect(Object.keys(example.Values)).toContain(name);
    const nonEmpty = Object.fromEntries(Object.entries(example.Values).filter(([, v]) => v !== ''));
    const config = loadConfig({ ...nonEmpty, AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(config.localEmulators).toBe(true);
  });
});
