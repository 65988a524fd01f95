#!/usr/bin/env bash
# azd postdeploy hook (azure.yaml): subscribes the claims blob trigger to the storage account's Event Grid system topic.
#
# On the Flex Consumption plan a blob trigger runs only with the Event Grid source: BlobCreated events of the inbox
# container are delivered to the function's webhook, /runtime/webhooks/blobs?functionName=Host.Functions.<name>, which
# requires the host's blobs_extension system key. That key exists only after the code is deployed and the host has
# started with the blob trigger indexed, so the subscription cannot be part of main.bicep: this script waits for the
# key, then creates (or updates) the subscription. Event Grid validates the webhook while creating it, so a success
# here means the running app answered the validation handshake.
#
# Needs: bash, curl, the Azure CLI signed in (az login) with rights on the resource group. Reads (azd exports the
# environment's values and main.bicep's outputs to hooks; export them yourself after `az deployment group create`):
#   AZURE_RESOURCE_GROUP, FUNCTION_APP_NAME, FUNCTION_APP_URL, EVENTGRID_SYSTEM_TOPIC_NAME, CLAIMS_INBOX_CONTAINER,
#   CLAIMS_BLOB_FUNCTION_NAME
# Optional: METS_EVENTGRID_SUBSCRIPTION_NAME (default claims-inbox-blob-created), METS_KEY_ATTEMPTS (30),
#   METS_KEY_DELAY_SECONDS (10).
# Exit codes: 0 subscription created or updated; 1 a step failed (message on stderr); 2 a variable is missing.
set -euo pipefail

missing=0
for name in AZURE_RESOURCE_GROUP FUNCTION_APP_NAME FUNCTION_APP_URL EVENTGRID_SYSTEM_TOPIC_NAME CLAIMS_INBOX_CONTAINER CLAIMS_BLOB_FUNCTION_NAME; do
  if [ -z "${!name:-}" ]; then
    echo "postdeploy-eventgrid: $name is not set (azd sets it from the deployment outputs; see docs/deploy.md)." >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] || exit 2

subscription_name="${METS_EVENTGRID_SUBSCRIPTION_NAME:-claims-inbox-blob-created}"
attempts="${METS_KEY_ATTEMPTS:-30}"
delay="${METS_KEY_DELAY_SECONDS:-10}"
base_url="${FUNCTION_APP_URL%/}"

# The host creates the blobs_extension key when it starts with the blob trigger; a request wakes an app scaled to zero.
key=""
for ((attempt = 1; attempt <= attempts; attempt++)); do
  curl --silent --output /dev/null --max-time 30 "$base_url/api/health" || true
  key="$(az functionapp keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)"
  if [ -n "$key" ]; then
    break
  fi
  echo "postdeploy-eventgrid: waiting for the blobs_extension system key of $FUNCTION_APP_NAME ($attempt/$attempts)"
  sleep "$delay"
done
if [ -z "$key" ]; then
  echo "postdeploy-eventgrid: the function app has no blobs_extension system key after $attempts attempts: is the code deployed and does the host start? (Application Insights: traces of the host)" >&2
  exit 1
fi

# The key is a credential: it is passed to az, never printed.
endpoint="$base_url/runtime/webhooks/blobs?functionName=Host.Functions.${CLAIMS_BLOB_FUNCTION_NAME}&code=${key}"
if ! az eventgrid system-topic event-subscription create \
  --name "$subscription_name" \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$EVENTGRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --event-delivery-schema EventGridSchema \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${CLAIMS_INBOX_CONTAINER}/" \
  --max-delivery-attempts 30 \
  --event-ttl 1440 \
  --output none; then
  echo "postdeploy-eventgrid: creating the Event Grid subscription $subscription_name failed (see the az error above)." >&2
  exit 1
fi

echo "postdeploy-eventgrid: BlobCreated events of container $CLAIMS_INBOX_CONTAINER now reach function $CLAIMS_BLOB_FUNCTION_NAME (subscription $subscription_name on $EVENTGRID_SYSTEM_TOPIC_NAME)."
