// Everything the sync engine binds to in Azure, deployed by `azd up` (see docs/DEPLOY.md).
// The queue, container and route tables below mirror shared/config; test/unit/infra proves they agree.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; every resource name is derived from it.')
param environmentName string

@minLength(1)
@description('Region for every resource. Flex Consumption is not offered in every region.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person (or CI principal) running azd; gets the same data roles as the app so the local host can run against Azure. Empty skips it.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Flex Consumption scales to zero; Elastic Premium (EP1) keeps one warm instance and bills per hour.')
@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string = 'FlexConsumption'

@allowed([
  512
  2048
  4096
])
param flexInstanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
param flexMaximumInstanceCount int = 100

@minValue(1)
@maxValue(100)
param premiumMaximumElasticWorkerCount int = 20

@description('Sessions (sync-outbound) need Standard or Premium; Basic has no sessions.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Serverless bills per request unit consumed; Provisioned shares autoscale throughput across all containers.')
@allowed([
  'Serverless'
  'Provisioned'
])
param cosmosCapacityMode string = 'Serverless'

@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Where alerts are emailed. Empty creates the action group without receivers.')
param alertEmail string = ''

@description('Public base URL providers call, including the /api route prefix (e.g. https://sync.example.com/api); empty uses the function app default host name.')
param webhookBaseUrl string = ''

@description('Comma-separated hosts or CIDRs the outbound HTTP client may reach despite the SSRF guard.')
param outboundHostAllowlist string = ''

@allowed([
  'debug'
  'info'
  'warn'
  'error'
])
param logLevel string = 'info'

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Purge protection cannot be turned off again, so it is opt-in.')
param keyVaultPurgeProtection bool = false

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var eventGridDeadLetterContainerName = 'eventgrid-deadletter'
var databaseName = 'sync'
var eventGridTopicBaseName = 'sync-events'

// Mirrors QUEUES in shared/config/queues.ts. Durations are ISO 8601 because that is what ARM takes.
var queues = [
  {
    name: 'sync-inbound-webhook'
    requiresSession: false
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxMessageSizeInKilobytes: 256
  }
  {
    name: 'sync-inbound-scheduled'
    requiresSession: false
    maxDeliveryCount: 10
    lockDuration: 'PT5M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxMessageSizeInKilobytes: 256
  }
  {
    // One session per record keeps writes to the same record in order across instances.
    name: 'sync-outbound'
    requiresSession: true
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxMessageSizeInKilobytes: 256
  }
  {
    name: 'token-refresh'
    requiresSession: false
    maxDeliveryCount: 5
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxMessageSizeInKilobytes: 256
  }
]

// Mirrors CONTAINERS in shared/config/containers.ts. defaultTtlSeconds is set only where the design
// keeps data for a limited time; locally a cleanup job enforces the same retention.
var containers = [
  { name: 'tenants', partitionKey: '/id', uniqueKeys: [] }
  { name: 'api_keys', partitionKey: '/id', uniqueKeys: [] }
  { name: 'integration_providers', partitionKey: '/category', uniqueKeys: [['/provider']] }
  { name: 'integrations', partitionKey: '/tenantId', uniqueKeys: [['/name']] }
  { name: 'integration_connections', partitionKey: '/tenantId', uniqueKeys: [['/name']] }
  { name: 'records', partitionKey: '/tenantId', uniqueKeys: [['/resourceType', '/recordId']] }
  {
    name: 'links'
    partitionKey: '/tenantId'
    uniqueKeys: [
      ['/integrationId', '/resourceType', '/internalId']
      ['/integrationId', '/resourceType', '/externalId']
    ]
  }
  { name: 'sync_runs', partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 7776000 } // 90 days
  { name: 'sync_logs', partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 2592000 } // 30 days
  { name: 'conflicts', partitionKey: '/tenantId', uniqueKeys: [] }
  { name: 'webhook_events', partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 604800 } // 7 days
  { name: 'dead_letters', partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 2592000 } // 30 days
  { name: 'snapshots', partitionKey: '/tenantId', uniqueKeys: [], defaultTtlSeconds: 7776000 } // 90 days
  { name: 'leases', partitionKey: '/tenantId', uniqueKeys: [] }
]

// Mirrors EVENT_ROUTES in shared/config/eventRoutes.ts: one topic subscription per route.
var eventRoutes = [
  { name: 'webhook-to-inbound', eventTypes: ['Sync.Webhook.Received'], queue: 'sync-inbound-webhook' }
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    workspaceName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    // Mirrors BLOB_CONTAINERS in shared/config/blobContainers.ts (raw webhook bodies, claim checks).
    containerNames: [
      deploymentContainerName
      eventGridDeadLetterContainerName
      'webhook-bodies'
      'claim-checks'
    ]
  }
}

module serviceBus 'modules/serviceBus.bicep' = {
  name: 'serviceBus'
  scope: rg
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
    sku: serviceBusSku
    queues: queues
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    databaseName: databaseName
    containers: containers
    capacityMode: cosmosCapacityMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module eventGrid 'modules/eventGrid.bicep' = {
  name: 'eventGrid'
  scope: rg
  params: {
    topicName: '${eventGridTopicBaseName}-${resourceToken}'
    location: location
    tags: tags
    routes: eventRoutes
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    deadLetterStorageAccountName: storage.outputs.name
    deadLetterContainerName: eventGridDeadLetterContainerName
  }
}

// The app's identity gets exactly the data-plane roles it needs, each scoped to one resource.
module appRoles 'modules/roles.bicep' = {
  name: 'appRoles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: databaseName
    keyVaultName: keyVault.outputs.name
    eventGridTopicName: eventGrid.outputs.topicName
  }
}

// The same roles for the developer, so `npm start` can run against these resources with `az login`.
module developerRoles 'modules/roles.bicep' = if (!empty(principalId)) {
  name: 'developerRoles'
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    cosmosAccountName: cosmos.outputs.accountName
    cosmosDatabaseName: databaseName
    keyVaultName: keyVault.outputs.name
    eventGridTopicName: eventGrid.outputs.topicName
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  // The host reads AzureWebJobsStorage with the identity at start, so its roles must exist first.
  dependsOn: [
    appRoles
  ]
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    hostingPlan: hostingPlan
    flexInstanceMemoryMB: flexInstanceMemoryMB
    flexMaximumInstanceCount: flexMaximumInstanceCount
    premiumMaximumElasticWorkerCount: premiumMaximumElasticWorkerCount
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: databaseName
    eventGridTopicEndpoint: eventGrid.outputs.endpoint
    keyVaultUri: keyVault.outputs.uri
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    webhookBaseUrl: webhookBaseUrl
    outboundHostAllowlist: outboundHostAllowlist
    logLevel: logLevel
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: resourceToken
    location: location
    tags: tags
    alertEmail: alertEmail
    serviceBusNamespaceName: serviceBus.outputs.namespaceName
    workspaceId: monitoring.outputs.workspaceId
    functionAppName: functionApp.outputs.name
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name

// azd writes these to .azure/<env>/.env: the settings a local host needs to run against this
// deployment with the developer's own Entra ID credential (no keys).
output AzureWebJobsStorage__accountName string = storage.outputs.name
output ServiceBusConnection__fullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output CosmosDbConnection__accountEndpoint string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = databaseName
output EVENTGRID_TOPIC_ENDPOINT string = eventGrid.outputs.endpoint
output KEYVAULT_URI string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.appInsightsConnectionString
output WEBHOOK_BASE_URL string = functionApp.outputs.webhookBaseUrl
