// The custom topic WebhookReceiver publishes to, and one subscription per route of
// shared/config/eventRoutes.ts. The topic delivers and dead-letters with its own identity.
param topicName string
param location string
param tags object

@description('Routes from main.bicep (mirroring shared/config/eventRoutes.ts).')
param routes array

param serviceBusNamespaceName string
param deadLetterStorageAccountName string
param deadLetterContainerName string

@minValue(1)
@maxValue(30)
param maxDeliveryAttempts int = 30

@minValue(1)
@maxValue(1440)
param eventTimeToLiveInMinutes int = 1440

var serviceBusDataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Several routes may share a queue; each queue needs one role assignment.
var deliveryQueueNames = union(map(routes, route => route.queue), [])

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: topicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    inputSchema: 'EventGridSchema'
    // Publishers use Entra ID (EventGrid Data Sender), never the topic keys.
    disableLocalAuth: true
    minimumTlsVersionAllowed: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource routeQueues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = [
  for route in routes: {
    parent: serviceBusNamespace
    name: route.queue
  }
]

resource deliveryQueues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = [
  for queueName in deliveryQueueNames: {
    parent: serviceBusNamespace
    name: queueName
  }
]

resource deadLetterStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: deadLetterStorageAccountName
}

resource deadLetterBlobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: deadLetterStorage
  name: 'default'
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: deadLetterBlobService
  name: deadLetterContainerName
}

// The topic may send only to the queues it routes to, and write only to its dead-letter container.
resource topicSendsToQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in deliveryQueueNames: {
    name: guid(deliveryQueues[i].id, topic.id, serviceBusDataSenderRoleId)
    scope: deliveryQueues[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
      principalId: topic.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource topicWritesDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deadLetterContainer.id, topic.id, storageBlobDataContributorRoleId)
  scope: deadLetterContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscriptions 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [
  for (route, i) in routes: {
    parent: topic
    name: route.name
    // Event Grid validates delivery with the identity when the subscription is created.
    dependsOn: [
      topicSendsToQueues
      topicWritesDeadLetters
    ]
    properties: {
      eventDeliverySchema: 'EventGridSchema'
      filter: {
        includedEventTypes: route.eventTypes
      }
      deliveryWithResourceIdentity: {
        identity: {
          type: 'SystemAssigned'
        }
        destination: {
          endpointType: 'ServiceBusQueue'
          properties: {
            resourceId: routeQueues[i].id
          }
        }
      }
      deadLetterWithResourceIdentity: {
        identity: {
          type: 'SystemAssigned'
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: deadLetterStorage.id
            blobContainerName: deadLetterContainerName
          }
        }
      }
      retryPolicy: {
        maxDeliveryAttempts: maxDeliveryAttempts
        eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
      }
    }
  }
]

output topicName string = topic.name
output endpoint string = topic.properties.endpoint
