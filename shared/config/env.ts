import { z } from 'zod';

import { IdentitySuffix, SettingNames } from './settingNames';

/* Keys are spelled out (not computed from SettingNames) so zod infers their types; a unit test
   proves every SettingNames value is a key here. */

/**
 * Every setting the app reads, in one schema. Connection settings accept either the connection
 * string form (local emulators) or the identity-based form the Functions host uses in Azure.
 */
const optionalString = z.string().trim().min(1).optional();
const url = z.url();
const booleanString = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

export const EnvSchema = z
  .object({
    AzureWebJobsStorage: optionalString,
    AzureWebJobsStorage__accountName: optionalString,
    AzureWebJobsStorage__blobServiceUri: url.optional(),
    AzureWebJobsStorage__queueServiceUri: url.optional(),
    AzureWebJobsStorage__tableServiceUri: url.optional(),
    ServiceBusConnection: optionalString,
    ServiceBusConnection__fullyQualifiedNamespace: optionalString,
    CosmosDbConnection: optionalString,
    CosmosDbConnection__accountEndpoint: url.optional(),
    COSMOS_DATABASE: z.string().trim().min(1).default('sync'),
    EVENTGRID_TOPIC_ENDPOINT: url,
    EVENTGRID_TOPIC_KEY: optionalString,
    KEYVAULT_URI: url,
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString,
    WEBHOOK_BASE_URL: url,
    OUTBOUND_HOST_ALLOWLIST: z.string().optional(),
    AZURE_LOCAL_EMULATORS: booleanString,
    LOCAL_CA_CERT_PATH: optionalString,
    AZURE_CLIENT_ID: optionalString,
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    WEBHOOK_MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .superRefine(
    (env, ctx) => {
      const requireOne = (label: string, names: readonly string[]): void => {
        if (names.every((n) => (env as Record<string, unknown>)[n] === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [names[0] ?? label],
            message: `${label}: set ${names.join(' or ')}`,
          });
        }
      };
      requireOne('Storage connection', [
        'AzureWebJobsStorage',
        'AzureWebJobsStorage__accountName',
        'AzureWebJobsStorage__blobServiceUri',
      ]);
      requireOne('Service Bus connection', [
        'ServiceBusConnection',
        'ServiceBusConnection__fullyQualifiedNamespace',
      ]);
      requireOne('Cosmos DB connection', ['CosmosDbConnection', 'CosmosDbConnection__accountEndpoint']);
      const cosmos: unknown = env['CosmosDbConnection'];
      if (typeof cosmos === 'string' && !/AccountEndpoint=[^;]+/i.test(cosmos)) {
        ctx.addIssue({
          code: 'custom',
          path: ['CosmosDbConnection'],
          message: 'must look like AccountEndpoint=…;AccountKey=…',
        });
      }
      const sb: unknown = env['ServiceBusConnection'];
      if (typeof sb === 'string' && !/Endpoint=sb:\/\/[^;]+/i.test(sb)) {
        ctx.addIssue({
          code: 'custom',
          path: ['ServiceBusConnection'],
          message: 'must look like Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…',
        });
      }
      if (env['AZURE_LOCAL_EMULATORS'] && env['EVENTGRID_TOPIC_KEY'] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['EVENTGRID_TOPIC_KEY'],
          message: 'required when AZURE_LOCAL_EMULATORS is true',
        });
      }
    },
    // Cross-setting checks run even when a single setting already failed, so one message lists all.
    { when: () => true },
  );

export type Env = z.infer<typeof EnvSchema>;

export type StorageConnection =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly blobServiceUri: string;
      readonly queueServiceUri: string;
      readonly tableServiceUri: string;
    };

export interface Config {
  readonly storage: StorageConnection;
  readonly serviceBus:
    | { readonly kind: 'connectionString'; readonly connectionString: string }
    | { readonly kind: 'identity'; readonly fullyQualifiedNamespace: string };
  readonly cosmos: { readonly endpoint: string; readonly key?: string; readonly database: string };
  readonly eventGrid: { readonly endpoint: string; readonly key?: string };
  readonly keyVault: { readonly uri: string };
  readonly appInsightsConnectionString?: string;
  readonly webhookBaseUrl: string;
  readonly webhookMaxBodyBytes: number;
  readonly outboundAllowlist: readonly string[];
  readonly localEmulators: boolean;
  readonly localCaCertPath?: string;
  readonly azureClientId?: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ConfigInvalid';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

function parseConnectionString(value: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const segment of value.split(';')) {
    const at = segment.indexOf('=');
    if (at > 0) parts[segment.slice(0, at).trim().toLowerCase()] = segment.slice(at + 1).trim();
  }
  return parts;
}

