#!/usr/bin/env bash
# Post-deploy smoke test of the function app (docs/deploy.md). Every check is one curl request; the script prints
# PASS, FAIL or SKIP per check and exits 0 only when no check failed.
#
#   infra/scripts/smoke-test.sh [base-url]        (default: $FUNCTION_APP_URL, e.g. https://func-mets-xyz.azurewebsites.net)
#
# Checks:
#   1. GET /api/health answers 200 without credentials and reports the Azure stores (cases and claims in Cosmos DB,
#      mail through SendGrid).
#   2. GET /api/engagements (a staff route) without a token answers 401 with problem details
#      (application/problem+json) and WWW-Authenticate: Bearer; 3. the same with a token that is not a valid Entra ID
#      token.
#   4. A provider link (GET /api/provider-responses/{token}) with a forged signature answers 403 (the link page
#      refuses it).
#   5. A provider link signed with the deployed signing key (METS_PROVIDER_LINK_KEY_ID, default k1, and
#      METS_PROVIDER_LINK_KEY: the same values the deployment stored in Key Vault) for an engagement that does not
#      exist gets the link page saying no provider request is waiting behind the link (404, text/html): the app read
#      its key from Key Vault, verified the signature and looked the outreach up in Cosmos DB. SKIP when
#      METS_PROVIDER_LINK_KEY is not set.
#   6. PROVIDER_LINK_URL (a link from a real outreach email), when set, gets its page (200, text/html). SKIP otherwise.
#
# Needs bash, curl, openssl, od. Exit codes: 0 no check failed; 1 a check failed; 2 no base URL.
set -uo pipefail

base_url="${1:-${FUNCTION_APP_URL:-}}"
base_url="${base_url%/}"
if [ -z "$base_url" ]; then
  echo "usage: smoke-test.sh <base-url>   (or set FUNCTION_APP_URL)" >&2
  exit 2
fi
timeout="${METS_SMOKE_TIMEOUT_SECONDS:-60}"

passed=0
failed=0
skipped=0
body_file="$(mktemp)"
header_file="$(mktemp)"
trap 'rm -f "$body_file" "$header_file"' EXIT

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP $1"; }

# request METHOD PATH [curl args...]: sets $status (000 when curl itself failed) and $content_type; body in
# $body_file, response headers in $header_file.
request() {
  local method="$1" path="$2"
  shift 2
  local out
  if out="$(curl --silent --show-error --max-time "$timeout" --request "$method" --output "$body_file" \
    --dump-header "$header_file" --write-out '%{http_code} %{content_type}' "$@" "$base_url$path")"; then
    status="${out%% *}"
    content_type="${out#* }"
  else
    status="000"
    content_type=""
  fi
}

# expect NAME STATUS [CONTENT-TYPE-PREFIX] [BODY-SUBSTRING | header:HEADER-LINE-PREFIX ...]
expect() {
  local name="$1" want_status="$2" want_type="${3:-}"
  shift 3 2>/dev/null || shift $#
  if [ "$status" != "$want_status" ]; then
    fail "$name: expected HTTP $want_status, got $status"
    return
  fi
  if [ -n "$want_type" ] && [[ "$content_type" != "$want_type"* ]]; then
    fail "$name: expected content type $want_type, got '$content_type'"
    return
  fi
  local text
  for text in "$@"; do
    if [[ "$text" == header:* ]]; then
      if ! tr -d '\r' < "$header_file" | grep -qi -- "^${text#header:}"; then
        fail "$name: the answer has no header '${text#header:}'"
        return
      fi
    elif ! grep -q -- "$text" "$body_file"; then
      fail "$name: the answer does not contain '$text'"
      return
    fi
  done
  pass "$name"
}

base64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# A provider-link token as Mets.Workflow's ProviderLinkSigner makes it:
# base64url("v1|keyId|engagementId|npi|engagementId:outreach:npi|expiryUnixSeconds") + "." + base64url(HMAC-SHA256).
sign_link() {
  local key_id="$1" key_base64="$2" engagement="$3" npi="$4" expires="$5"
  local payload="v1|${key_id}|${engagement}|${npi}|${engagement}:outreach:${npi}|${expires}"
  local hex_key
  hex_key="$(printf '%s' "$key_base64" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \n')"
  printf '%s.%s' \
    "$(printf '%s' "$payload" | base64url)" \
    "$(printf '%s' "$payload" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hex_key" -binary | base64url)"
}

echo "Smoke test of $base_url"

# 1. Health, anonymous, on the Azure stores.
request GET /api/health
expect "GET /api/health answers 200 with the Azure stores" 200 "application/json" '"cases":"cosmos"' '"claims":"cosmos"' '"mail":"sendgrid"'

# 2-3. The API refuses callers without a valid Microsoft Entra ID token.
request GET /api/engagements
expect "GET /api/engagements without a token answers 401" 401 "application/problem+json" '"status":401' "header:WWW-Authenticate: Bearer"
request GET /api/engagements --header "Authorization: Bearer not-a-valid-token"
expect "GET /api/engagements with an invalid token answers 401" 401 "application/problem+json" '"status":401' "header:WWW-Authenticate: Bearer"

# 4. A forged provider link is refused.
engagement="00000000000000000000000000000001"
npi="1234567893"
expires=$(($(date +%s) + 3600))
forged_key="$(head -c 32 /dev/urandom | openssl base64 -A)"
forged="$(sign_link "${METS_PROVIDER_LINK_KEY_ID:-k1}" "$forged_key" "$engagement" "$npi" "$expires")"
request GET "/api/provider-responses/$forged"
expect "a provider link with a forged signature answers 403" 403 "text/html"

# 5. A link signed with the deployed key reaches the page (no outreach behind it: 404 page, not 403).
if [ -n "${METS_PROVIDER_LINK_KEY:-}" ]; then
  signed="$(sign_link "${METS_PROVIDER_LINK_KEY_ID:-k1}" "$METS_PROVIDER_LINK_KEY" "$engagement" "$npi" "$expires")"
  request GET "/api/provider-responses/$signed"
  expect "a provider link signed with the deployed key gets the link page (no request waiting: 404)" 404 "text/html" "No provider request is waiting behind this link"
else
  skip "a provider link signed with the deployed key gets the link page (set METS_PROVIDER_LINK_KEY)"
fi

# 6. A real provider link gets its page.
if [ -n "${PROVIDER_LINK_URL:-}" ]; then
  link_path="/${PROVIDER_LINK_URL#*://*/}"
  request GET "$link_path"
  expect "PROVIDER_LINK_URL gets its page" 200 "text/html"
else
  skip "a real provider link gets its page (set PROVIDER_LINK_URL to a link from an outreach email)"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
