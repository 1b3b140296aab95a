using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary>
/// OAuth2 client-credentials access tokens (<c>Auth:Jwt:*</c>) next to API keys: a tiny identity provider on
/// 127.0.0.1 serves the OpenID discovery document and its JWKS over real HTTP; tokens are signed with its RSA key.
/// </summary>
public sealed class ApiJwtTests(ApiJwtTests.Fixture fx) : IClassFixture<ApiJwtTests.Fixture>
{
    public const string Audience = "opsconsole-api";

    public sealed class Fixture : PaymentAppFixture<SqliteTestDatabase>, IDisposable
    {
        private readonly WebApplication _idp;

        public Fixture()
        {
            var rsaKey = new RsaSecurityKey(Rsa) { KeyId = "idp-key-1" };
            SigningKey = rsaKey;
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _idp = builder.Build();
            _idp.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = $"{Issuer}/jwks",
                ["token_endpoint"] = $"{Issuer}/token",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            }));
            _idp.MapGet("/jwks", () =>
            {
                var p = Rsa.ExportParameters(false);
                return Results.Json(new
                {
                    keys = new[]
                    {
                        new { kty = "RSA", use = "sig", alg = "RS256", kid = rsaKey.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) },
                    },
                });
            });
            _idp.Start();
            Issuer = _idp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        }

        public RSA Rsa { get; } = RSA.Create(2048);
        public SecurityKey SigningKey { get; }
        public string Issuer { get; } = "";

        public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Auth:Jwt:Authority"] = Issuer,
            ["Auth:Jwt:Audience"] = Audience,
            ["Auth:Jwt:RequireHttpsMetadata"] = "false",
            ["Auth:Jwt:TokenUrl"] = $"{Issuer}/token",
        };

        public void Dispose()
        {
            _idp.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)_idp).Dispose();
            Rsa.Dispose();
        }
    }

    private string Token(string scope, string audience = Audience, TimeSpan? expiresIn = null, SecurityKey? key = null,
        string clientId = "partner-service")
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = fx.Issuer,
            Audience = audience,
            IssuedAt = expires.AddMinutes(-15),
            NotBefore = expires.AddMinutes(-15),
            Expires = expires,
            Claims = new Dictionary<string, object> { ["scope"] = scope, ["client_id"] = clientId, ["sub"] = clientId },
            SigningCredentials = new SigningCredentials(key ?? fx.SigningKey, SecurityAlgorithms.RsaSha256),
        });
    }

    private HttpClient With(string token)
    {
        var http = new HttpClient { BaseAddress = fx.Host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task AssertUnauthenticatedAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal("unauthenticated", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal("Bearer", r.Headers.WwwAuthenticate.First().Scheme);
    }

    [Fact]
    public async Task TokenWithTheScopes_ConfirmsAndReads_AsItsClient()
    {
        using var http = With(Token("payments:confirm payments:read", clientId: "partner-shop"));
        var (key, order, amount) = await fx.CheckoutAsync(4_200);

        using var confirm = await http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount });
        using var read = await http.GetAsync($"api/v1/payments/{key}");

        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.True(await db.PaymentEvents.AnyAsync(e => e.PaymentKey == key && e.Message.Contains("api:partner-shop")));
    }

    [Fact]
    public async Task TokenWithoutTheCancelScope_Is403()
    {
        using var http = With(Token("payments:read"));
        var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/payments/pay_any/cancel") { Content = JsonContent.Create(new { cancelReason = "x" }) };
        request.Headers.Add("Idempotency-Key", "jwt-no-scope");

        using var r = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal("insufficient_scope", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task TokenForAnotherAudience_Is401()
    {
        using var http = With(Token("payments:read", audience: "some-other-api"));
        await AssertUnauthenticatedAsync(await http.GetAsync("api/v1/payments/pay_any"));
    }

    [Fact]
    public async Task ExpiredToken_Is401()
    {
        using var http = With(Token("payments:read", expiresIn: TimeSpan.FromMinutes(-10)));
        await AssertUnauthenticatedAsync(await http.GetAsync("api/v1/payments/pay_any"));
    }

    [Fact]
    public async Task TokenSignedByAnotherKey_Is401()
    {
        using var stranger = RSA.Create(2048);
        using var http = With(Token("payments:read", key: new RsaSecurityKey(stranger) { KeyId = "idp-key-1" }));
        await AssertUnauthenticatedAsync(await http.GetAsync("api/v1/payments/pay_any"));
    }

    [Fact]
    public async Task ApiKeys_StillWork_AndTheDocumentShowsBothSchemes()
    {
        using (var read = await fx.Api.GetAsync("api/v1/payments/pay_any"))
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);

        using var anonymous = new HttpClient { BaseAddress = fx.Host.BaseUri };
        var doc = JsonDocument.Parse(await anonymous.GetStringAsync("openapi/v1.json")).RootElement;
        var schemes = doc.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("apiKey").GetProperty("scheme").GetString());
        var oauth2 = schemes.GetProperty("oauth2");
        Assert.Equal("oauth2", oauth2.GetProperty("type").GetString());
        var flow = oauth2.GetProperty("flows").GetProperty("clientCredentials");
        Assert.Equal($"{fx.Issuer}/token", flow.GetProperty("tokenUrl").GetString());
        Assert.True(flow.GetProperty("scopes").TryGetProperty("payments:cancel", out _));
    }
}
