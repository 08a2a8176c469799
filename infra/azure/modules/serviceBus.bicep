// The Service Bus namespace and every queue of the topology. SAS keys are disabled: senders and
// receivers authenticate with Entra ID.
param name string
param location string
param tags object

@allowed([
  'Standard'
  'Premium'
])
param sku string

@description('Queue definitions from main.bicep (mirroring shared/config/queues.ts).')
param queues array

var premium = sku == 'Premium'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    tier: sku
    capacity: premium ? 1 : null
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queueResources 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queue in queues: {
    parent: namespace
    name: queue.name
    properties: {
      requiresSession: queue.requiresSession
      maxDeliveryCount: queue.maxDeliveryCount
      lockDuration: queue.lockDuration
      defaultMessageTimeToLive: queue.defaultMessageTimeToLive
      deadLetteringOnMessageExpiration: queue.deadLetteringOnMessageExpiration
      requiresDuplicateDetection: queue.requiresDuplicateDetection
      duplicateDetectionHistoryTimeWindow: queue.requiresDuplicateDetection ? queue.duplicateDetectionHistoryTimeWindow : null
      // Standard fixes the message cap at 256 KB and only Premium accepts the property.
      maxMessageSizeInKilobytes: premium ? queue.maxMessageSizeInKilobytes : null
      enablePartitioning: false
      enableBatchedOperations: true
    }
  }
]

output namespaceName string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
