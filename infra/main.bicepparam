// Parameters of infra/main.bicep, read from environment variables: azd passes the azd environment's values
// (azd env set NAME VALUE), and `az deployment group create --parameters infra/main.bicepparam` reads the shell's.
// docs/deploy.md lists every variable. Secrets (METS_SENDGRID_API_KEY, METS_PROVIDER_LINK_KEY) are never committed.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')
param location = readEnvironmentVariable('AZURE_LOCATION')

// Microsoft Entra ID: the METS API app registration and the callers it maps to METS users (JSON array of
// { "objectId" | "clientId", "user" }).
param entraAudience = readEnvironmentVariable('METS_ENTRA_AUDIENCE')
param entraCallers = json(readEnvironmentVariable('METS_ENTRA_CALLERS'))

// The care team (JSON: { "clinicians": [{ "id", "email" }], "supervisors": [...], "medicalDirectors": [...] }).
param careTeam = json(readEnvironmentVariable('METS_CARE_TEAM'))

param mailFrom = readEnvironmentVariable('METS_MAIL_FROM')
param sendGridApiKey = readEnvironmentVariable('METS_SENDGRID_API_KEY')
param providerLinkActiveKeyId = readEnvironmentVariable('METS_PROVIDER_LINK_KEY_ID', 'k1')
param providerLinkKey = readEnvironmentVariable('METS_PROVIDER_LINK_KEY')
param providerLinkRetiredKeyIds = json(readEnvironmentVariable('METS_PROVIDER_LINK_RETIRED_KEY_IDS', '[]'))

// Throughput, resilience and sizing (the defaults suit a dev environment; docs/deploy.md has production values).
param cosmosThroughputMode = readEnvironmentVariable('METS_COSMOS_THROUGHPUT_MODE', 'serverless')
param cosmosAutoscaleMaxThroughput = int(readEnvironmentVariable('METS_COSMOS_AUTOSCALE_MAX_RU', '1000'))
param cosmosBackupTier = readEnvironmentVariable('METS_COSMOS_BACKUP_TIER', 'Continuous7Days')
param storageSkuName = readEnvironmentVariable('METS_STORAGE_SKU', 'Standard_LRS')
param auditRetentionInDays = int(readEnvironmentVariable('METS_AUDIT_RETENTION_DAYS', '2190'))
param functionMaximumInstanceCount = int(readEnvironmentVariable('METS_FUNCTION_MAX_INSTANCES', '100'))
param appSettingOverrides = json(readEnvironmentVariable('METS_APP_SETTING_OVERRIDES', '{}'))
