# Multi-stage build: SDK image builds and publishes; the runtime image runs as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig OpsConsole.sln ./
COPY OpsConsole/OpsConsole.csproj OpsConsole/
COPY OpsConsole.Core/OpsConsole.Core.csproj OpsConsole.Core/
RUN dotnet restore OpsConsole/OpsConsole.csproj
COPY OpsConsole/ OpsConsole/
COPY OpsConsole.Core/ OpsConsole.Core/
RUN dotnet publish OpsConsole/OpsConsole.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
RUN mkdir -p /data && chown -R app:app /data
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    DataDirectory=/data
EXPOSE 8080
# The runtime image has neither curl nor wget: the app's own `healthcheck` verb asks /healthz/ready.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["dotnet", "OpsConsole.dll", "healthcheck"]
VOLUME /data
ENTRYPOINT ["dotnet", "OpsConsole.dll"]
