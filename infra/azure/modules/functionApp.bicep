// The function app (Node 22, Linux) on Flex Consumption or Elastic Premium. Every connection is
// identity-based: app settings hold endpoints and the identity's client id, never keys.
param name string
param planName string
param location string
param tags object

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param hostingPlan string

param flexInstanceMemoryMB int
param flexMaximumInstanceCount int
param premiumMaximumElasticWorkerCount int

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param serviceBusFullyQualifiedNamespace string
param cosmosEndpoint string
param cosmosDatabaseName string
param eventGridTopicEndpoint string
param keyVaultUri string
param appInsightsConnectionString string
param webhookBaseUrl string
param outboundHostAllowlist string
param logLevel string

var flex = hostingPlan == 'FlexConsumption'
// Functions serve HTTP under the routePrefix of host.json ('api').
var publicBaseUrl = empty(webhookBaseUrl) ? 'https://${name}.azurewebsites.net/api' : webhookBaseUrl

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: flex ? 'functionapp' : 'elastic'
  sku: flex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: 'EP1', tier: 'ElasticPremium' }
  properties: {
    reserved: true
    maximumElasticWorkerCount: flex ? null : premiumMaximumElasticWorkerCount
  }
}

// The names come from shared/config/settingNames.ts; test/unit/infra checks them against the app's
// env schema. `__credential`/`__clientId` make the Functions host use the user-assigned identity.
var appSettings = [
  { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'ServiceBusConnection__fullyQualifiedNamespace', value: serviceBusFullyQualifiedNamespace }
  { name: 'ServiceBusConnection__credential', value: 'managedidentity' }
  { name: 'ServiceBusConnection__clientId', value: identityClientId }
  { name: 'CosmosDbConnection__accountEndpoint', value: cosmosEndpoint }
  { name: 'CosmosDbConnection__credential', value: 'managedidentity' }
  { name: 'CosmosDbConnection__clientId', value: identityClientId }
  { name: 'COSMOS_DATABASE', value: cosmosDatabaseName }
  { name: 'EVENTGRID_TOPIC_ENDPOINT', value: eventGridTopicEndpoint }
  { name: 'KEYVAULT_URI', value: keyVaultUri }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'WEBHOOK_BASE_URL', value: publicBaseUrl }
  { name: 'OUTBOUND_HOST_ALLOWLIST', value: outboundHostAllowlist }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'LOG_LEVEL', value: logLevel }
]

// Flex Consumption takes runtime and package from functionAppConfig and rejects these settings.
// Premium runs without an Azure Files content share because that share only works with account keys.
var premiumSettings = [
  { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
  { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
]

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: flex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: flexMaximumInstanceCount
        instanceMemoryMB: flexInstanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    } : null
    siteConfig: {
      linuxFxVersion: flex ? null : 'Node|22'
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(appSettings, flex ? [] : premiumSettings)
    }
  }
}

output name string = site.name
output webhookBaseUrl string = publicBaseUrl
