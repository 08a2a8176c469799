/**
 * App setting names. Binding `connection:` values, the env schema, local.settings.example.json and
 * infra/azure all take their names from here, so a renamed setting cannot drift between them.
 *
 * Connection settings follow the Functions convention: the bare name holds a connection string
 * (local emulators), and `<name>__fullyQualifiedNamespace` / `<name>__accountEndpoint` /
 * `<name>__serviceUri` hold identity-based endpoints in Azure.
 */
export const SettingNames = {
  storage: 'AzureWebJobsStorage',
  serviceBus: 'ServiceBusConnection',
  cosmos: 'CosmosDbConnection',
  cosmosDatabase: 'COSMOS_DATABASE',
  eventGridEndpoint: 'EVENTGRID_TOPIC_ENDPOINT',
  /** Local emulator only; in Azure the app sends with its managed identity. */
  eventGridKey: 'EVENTGRID_TOPIC_KEY',
  keyVaultUri: 'KEYVAULT_URI',
  appInsights: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** Public base URL providers call; schemes that sign the URL (HubSpot, Twilio, Trello) need it. */
  webhookBaseUrl: 'WEBHOOK_BASE_URL',
  /** Comma-separated hosts/CIDRs the outbound HTTP client may reach despite the SSRF guard. */
  outboundAllowlist: 'OUTBOUND_HOST_ALLOWLIST',
  /** `true` when the app talks to the embedded stack: local Key Vault credential, plain-http Event Grid. */
  localEmulators: 'AZURE_LOCAL_EMULATORS',
  /** PEM of the CA that signed the local Key Vault / collector certificates (local only). */
  localCaCertPath: 'LOCAL_CA_CERT_PATH',
  /** Client id of the user-assigned managed identity (Azure only). */
  azureClientId: 'AZURE_CLIENT_ID',
  logLevel: 'LOG_LEVEL',
  webhookMaxBodyBytes: 'WEBHOOK_MAX_BODY_BYTES',
  functionsWorkerRuntime: 'FUNCTIONS_WORKER_RUNTIME',
} as const;

export type SettingName = (typeof SettingNames)[keyof typeof SettingNames];

/** Suffixes of identity-based connection settings, as the Functions host defines them. */
export const IdentitySuffix = {
  serviceBus: '__fullyQualifiedNamespace',
  cosmos: '__accountEndpoint',
  storageBlob: '__blobServiceUri',
  storageQueue: '__queueServiceUri',
  storageTable: '__tableServiceUri',
  credential: '__credential',
  clientId: '__clientId',
} as const;
