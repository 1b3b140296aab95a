#!/usr/bin/env bash
# Regenerates the single Initial migration of each provider from the current model (pre-release: one
# migration per provider). Run after changing any entity or EF configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-ef >/dev/null || dotnet tool install --global dotnet-ef --version 10.0.15
rm -rf OpsConsole.Core/Data/Migrations
dotnet build OpsConsole.Core -v q -nologo >/dev/null
for ctx in Sqlite Postgres; do
  dotnet ef migrations add Initial --no-build --project OpsConsole.Core --startup-project OpsConsole.Core \
    --context "${ctx}OpsDbContext" --output-dir "Data/Migrations/$ctx" >/dev/null
done
dotnet build OpsConsole.Core -v q -nologo >/dev/null
echo "migrations regenerated"
