// Key Vault (RBAC mode, soft delete, purge protection) holding the app's secrets: the SendGrid API key and the
// provider-link signing key. Values come from @secure() parameters (never defaults, never outputs); the app reads them
// through Key Vault references resolved with its user-assigned identity (Key Vault Secrets User on this vault only).

import { roleIds } from 'roles.bicep'

@description('Name of the key vault (3-24 letters, digits and hyphens, globally unique).')
param name string

@description('Azure region of the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Name of the function app\'s user-assigned identity (granted Key Vault Secrets User on the vault).')
param identityName string

@description('Days a deleted vault or secret can be recovered (purge protection keeps it that long).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Name of the secret holding the SendGrid API key.')
param sendGridSecretName string

@secure()
@description('The SendGrid API key.')
param sendGridApiKey string

@description('Name of the secret holding the active provider-link signing key.')
param providerLinkSecretName string

@secure()
@description('The active provider-link signing key: base64 of at least 32 random bytes.')
param providerLinkKey string

@description('Resource id of the Log Analytics workspace that receives the diagnostic settings.')
param workspaceId string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource sendGridSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: sendGridSecretName
  properties: {
    value: sendGridApiKey
    contentType: 'SendGrid API key'
  }
}

resource providerLinkSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: providerLinkSecretName
  properties: {
    value: providerLinkKey
    contentType: 'Provider-link signing key (base64)'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, roleIds.keyVaultSecretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: vault
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

@description('Name of the key vault.')
output name string = vault.name