function withOptional<T extends object, K extends string, V>(
  target: T,
  key: K,
  value: V | undefined,
): T & { [P in K]?: V } {
  return value === undefined ? target : { ...target, [key]: value };
}

/**
 * Parses the whole environment once per cold start and reports every problem in one message,
 * so a misconfigured deployment is fixed in one pass rather than one setting per restart.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(env)'}: ${i.message}`),
    );
  }
  const e = parsed.data;
  const storageCs = e['AzureWebJobsStorage'];
  const accountName = e['AzureWebJobsStorage__accountName'];
  const blobUri = e['AzureWebJobsStorage__blobServiceUri'];
  const storage: StorageConnection =
    storageCs !== undefined
      ? { kind: 'connectionString', connectionString: storageCs }
      : {
          kind: 'identity',
          blobServiceUri: blobUri ?? `https://${accountName ?? ''}.blob.core.windows.net`,
          queueServiceUri:
            e['AzureWebJobsStorage__queueServiceUri'] ??
            `https://${accountName ?? ''}.queue.core.windows.net`,
          tableServiceUri:
            e['AzureWebJobsStorage__tableServiceUri'] ??
            `https://${accountName ?? ''}.table.core.windows.net`,
        };
  const sbCs = e['ServiceBusConnection'];
  const serviceBus: Config['serviceBus'] =
    sbCs !== undefined
      ? { kind: 'connectionString', connectionString: sbCs }
      : {
          kind: 'identity',
          fullyQualifiedNamespace: e['ServiceBusConnection__fullyQualifiedNamespace'] ?? '',
        };
  const cosmosCs = e['CosmosDbConnection'];
  const cosmosParts = cosmosCs !== undefined ? parseConnectionString(cosmosCs) : {};
  const cosmosEndpoint = cosmosParts['accountendpoint'] ?? e['CosmosDbConnection__accountEndpoint'] ?? '';
  const allowlist = (e['OUTBOUND_HOST_ALLOWLIST'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

  let config: Config = {
    storage,
    serviceBus,
    cosmos: withOptional(
      { endpoint: cosmosEndpoint, database: e['COSMOS_DATABASE'] },
      'key',
      cosmosParts['accountkey'],
    ),
    eventGrid: withOptional({ endpoint: e['EVENTGRID_TOPIC_ENDPOINT'] }, 'key', e['EVENTGRID_TOPIC_KEY']),
    keyVault: { uri: e['KEYVAULT_URI'] },
    webhookBaseUrl: e['WEBHOOK_BASE_URL'].replace(/\/+$/, ''),
    webhookMaxBodyBytes: e['WEBHOOK_MAX_BODY_BYTES'],
    outboundAllowlist: allowlist,
    localEmulators: e['AZURE_LOCAL_EMULATORS'],
    logLevel: e['LOG_LEVEL'],
  };
  config = withOptional(config, 'appInsightsConnectionString', e['APPLICATIONINSIGHTS_CONNECTION_STRING']);
  config = withOptional(config, 'localCaCertPath', e['LOCAL_CA_CERT_PATH']);
  config = withOptional(config, 'azureClientId', e['AZURE_CLIENT_ID']);
  return config;
}

/**
 * Settings the app needs in Azure, in their identity-based form. infra/azure is checked against
 * this list, so a setting added here without a Bicep app setting fails `npm test`.
 */
export const AZURE_REQUIRED_SETTINGS: readonly string[] = [
  `${SettingNames.storage}__accountName`,
  `${SettingNames.serviceBus}${IdentitySuffix.serviceBus}`,
  `${SettingNames.cosmos}${IdentitySuffix.cosmos}`,
  SettingNames.cosmosDatabase,
  SettingNames.eventGridEndpoint,
  SettingNames.keyVaultUri,
  SettingNames.appInsights,
  SettingNames.webhookBaseUrl,
  SettingNames.azureClientId,
];

/** Settings that only make sense against the embedded stack and must never appear in Azure. */
export const LOCAL_ONLY_SETTINGS: readonly string[] = [
  SettingNames.eventGridKey,
  SettingNames.localEmulators,
  SettingNames.localCaCertPath,
];
