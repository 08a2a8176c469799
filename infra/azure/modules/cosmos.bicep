// Cosmos DB for NoSQL: the account, the database and every container of shared/config/containers.ts.
// Keys are disabled; the app uses a data-plane role assignment (roles.bicep).
param accountName string
param location string
param tags object
param databaseName string

@description('Container definitions from main.bicep (mirroring shared/config/containers.ts).')
param containers array

@allowed([
  'Serverless'
  'Provisioned'
])
param capacityMode string

@description('Autoscale ceiling shared by all containers when capacityMode is Provisioned.')
param autoscaleMaxThroughput int

var serverless = capacityMode == 'Serverless'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    capabilities: serverless ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Serverless accounts reject throughput settings; provisioned ones share one autoscale budget.
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [
            container.partitionKey
          ]
          kind: 'Hash'
          version: 2
        }
        uniqueKeyPolicy: {
          uniqueKeys: [for paths in container.uniqueKeys: { paths: paths }]
        }
        // Omitted (null) means items never expire.
        defaultTtl: container.?defaultTtlSeconds
      }
    }
  }
]

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
