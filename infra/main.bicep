// METS engagement workflow: the whole Azure deployment into one resource group.
//
//   user-assigned identity --(roles)--> storage (host, Durable task hub, deployment package, claims containers,
//                                      the audit anchors container under a WORM retention policy),
//                                      Cosmos DB (data contributor on the METS database), Key Vault (secrets user),
//                                      Application Insights (metrics publisher)
//   Flex Consumption function app (.NET 10 isolated) with identity-based connections and Key Vault references
//   Event Grid system topic on the storage account (its blob-trigger subscription: infra/scripts/postdeploy-eventgrid.sh)
//   Log Analytics workspace receiving every resource's diagnostic settings
//
// Deploy with `azd up` or `az deployment group create` (docs/deploy.md). Parameters: infra/main.bicepparam.

targetScope = 'resourceGroup'

import { entraCaller, roster } from 'modules/types.bicep'

@description('Azure region for every resource (one that offers the Flex Consumption plan); defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Environment name (the azd environment, e.g. dev, test, prod): part of the resource token and the azd-env-name tag.')
@minLength(1)
@maxLength(24)
param environmentName string

@description('Directory (tenant) id whose Microsoft Entra ID access tokens the API accepts; defaults to the deployment\'s tenant.')
param entraTenantId string = tenant().tenantId

@description('Microsoft Entra ID sign-in host; defaults to the cloud the deployment runs in.')
param entraInstance string = environment().authentication.loginEndpoint

@description('Audience of the API\'s access tokens: the application (client) id of the METS API app registration (docs/deploy.md).')
@minLength(36)
@maxLength(36)
param entraAudience string

@description('Who may call the API, each mapped to the METS user recorded in timelines: staff by object id, daemons (referral sources) by client id.')
@minLength(1)
param entraCallers entraCaller[]

@description('The care team: clinicians, supervisors and medical directors, with their email addresses.')
param careTeam roster

@description('Sender address of workflow emails (Mets:Workflow:MailFrom).')
param mailFrom string

@description('Sender address SendGrid sends from (a verified sender); defaults to mailFrom.')
param sendGridFromAddress string = ''

@secure()
@description('The SendGrid API key (stored in Key Vault; the app reads it through a Key Vault reference).')
param sendGridApiKey string

@description('Id of the provider-link signing key (letters, digits and hyphens: it names the Key Vault secret provider-link-key-<id>).')
@minLength(1)
@maxLength(32)
param providerLinkActiveKeyId string = 'k1'

@secure()
@description('The provider-link signing key: base64 of at least 32 random bytes (openssl rand -base64 32). Stored in Key Vault.')
param providerLinkKey string

@description('Ids of earlier signing keys still in Key Vault (provider-link-key-<id>): links they signed keep working until they expire. Remove an id once its links have expired.')
param providerLinkRetiredKeyIds string[] = []

@description('Address of the provider response page in emails; defaults to the function app\'s own host name. Set it when the app has a custom domain.')
param providerLinkBaseUrl string = ''

@description('Cosmos DB throughput: serverless (pay per request) or autoscale (database-level, shared by the containers).')
@allowed([
  'serverless'
  'autoscale'
])
param cosmosThroughputMode string = 'serverless'

@description('Highest RU/s of the database when cosmosThroughputMode is autoscale (multiple of 1000; docs/cosmos.md has the RU estimates).')
@minValue(1000)
@maxValue(1000000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Cosmos DB continuous backup tier (point-in-time restore window).')
@allowed([
  'Continuous7Days'
  'Continuous30Days'
])
param cosmosBackupTier string = 'Continuous7Days'

@description('Replication of the storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Days each timeline anchor stays immutable in the audit container (default 6 years, HIPAA\'s retention of required documentation).')
@minValue(1)
@maxValue(146000)
param auditRetentionInDays int = 2190

@description('Days deleted blobs and containers can be restored.')
@minValue(1)
@maxValue(365)
param storageSoftDeleteRetentionInDays int = 7

@description('Days a deleted key vault or secret stays recoverable (purge protection keeps it that long).')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Days the Log Analytics workspace keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Accept only Microsoft Entra-authenticated telemetry in Application Insights: the Functions host sends it with the app\'s identity, and the worker sends none of its own (its logs go through the host). Set false only for a worker given the Application Insights SDK without a token credential (docs/deploy.md).')
param appInsightsDisableLocalAuth bool = true

@description('Largest number of instances the function app scales out to.')
@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@description('Memory of each function app instance (MB).')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Durable Functions task hub name (letters and digits, 3-45, starting with a letter).')
@minLength(3)
@maxLength(45)
param taskHubName string = 'mets'

@description('Overrides of the tunable app settings in infra/app-settings.json for this environment, e.g. { "Mets__Policy__AssessmentDue": "5.00:00:00" }.')
param appSettingOverrides object = {}

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
  application: 'mets'
}

