// Every app setting of the function app, in one place (the Microsoft.Web/sites/config 'appsettings' resource replaces
// the whole set on each deployment). Mets.Infra.Tests reads this resource from the compiled template and checks that
// every configuration key the app reads (found in the app's own service container) is here, and that nothing else is
// but the Functions host's own settings. Secrets appear only as Key Vault references; identity-based connections name
// the user-assigned identity (__credential + __clientId). Values that exist only at deployment (identity client id,
// endpoints) arrive as parameters so the whole set stays one literal object.

import { entraCaller, roster } from 'types.bicep'

@description('Name of the function app whose settings these are.')
param functionAppName string

@description('Client id of the app\'s user-assigned identity.')
param identityClientId string

@description('Blob endpoint of the storage account (host, task hub, claims containers).')
param storageBlobEndpoint string

@description('Queue endpoint of the storage account.')
param storageQueueEndpoint string

@description('Table endpoint of the storage account.')
param storageTableEndpoint string

@description('The claims containers: inbox (the blob trigger watches it), processed and quarantine.')
param claimsContainers {
  inbox: string
  processed: string
  quarantine: string
}

@description('Blob container the app writes timeline anchors to (immutable: docs/reliability.md).')
param auditContainerName string

@description('Durable Functions task hub name (host.json: %METS_TASK_HUB%).')
param taskHubName string

@description('Cosmos DB document endpoint.')
param cosmosEndpoint string

@description('Cosmos DB database name.')
param cosmosDatabaseName string

@description('Name of the key vault holding the secrets.')
param keyVaultName string

@description('Name of the secret holding the SendGrid API key.')
param sendGridSecretName string

@description('Prefix of the secrets holding provider-link signing keys (the key id follows).')
param providerLinkSecretNamePrefix string

@description('Id of the key new provider links are signed with.')
param providerLinkActiveKeyId string

@description('Ids of earlier signing keys whose secrets are still in the vault: links they signed verify until they expire.')
param providerLinkRetiredKeyIds string[]

@description('Address of the provider response page (the signed token is appended).')
param providerLinkBaseUrl string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Microsoft Entra ID sign-in host (the public cloud\'s unless a national cloud is used).')
param entraInstance string

@description('Directory (tenant) id whose access tokens the API accepts.')
param entraTenantId string

@description('Audience of the API\'s access tokens: the client id of the METS API app registration.')
param entraAudience string

@description('API callers mapped to METS users.')
param entraCallers entraCaller[]

@description('The care team.')
param careTeam roster

@description('Sender address of workflow emails.')
param mailFrom string

@description('Sender address SendGrid sends from (a verified sender).')
param sendGridFromAddress string

@description('The app\'s tunable settings (policy durations, limits, schedules): infra/app-settings.json.')
param tunables object

@description('Overrides of tunable settings for this environment (same keys as infra/app-settings.json).')
param overrides object

resource site 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

func keyVaultReference(vault string, secret string) string =>
  '@Microsoft.KeyVault(VaultName=${vault};SecretName=${secret})'

// Provider-link signing keys: the active one and the retired ones still verifying older links.
var providerLinkKeyIds = union([providerLinkActiveKeyId], providerLinkRetiredKeyIds)
var providerLinkKeys = toObject(
  providerLinkKeyIds,
  id => 'Mets__ProviderLinks__Keys__${id}',
  id => keyVaultReference(keyVaultName, '${providerLinkSecretNamePrefix}${id}')
)

// Mets:Entra:Callers:N:(ObjectId|ClientId) and :User.
var callerSettings = toObject(
  flatten(map(range(0, length(entraCallers)), i => [
    {
      key: 'Mets__Entra__Callers__${i}__${empty(entraCallers[i].?objectId ?? '') ? 'ClientId' : 'ObjectId'}'
      value: empty(entraCallers[i].?objectId ?? '') ? entraCallers[i].?clientId ?? '' : entraCallers[i].objectId!
    }
    {
      key: 'Mets__Entra__Callers__${i}__User'
      value: entraCallers[i].user
    }
  ])),
  e => e.key,
  e => e.value
)

// Mets:Roster:(Clinicians|Supervisors|MedicalDirectors):N:(Id|Email).
var rosterGroups = [
  { name: 'Clinicians', members: careTeam.clinicians }
  { name: 'Supervisors', members: careTeam.supervisors }
  { name: 'MedicalDirectors', members: careTeam.medicalDirectors }
]
var rosterSettings = toObject(
  flatten(map(
    rosterGroups,
    g =>
      flatten(map(range(0, length(g.members)), i => [
        { key: 'Mets__Roster__${g.name}__${i}__Id', value: g.members[i].id }
        { key: 'Mets__Roster__${g.name}__${i}__Email', value: g.members[i].email }
      ]))
  )),
  e => e.key,
  e => e.value
)

// What this deployment decides: connections, identities, endpoints, secrets, callers. Applied last, so no tunable or
// override can replace them.
var deploymentSettings = {
  // Functions host storage (keys, timers, leases) and Durable Functions' task hub (host.json names no other
  // connection, so the task hub uses AzureWebJobsStorage): identity-based, user-assigned identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
  AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
  METS_TASK_HUB: taskHubName

  // Telemetry: the host authenticates with the identity (Monitoring Metrics Publisher on the component).
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // Claims intake: the blob trigger's connection (the host: blob + queue service, identity) and the app's options
  // (ClaimsStorage__clientId serves both: the app's blob client picks the same identity by it).
  ClaimsStorage__credential: 'managedidentity'
  ClaimsStorage__clientId: identityClientId
  ClaimsStorage__blobServiceUri: storageBlobEndpoint
  ClaimsStorage__queueServiceUri: storageQueueEndpoint
  ClaimsStorage__ServiceUri: storageBlobEndpoint
  ClaimsStorage__Container: claimsContainers.inbox
  ClaimsStorage__ProcessedContainer: claimsContainers.processed
  ClaimsStorage__QuarantineContainer: claimsContainers.quarantine

  // Audit anchors: create-only blobs in the immutable container, with the user-assigned identity.
  AuditStorage__ServiceUri: storageBlobEndpoint
  AuditStorage__ClientId: identityClientId
  AuditStorage__Container: auditContainerName

  // Cosmos DB: Microsoft Entra ID with the user-assigned identity (the account has keys disabled).
  Cosmos__Endpoint: cosmosEndpoint
  Cosmos__Database: cosmosDatabaseName
  Cosmos__ManagedIdentityClientId: identityClientId
  // The template creates the database and its containers; the app's data-plane role could not.
  Cosmos__CreateIfNotExists: 'false'

  // Email.
  SendGrid__ApiKey: keyVaultReference(keyVaultName, sendGridSecretName)
  SendGrid__FromAddress: sendGridFromAddress
  Mets__Workflow__MailFrom: mailFrom

  // Provider links.
  Mets__ProviderLinks__BaseUrl: providerLinkBaseUrl
  Mets__ProviderLinks__ActiveKeyId: providerLinkActiveKeyId

  // Who may call the API (the app validates Microsoft Entra ID access tokens itself).
  Mets__Entra__Instance: entraInstance
  Mets__Entra__TenantId: entraTenantId
  Mets__Entra__Audience: entraAudience
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: union(tunables, overrides, callerSettings, rosterSettings, providerLinkKeys, deploymentSettings)
}
