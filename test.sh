#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine (only the .NET 10 SDK and Node.js/npm needed):
# installs what the tests need (npm packages from package-lock.json; the Bicep CLI comes from NuGet
# at restore; the Debian packages chromium and chromium-driver with apt-get where it is usable, else
# the dashboard's browser test is skipped with the reason), builds, runs every test project, and ends with one line
# "N passed, N failed, N skipped". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

results="$PWD/.test-results"
rm -rf "$results"
mkdir -p "$results"
fail() { echo "$1"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

echo "== installing npm packages (Azurite) from package-lock.json"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed"
fi

echo "== headless Chromium for the dashboard test (Debian packages chromium, chromium-driver)"
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  echo "installed"
elif command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
  as_root=""; [ "$(id -u)" = 0 ] || as_root="sudo -n"
  { $as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq chromium chromium-driver >/dev/null; } \
    || echo "apt-get could not install chromium and chromium-driver: the dashboard browser test will be skipped"
else
  echo "Headless Chromium is missing and apt-get is not usable here: install the Debian packages chromium and chromium-driver (the dashboard browser test is skipped without them)."
fi

echo "== checking every test project is in Serverless.Local.slnf"
for proj in $(find tests -name '*.Tests.csproj' | sort); do
  grep -q "\"$proj\"" Serverless.Local.slnf || fail "$proj is not listed in Serverless.Local.slnf"
done
projects=$(find tests -name '*.Tests.csproj' | wc -l)

echo "== building (warnings are errors)"
dotnet build Serverless.Local.slnf -nologo -clp:ErrorsOnly || fail "build failed"

echo "== testing ($projects test projects)"
dotnet test Serverless.Local.slnf --no-build -nologo \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
test_exit=$?

passed=0; failed=0; skipped=0; reports=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  reports=$((reports + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get total) - $(get executed)))  # xunit's skipped tests are counted, not executed
done
if [ "$reports" -lt "$projects" ]; then
  echo "Only $reports of $projects test projects produced a report (a test host crashed?)."
  failed=$((failed + projects - reports))
fi
if [ "$test_exit" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
