using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

/// <summary>
/// The real Google.Apis.Auth path: a service-account key file whose token_uri points at the local server, so the
/// JWT-bearer exchange happens over loopback instead of against Google.
/// </summary>
public sealed class GoogleTokenSourceTests : IAsyncLifetime
{
    private FakeBigQueryServer _server = null!;
    private string _keyFile = "";

    public async Task InitializeAsync()
    {
        _server = await FakeBigQueryServer.StartAsync();
        using var rsa = RSA.Create(2048);
        _keyFile = Path.Combine(Path.GetTempPath(), $"bq-key-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(_keyFile, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = FakeBigQueryServer.Project,
            ["private_key_id"] = "key-1",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "recon@ops-proj.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = _server.TokenUrl,
        }));
    }

    public async Task DisposeAsync()
    {
        File.Delete(_keyFile);
        await _server.DisposeAsync();
    }

    private GoogleTokenSource Tokens() => new(Options.Create(new BigQueryOptions { CredentialsFile = _keyFile }));

    [Fact]
    public async Task ServiceAccountKey_ExchangesASignedJwtForATokenOnce_AndReusesIt()
    {
        _server.Script("token", new ScriptedResponse(200, """{"access_token":"ya29.sa-token","expires_in":3600,"token_type":"Bearer"}"""));
        _server.Script("query", Bq.Query("job-1", true), Bq.Query("job-2", true));
        var client = _server.Client(tokens: Tokens());

        await client.QueryAsync(new BigQueryQuery("SELECT 1", []));
        await client.QueryAsync(new BigQueryQuery("SELECT 2", []));

        var token = Assert.Single(_server.Of("token"));
        var form = token.RawBody!.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        Assert.Equal("urn:ietf:params:oauth:grant-type:jwt-bearer", form["grant_type"]);
        var claims = JsonDocument.Parse(Base64Url(form["assertion"].Split('.')[1])).RootElement;
        Assert.Equal("recon@ops-proj.iam.gserviceaccount.com", claims.GetProperty("iss").GetString());
        Assert.Equal(GoogleTokenSource.Scope, claims.GetProperty("scope").GetString());
        Assert.All(_server.Requests.Where(r => r.Kind != "token"), r => Assert.Equal("Bearer ya29.sa-token", r.Authorization));
    }

    [Fact]
    public async Task ServiceAccountKey_TokenAboutToExpire_IsRefreshedBeforeTheNextCall()
    {
        _server.Script("token",
            new ScriptedResponse(200, """{"access_token":"ya29.short","expires_in":30,"token_type":"Bearer"}"""),
            new ScriptedResponse(200, """{"access_token":"ya29.fresh","expires_in":3600,"token_type":"Bearer"}"""));
        _server.Script("query", Bq.Query("job-1", true), Bq.Query("job-2", true));
        var client = _server.Client(tokens: Tokens());

        await client.QueryAsync(new BigQueryQuery("SELECT 1", []));
        await client.QueryAsync(new BigQueryQuery("SELECT 2", []));

        Assert.Equal(2, _server.Of("token").Count);
        var calls = _server.Requests.Where(r => r.Kind != "token").Select(r => r.Authorization).ToList();
        Assert.Equal("Bearer ya29.short", calls[0]);
        Assert.All(calls.Skip(1), a => Assert.Equal("Bearer ya29.fresh", a));
    }

    [Fact]
    public async Task ServiceAccountKey_ThatGoogleRejects_FailsBeforeAnyQueryInPlainWords()
    {
        _server.Script("token", new ScriptedResponse(400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"""));
        var client = _server.Client(tokens: Tokens());

        var e = await Assert.ThrowsAsync<BigQueryException>(() => client.QueryAsync(new BigQueryQuery("SELECT 1", [])));

        Assert.Equal("authError", e.Reason);
        Assert.Contains("Could not get a Google access token", e.Message);
        Assert.Contains("invalid_grant", e.Message);
        Assert.Empty(_server.Of("query"));
    }

    [Fact]
    public async Task MissingKeyFile_FailsNamingTheSetting()
    {
        var tokens = new GoogleTokenSource(Options.Create(new BigQueryOptions { CredentialsFile = "/nonexistent/key.json" }));

        var e = await Assert.ThrowsAsync<BigQueryException>(() => tokens.GetAccessTokenAsync(CancellationToken.None));

        Assert.Contains("Warehouse:BigQuery:CredentialsFile", e.Message);
        Assert.Contains("/nonexistent/key.json", e.Message);
    }

    private static string Base64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Encoding.UTF8.GetString(Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=')));
    }
}
