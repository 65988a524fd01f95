// The one storage account of the app: the Functions host (keys, timers, leases), Durable Functions' task hub (queues,
// tables, blobs, created by the host), the Flex Consumption deployment package container, the claims containers and
// the audit anchors' container, which a time-based retention (WORM) policy keeps immutable (docs/reliability.md).
// No shared keys: every client authenticates with Microsoft Entra ID.

import { roleIds } from 'roles.bicep'

@description('Name of the storage account (3-24 lower-case letters and digits, globally unique).')
param name string

@description('Azure region of the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Replication of the account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Name of the function app\'s user-assigned identity (granted blob, queue and table data roles on the account).')
param identityName string

@description('Blob container the Flex Consumption plan deploys the app package to.')
param deploymentContainerName string

@description('Blob containers the claims intake uses (inbox, processed, quarantine).')
param claimsContainerNames string[]

@description('Blob container the timeline anchors are written to (one create-only blob per anchor), under a time-based retention (WORM) policy.')
param auditContainerName string

@description('Days each anchor blob stays immutable after it is written: nobody can change or delete it while the policy holds (lock the policy after deploying: docs/deploy.md).')
@minValue(1)
@maxValue(146000)
param auditRetentionInDays int

@description('Days deleted blobs and containers can be restored.')
@minValue(1)
@maxValue(365)
param softDeleteRetentionInDays int

@description('Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param workspaceId string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionInDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionInDays
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in concat([deploymentContainerName], claimsContainerNames): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Container-level WORM (time-based retention), not version-level: version-level needs blob versioning on the whole
// account (which the host, the task hub and the claims moves share), and its per-blob policies are managed through
// the data plane, which the app's Storage Blob Data Owner role reaches; this policy is management-plane only.
// Anchors are single create-only block blobs, so no appends to protected blobs are allowed.
resource auditContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: auditContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource auditRetention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = {
  parent: auditContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: auditRetentionInDays
    allowProtectedAppendWrites: false
    allowProtectedAppendWritesAll: false
  }
}

var dataRoles = [
  roleIds.storageBlobDataOwner
  roleIds.storageQueueDataContributor
  roleIds.storageTableDataContributor
]

resource dataRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in dataRoles: {
    scope: storage
    name: guid(storage.id, identity.id, roleId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: storage
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: blobService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: queueService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: tableService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

@description('Resource id of the storage account.')
output id string = storage.id

@description('Name of the storage account.')
output name string = storage.name

@description('Name of the audit anchors\' container.')
output auditContainerName string = auditContainer.name

@description('Blob service endpoint (https://<account>.blob.<suffix>/).')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Queue service endpoint.')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('Table service endpoint.')
output tableEndpoint string = storage.properties.primaryEndpoints.table
