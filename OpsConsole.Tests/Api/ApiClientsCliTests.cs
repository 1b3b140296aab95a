using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Cli;
using OpsConsole.Core.ApiClients;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary><c>api-clients create|list|revoke</c> on a real database; every change audited; only hashes stored.</summary>
public sealed class ApiClientsCliTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliRunner.RunAsync([.. args, "--Database:Provider=Sqlite", $"--ConnectionStrings:OpsConsole={_db.ConnectionString}",
            $"--DataDirectory={Path.GetTempPath()}"], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Create_WithJson_PrintsExactlyNameScopesAndKey_AndStoresOnlyTheHash()
    {
        var (code, output, err) = await RunAsync("api-clients", "create", "--name", "checkout-web",
            "--scopes", "payments:confirm,payments:read", "--json");

        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal(["name", "scopes", "key"], root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("checkout-web", root.GetProperty("name").GetString());
        Assert.Equal(["payments:confirm", "payments:read"], root.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!).ToArray());
        var key = root.GetProperty("key").GetString()!;
        Assert.Matches("^ocs_[0-9A-Za-z]{43}$", key);
        Assert.Equal(output.Trim(), root.GetRawText());

        await using var db = await _db.Factory.CreateDbContextAsync();
        var client = await db.ApiClients.SingleAsync(c => c.Name == "checkout-web");
        Assert.Equal(ApiKeys.Hash(key), client.KeyHash);
        Assert.DoesNotContain(key[4..], client.KeyHash + client.KeyHint + client.Scopes);
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "api-client.create" && a.TargetId == "checkout-web"));
    }

    [Fact]
    public async Task Create_Twice_OrWithAnUnknownScope_FailsAndChangesNothing()
    {
        Assert.Equal(0, (await RunAsync("api-clients", "create", "--name", "shop", "--scopes", "payments:read")).Code);

        var (dup, dupOut, dupErr) = await RunAsync("api-clients", "create", "--name", "shop", "--scopes", "payments:read", "--json");
        var (bad, badOut, badErr) = await RunAsync("api-clients", "create", "--name", "other", "--scopes", "payments:everything", "--json");

        Assert.Equal((1, ""), (dup, dupOut));
        Assert.Contains("API_CLIENT_EXISTS", dupErr);
        Assert.Equal((1, ""), (bad, badOut));
        Assert.Contains("payments:everything", badErr);
        await using var db = await _db.Factory.CreateDbContextAsync();
        Assert.Equal(["shop"], await db.ApiClients.Select(c => c.Name).ToListAsync());
    }

    [Fact]
    public async Task List_And_Revoke_AreAudited_AndTheRevokedKeyIsRefused()
    {
        var (_, created, _) = await RunAsync("api-clients", "create", "--name", "warehouse-sync", "--scopes", "payments:read", "--json");
        var key = JsonDocument.Parse(created).RootElement.GetProperty("key").GetString()!;
        var service = ApiClientServiceFor();
        Assert.NotNull(await service.AuthenticateAsync(key, demoEnabled: false));

        var (listCode, listed, _) = await RunAsync("api-clients", "list", "--json");
        var (revokeCode, revoked, revokeErr) = await RunAsync("api-clients", "revoke", "--name", "warehouse-sync");
        var (_, listedAfter, _) = await RunAsync("api-clients", "list");
        var (unknownCode, _, unknownErr) = await RunAsync("api-clients", "revoke", "--name", "nobody");

        Assert.Equal(0, listCode);
        var entry = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single();
        Assert.Equal("warehouse-sync", entry.GetProperty("name").GetString());
        Assert.False(entry.GetProperty("revoked").GetBoolean());
        Assert.Equal(JsonValueKind.String, entry.GetProperty("lastUsedAt").ValueKind); // the authentication above used it
        Assert.Equal(JsonValueKind.String, entry.GetProperty("createdAt").ValueKind);
        Assert.DoesNotContain(key, listed);
        Assert.True(revokeCode == 0, revokeErr);
        Assert.Contains("Revoked API client warehouse-sync", revoked);
        Assert.Matches(@"warehouse-sync\s+ocs_\w{4}…\s+revoked", listedAfter);
        Assert.Equal(1, unknownCode);
        Assert.Contains("NOT_FOUND_API_CLIENT", unknownErr);
        Assert.Null(await service.AuthenticateAsync(key, demoEnabled: false));
        await using var db = await _db.Factory.CreateDbContextAsync();
        Assert.True(await db.AuditEntries.AnyAsync(a => a.Action == "api-client.revoke" && a.TargetId == "warehouse-sync"));
    }

    [Fact]
    public async Task Create_WithoutJson_ShowsTheKeyOnce_AndUsageErrorsExitWith2()
    {
        var (code, output, _) = await RunAsync("api-clients", "create", "--name", "plain", "--scopes", "payments:cancel");
        var (noName, _, noNameErr) = await RunAsync("api-clients", "create", "--scopes", "payments:cancel");
        var (noAction, _, _) = await RunAsync("api-clients");

        Assert.Equal(0, code);
        Assert.Matches("Key \\(shown once, store it now\\): ocs_[0-9A-Za-z]{43}", output);
        Assert.Equal(2, noName);
        Assert.Contains("--name is required", noNameErr);
        Assert.Equal(2, noAction);
    }

    private ApiClientService ApiClientServiceFor() =>
        new(_db.Factory, new Core.Audit.AuditLog(_db.Factory, TimeProvider.System), TimeProvider.System);
}
