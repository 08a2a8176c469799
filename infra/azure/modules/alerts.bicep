// Alerts from the seed specs, all sent to one action group: invocation failure rate, dead letters
// left unprocessed, queue backlog, and function exceptions.
param namePrefix string
param location string
param tags object

@description('Email address that receives alerts; empty leaves the action group without receivers.')
param alertEmail string

param serviceBusNamespaceName string
param workspaceId string
param functionAppName string

@description('Percent of failed invocations in one hour above which the failure-rate alert fires.')
param failureRatePercentThreshold int = 10

@description('Active messages in any one queue above which the backlog alert fires.')
param backlogThreshold int = 100

resource serviceBusNamespace 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'syncops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [{ name: 'ops', emailAddress: alertEmail, useCommonAlertSchema: true }]
  }
}

// Minimum over the window: the dead-letter queue held messages for the whole 15 minutes, so
// DeadLetterProcessor is not draining it.
resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-dead-letters'
  location: 'global'
  tags: tags
  properties: {
    description: 'A Service Bus queue has had dead-lettered messages for 15 minutes.'
    severity: 1
    enabled: true
    scopes: [
      serviceBusNamespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadLetteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [{ name: 'EntityName', operator: 'Include', values: ['*'] }]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Minimum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource backlogAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-backlog'
  location: 'global'
  tags: tags
  properties: {
    description: 'A Service Bus queue has a backlog of active messages the functions are not keeping up with.'
    severity: 2
    enabled: true
    scopes: [
      serviceBusNamespace.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'ActiveMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ActiveMessages'
          dimensions: [{ name: 'EntityName', operator: 'Include', values: ['*'] }]
          operator: 'GreaterThan'
          threshold: backlogThreshold
          timeAggregation: 'Average'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource failureRateAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-failure-rate'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sync engine: function failure rate'
    description: 'More than ${failureRatePercentThreshold}% of function invocations failed in the last hour.'
    severity: 2
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'AppRequests | where AppRoleName =~ \'${functionAppName}\' | summarize total = count(), failed = countif(Success == false) | where total > 0 | extend failureRatePercent = 100.0 * failed / total'
          metricMeasureColumn: 'failureRatePercent'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: failureRatePercentThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource functionErrorsAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-function-errors'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sync engine: function errors'
    description: 'A function threw an exception in the last 15 minutes.'
    severity: 3
    enabled: true
    scopes: [
      workspaceId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'AppExceptions | where AppRoleName =~ \'${functionAppName}\' | summarize errors = count()'
          metricMeasureColumn: 'errors'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}
