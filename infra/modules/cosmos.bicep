// Cosmos DB for NoSQL: the account (keys disabled: Microsoft Entra ID only), the METS database and exactly the
// containers, partition keys and indexing policies of docs/cosmos.md (the code's copy is Mets.Azure's CosmosLayout;
// Mets.Infra.Tests compares this template with it). The app never creates containers on Azure: its data-plane role
// cannot. Throughput: serverless, or autoscale shared by the database's containers.

import { cosmosDataContributorRoleId } from 'roles.bicep'

@description('Name of the Cosmos DB account (3-44 lower-case letters, digits and hyphens, globally unique).')
param name string

@description('Azure region of the account (its only region).')
param location string

@description('Tags applied to the account.')
param tags object

@description('Name of the SQL database (the app\'s Cosmos:Database).')
param databaseName string

@description('serverless: pay per request (dev, test, small programs). autoscale: provisioned throughput shared by the database\'s containers, scaling between 10% of autoscaleMaxThroughput and autoscaleMaxThroughput.')
@allowed([
  'serverless'
  'autoscale'
])
param throughputMode string

@description('Highest RU/s of the database when throughputMode is autoscale (a multiple of 1000).')
@minValue(1000)
@maxValue(1000000)
param autoscaleMaxThroughput int

@description('Continuous backup tier: point-in-time restore within the last 7 or 30 days.')
@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param backupTier string

@description('Name of the function app\'s user-assigned identity (granted Cosmos DB Built-in Data Contributor on the database).')
param identityName string

@description('Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param workspaceId string

// docs/cosmos.md, "Containers" and "Indexing": partition key path and the only paths indexed (everything else is
// excluded, so writes stay cheap). Keep in step with functions/Mets.Azure/Cosmos/CosmosLayout.cs (the test checks).
var containers = [
  {
    name: 'cases'
    partitionKeyPath: '/engagementId'
    indexedPaths: ['/engagementId/?', '/kind/?']
  }
  {
    name: 'referrals'
    partitionKeyPath: '/referralId'
    indexedPaths: []
  }
  {
    name: 'members'
    partitionKeyPath: '/memberId'
    indexedPaths: []
  }
  {
    name: 'work-queue'
    partitionKeyPath: '/queue'
    indexedPaths: ['/queue/?', '/assignedClinician/?']
  }
  {
    name: 'claims'
    partitionKeyPath: '/memberId'
    indexedPaths: ['/memberId/?', '/kind/?', '/fileHash/?']
  }
  {
    name: 'claim-index'
    partitionKeyPath: '/claimId'
    indexedPaths: []
  }
  {
    name: 'claims-files'
    partitionKeyPath: '/contentHash'
    indexedPaths: ['/contentHash/?', '/kind/?']
  }
  {
    name: 'sent-emails'
    partitionKeyPath: '/id'
    indexedPaths: []
  }
]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-04-15' = {
  name: name
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
    capabilities: throughputMode == 'serverless' ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: backupTier
      }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-04-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: throughputMode == 'autoscale'
      ? {
          autoscaleSettings: {
            maxThroughput: autoscaleMaxThroughput
          }
        }
      : {}
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-04-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: {
        id: container.name
        partitionKey: {
          paths: [container.partitionKeyPath]
          kind: 'Hash'
          version: 2
        }
        indexingPolicy: {
          automatic: true
          indexingMode: 'consistent'
          includedPaths: [for path in container.indexedPaths: { path: path }]
          excludedPaths: [
            {
              path: '/*'
            }
          ]
        }
      }
    }
  }
]

// Data plane only, and only on the METS database: read, write and query items (no keys, no container management).
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-04-15' = {
  parent: account
  name: guid(account.id, identity.id, cosmosDataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${cosmosDataContributorRoleId}'
    principalId: identity.properties.principalId
    scope: '${account.id}/dbs/${database.name}'
  }
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: account
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

@description('Name of the Cosmos DB account.')
output name string = account.name

@description('Document endpoint of the account (the app\'s Cosmos:Endpoint).')
output endpoint string = account.properties.documentEndpoint

@description('Name of the SQL database.')
output databaseName string = database.name
