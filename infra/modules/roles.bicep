// Built-in role definition ids (the same in every tenant) that the app's identity is granted, and the Cosmos DB
// built-in data-plane role. Imported by the modules that assign them, so each id is written once.

@export()
@description('Azure built-in role definition ids granted to the function app identity (least privilege: one per data plane).')
var roleIds = {
  // Host storage (leases, timers, keys), Durable Functions' task hub blobs, the claims containers and the Flex
  // deployment package: read, write, delete, and the leases the blob trigger and Durable take.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Durable Functions' control and work-item queues; the blob trigger's poison queue.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Durable Functions' history and instance tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Key Vault references in app settings (SendGrid API key, provider-link signing keys): read secret values only.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // Telemetry to Application Insights with a Microsoft Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

@export()
@description('Cosmos DB Built-in Data Contributor (data plane: read, write, query items; no account or container management).')
var cosmosDataContributorRoleId = '00000000-0000-0000-0000-000000000002'