var names = {
  identity: 'id-mets-${resourceToken}'
  workspace: 'log-mets-${resourceToken}'
  appInsights: 'appi-mets-${resourceToken}'
  storage: 'stmets${resourceToken}'
  eventGridTopic: 'evgt-mets-${resourceToken}'
  cosmos: 'cosmos-mets-${resourceToken}'
  keyVault: 'kv-mets-${resourceToken}'
  plan: 'plan-mets-${resourceToken}'
  functionApp: 'func-mets-${resourceToken}'
}

var deploymentContainerName = 'app-package'
var claimsContainers = {
  inbox: 'claims-inbox'
  processed: 'claims-processed'
  quarantine: 'claims-quarantine'
}
var auditContainerName = 'audit-anchors'
var cosmosDatabaseName = 'mets'
var sendGridSecretName = 'sendgrid-api-key'
var providerLinkSecretNamePrefix = 'provider-link-key-'

// The blob-trigger function the postdeploy hook subscribes to the inbox's BlobCreated events.
var claimsBlobFunctionName = 'ClaimsBlobIntake'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  dependsOn: [
    identity
  ]
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: tags
    identityName: names.identity
    retentionInDays: logRetentionInDays
    disableLocalAuth: appInsightsDisableLocalAuth
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  dependsOn: [
    identity
  ]
  params: {
    name: names.storage
    location: location
    tags: tags
    skuName: storageSkuName
    identityName: names.identity
    deploymentContainerName: deploymentContainerName
    claimsContainerNames: [
      claimsContainers.inbox
      claimsContainers.processed
      claimsContainers.quarantine
    ]
    auditContainerName: auditContainerName
    auditRetentionInDays: auditRetentionInDays
    softDeleteRetentionInDays: storageSoftDeleteRetentionInDays
    workspaceId: monitoring.outputs.workspaceId
  }
}

module eventGrid 'modules/eventgrid.bicep' = {
  name: 'eventgrid'
  dependsOn: [
    storage
  ]
  params: {
    name: names.eventGridTopic
    location: location
    tags: tags
    storageAccountName: names.storage
    workspaceId: monitoring.outputs.workspaceId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  dependsOn: [
    identity
  ]
  params: {
    name: names.cosmos
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    throughputMode: cosmosThroughputMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    backupTier: cosmosBackupTier
    identityName: names.identity
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  dependsOn: [
    identity
  ]
  params: {
    name: names.keyVault
    location: location
    tags: tags
    identityName: names.identity
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    sendGridSecretName: sendGridSecretName
    sendGridApiKey: sendGridApiKey
    providerLinkSecretName: '${providerLinkSecretNamePrefix}${providerLinkActiveKeyId}'
    providerLinkKey: providerLinkKey
    workspaceId: monitoring.outputs.workspaceId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    workspaceId: monitoring.outputs.workspaceId
  }
}

module appSettings 'modules/app-settings.bicep' = {
  name: 'app-settings'
  params: {
    functionAppName: names.functionApp
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    claimsContainers: claimsContainers
    auditContainerName: storage.outputs.auditContainerName
    taskHubName: taskHubName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    keyVaultName: keyVault.outputs.name
    sendGridSecretName: sendGridSecretName
    providerLinkSecretNamePrefix: providerLinkSecretNamePrefix
    providerLinkActiveKeyId: providerLinkActiveKeyId
    providerLinkRetiredKeyIds: providerLinkRetiredKeyIds
    providerLinkBaseUrl: empty(providerLinkBaseUrl)
      ? 'https://${functionApp.outputs.defaultHostName}/api/provider-responses'
      : providerLinkBaseUrl
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    entraInstance: entraInstance
    entraTenantId: entraTenantId
    entraAudience: entraAudience
    entraCallers: entraCallers
    careTeam: careTeam
    mailFrom: mailFrom
    sendGridFromAddress: empty(sendGridFromAddress) ? mailFrom : sendGridFromAddress
    tunables: loadJsonContent('app-settings.json')
    overrides: appSettingOverrides
  }
}

@description('Base address of the function app (the API is under /api).')
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'

@description('Name of the function app.')
output FUNCTION_APP_NAME string = functionApp.outputs.name

@description('Name of the blob-trigger function the postdeploy hook subscribes to the claims inbox.')
output CLAIMS_BLOB_FUNCTION_NAME string = claimsBlobFunctionName

@description('Name of the storage account.')
output STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Claims inbox container (uploads land here).')
output CLAIMS_INBOX_CONTAINER string = claimsContainers.inbox

@description('The audit anchors\' container (under a time-based retention policy to lock after deploying: docs/deploy.md).')
output AUDIT_ANCHORS_CONTAINER string = storage.outputs.auditContainerName

@description('Name of the Event Grid system topic of the storage account.')
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name

@description('Name of the Cosmos DB account.')
output COSMOS_ACCOUNT_NAME string = cosmos.outputs.name

@description('Name of the key vault.')
output KEY_VAULT_NAME string = keyVault.outputs.name

@description('Name of the Application Insights component.')
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName

@description('Name of the user-assigned identity of the function app.')
output IDENTITY_NAME string = identity.outputs.name
