// The function app's user-assigned managed identity: every data-plane role, every identity-based connection and every
// Key Vault reference use it. User-assigned so the roles exist before the app starts and outlive an app re-creation.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id of the identity.')
output id string = identity.id

@description('Name of the identity.')
output name string = identity.name

@description('Client (application) id of the identity: the __clientId of identity-based connections.')
output clientId string = identity.properties.clientId

@description('Object (principal) id of the identity: the principal of its role assignments.')
output principalId string = identity.properties.principalId
