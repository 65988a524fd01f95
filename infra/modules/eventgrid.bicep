// The Event Grid system topic of the storage account. The Flex Consumption plan runs blob triggers only with the Event
// Grid source: the topic publishes BlobCreated events, and a subscription on it calls the function's blobs_extension
// webhook. That subscription needs the extension's system key, which exists only once the code is deployed and the
// host has started, so infra/scripts/postdeploy-eventgrid.sh (the azd postdeploy hook) creates it; see docs/deploy.md.

@description('Name of the Event Grid system topic.')
param name string

@description('Azure region of the topic (the storage account\'s).')
param location string

@description('Tags applied to the topic.')
param tags object

@description('Name of the storage account whose events the topic publishes.')
param storageAccountName string

@description('Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param workspaceId string

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: topic
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

@description('Name of the system topic (the postdeploy hook subscribes the blob trigger to it).')
output name string = topic.name
