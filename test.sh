#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs what the tests need (PostgreSQL 15, Chromium),
# starts a throwaway PostgreSQL cluster on a free loopback port, runs the suite, stops what it started
# and ends with "N passed, N failed".   Usage: ./test.sh [extra dotnet test args, e.g. --filter X]
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
work=$(mktemp -d /tmp/opsconsole-test.XXXXXX)
chmod 755 "$work"

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") </dev/null >"$work/apt.log" 2>&1 \
    || { cat "$work/apt.log"; echo "0 passed, 1 failed"; exit 1; }
fi

# The SSO tests start a real OpenID provider (oidc-provider from npm, pinned by its package-lock.json).
(cd OpsConsole.Tests/Oidc && npm ci --no-audit --no-fund) >"$work/npm.log" 2>&1 \
  || { cat "$work/npm.log"; echo "0 passed, 1 failed"; exit 1; }

OPSCONSOLE_TEST_POSTGRES=$(scripts/postgres.sh start "$work/pg") || { echo "could not start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
export OPSCONSOLE_TEST_POSTGRES
trap 'scripts/postgres.sh stop "$work/pg"' EXIT
echo "PostgreSQL: $OPSCONSOLE_TEST_POSTGRES"

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
dotnet test OpsConsole.Tests/OpsConsole.Tests.csproj -c Release --logger "trx;LogFileName=tests.trx" \
  --results-directory "$results" "$@"
rc=$?

trx="$results/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  passed=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  failed=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  errored=$(echo "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
  timeout=$(echo "$counters" | sed -n 's/.* timeout="\([0-9]*\)".*/\1/p')
  failed=$(( ${failed:-0} + ${errored:-0} + ${timeout:-0} ))
  passed=${passed:-0}
else
  passed=0; failed=1
fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
