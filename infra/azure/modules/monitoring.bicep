// Log Analytics holds the telemetry; Application Insights is the workspace-based front end to it.
param workspaceName string
param appInsightsName string
param location string
param tags object
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
  }
}

output workspaceId string = workspace.id
output appInsightsName string = appInsights.name
// An ingestion connection string only identifies where telemetry goes; Microsoft documents that it
// is not a secret. It is the one connection string the app receives (see test/unit/infra).
output appInsightsConnectionString string = appInsights.properties.ConnectionString
