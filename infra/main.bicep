// METS engagement workflow: the whole Azure deployment.
// Placeholder until the infra issue fills it: it declares the parameters every deployment takes
// so the template compiles and the test suite exercises the real Bicep compiler from day one.

targetScope = 'resourceGroup'

@description('Azure region for every resource; defaults to the resource group location.')
param location string = resourceGroup().location

@description('Short environment name (dev, test, prod) used in resource names and tags.')
@allowed([
  'dev'
  'test'
  'prod'
])
param environmentName string = 'dev'

@description('Unique token derived from the subscription, resource group and environment, used in globally unique names.')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))

output resourceToken string = resourceToken
output location string = location
