using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Payments;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary>
/// The edge of <c>/api</c>: one problem shape for every error (also 401/404/405/413/415/500, in Development, for
/// anonymous callers), the per-client rate limit and the OpenAPI document.
/// </summary>
public sealed class ApiEdgeTests(ApiEdgeTests.Fixture fx) : IClassFixture<ApiEdgeTests.Fixture>
{
    public sealed class Fixture : PaymentAppFixture<SqliteTestDatabase>
    {
        public const int Permits = 3;

        public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Api:RateLimit:PermitsPerSecond"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // One long window: the test decides exactly which request is over the limit, whatever the machine's speed.
            ["Api:RateLimit:Window"] = "01:00:00",
        };

        /// <summary>An endpoint under /api that fails with an unhandled exception (a bug), for the 500 shape.</summary>
        protected override void Configure(WebApplicationBuilder builder) =>
            builder.Services.AddSingleton<IStartupFilter>(new ThrowingEndpoint());
    }

    private sealed class ThrowingEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext http, RequestDelegate rest) => http.Request.Path == "/api/v1/test-boom"
                ? throw new InvalidOperationException("secret-internal-detail")
                : rest(http));
        };
    }

    private HttpClient Anonymous() => new() { BaseAddress = fx.Host.BaseUri };

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage r, HttpStatusCode status, string code)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(status == r.StatusCode, $"{(int)r.StatusCode}: {text}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<html", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        Assert.Equal(32, body.GetProperty("traceId").GetString()!.Length);
        return body;
    }

    [Theory]
    [InlineData("api/v1/nothing-here")]
    [InlineData("api/v2/payments/x")]
    [InlineData("api")]
    public async Task UnknownRouteUnderApi_Is404Problem_NotTheConsolesPage(string path)
    {
        using var http = Anonymous();
        using var r = await http.GetAsync(path);
        await AssertProblemAsync(r, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task WrongMethod_Is405Problem()
    {
        using var http = Anonymous();
        using var r = await http.DeleteAsync("api/v1/payments/confirm");
        await AssertProblemAsync(r, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task UnhandledException_Is500Problem_WithoutStackTraceOrMessage_EvenInDevelopment()
    {
        Assert.True(fx.Host.App.Environment.IsDevelopment());
        using var http = Anonymous();
        http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        using var r = await http.GetAsync("api/v1/test-boom");
        await AssertProblemAsync(r, HttpStatusCode.InternalServerError, "internal_error");
        Assert.DoesNotContain("secret-internal-detail", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RepairsApi_WithoutACookie_Is401Problem()
    {
        using var http = Anonymous();
        using var r = await http.PostAsync("api/v1/repairs/1/approve", null);
        await AssertProblemAsync(r, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task OversizedBody_Is413Problem()
    {
        var (_, _, http) = await fx.NewApiClientAsync();
        using (http)
        {
            var json = $"{{\"paymentKey\":\"pay_big\",\"orderId\":\"order-big-1\",\"amount\":1,\"pad\":\"{new string('x', 100_000)}\"}}";
            using var r = await http.PostAsync("api/v1/payments/confirm", new StringContent(json, Encoding.UTF8, "application/json"));
            await AssertProblemAsync(r, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        }
    }

    [Fact]
    public async Task NonJsonBody_Is415Problem_AndWritesNothing()
    {
        var (_, _, http) = await fx.NewApiClientAsync();
        using (http)
        {
            var (key, order, amount) = await fx.CheckoutAsync(1_000);
            using var r = await http.PostAsync("api/v1/payments/confirm",
                new StringContent($"paymentKey={key}&orderId={order}&amount={amount}", Encoding.UTF8, "text/plain"));
            await AssertProblemAsync(r, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
            await using var db = await fx.Database.Factory.CreateDbContextAsync();
            Assert.False(await db.Payments.AnyAsync(p => p.PaymentKey == key));
        }
    }

    [Fact]
    public async Task RateLimit_PerClient_Answers429WithRetryAfter_AndLeavesOtherClientsAlone()
    {
        var (_, _, busy) = await fx.NewApiClientAsync();
        var (_, _, other) = await fx.NewApiClientAsync();
        using (busy)
        using (other)
        {
            for (var i = 0; i < Fixture.Permits; i++)
            {
                using var ok = await busy.GetAsync("api/v1/payments/pay_rate_limit");
                Assert.Equal(HttpStatusCode.NotFound, ok.StatusCode);
            }

            using var limited = await busy.GetAsync("api/v1/payments/pay_rate_limit");

            await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate_limited");
            var retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
            using var unaffected = await other.GetAsync("api/v1/payments/pay_rate_limit");
            Assert.Equal(HttpStatusCode.NotFound, unaffected.StatusCode);
        }
    }

    [Fact]
    public async Task OpenApiDocument_IsAnonymous_ListsThePaymentsOperations_AndTheBearerScheme()
    {
        using var http = Anonymous();
        using var r = await http.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths");
        Assert.Equal("ConfirmPayment", paths.GetProperty("/api/v1/payments/confirm").GetProperty("post").GetProperty("operationId").GetString());
        Assert.Equal("CancelPayment", paths.GetProperty("/api/v1/payments/{paymentKey}/cancel").GetProperty("post").GetProperty("operationId").GetString());
        var get = paths.GetProperty("/api/v1/payments/{paymentKey}").GetProperty("get");
        Assert.Equal("GetPayment", get.GetProperty("operationId").GetString());
        Assert.False(string.IsNullOrWhiteSpace(get.GetProperty("summary").GetString()));
        Assert.True(get.GetProperty("security")[0].TryGetProperty("apiKey", out _));
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.DoesNotContain(paths.EnumerateObject(), p => !p.Name.StartsWith("/api/v1/", StringComparison.Ordinal));
    }
}

/// <summary>A confirm whose PG cannot be reached at all ends UNKNOWN (the janitor asks later), never stuck IN_PROGRESS.</summary>
public sealed class UnreachablePgTests(UnreachablePgTests.Fixture fx) : IClassFixture<UnreachablePgTests.Fixture>
{
    public sealed class Fixture : PaymentAppFixture<SqliteTestDatabase>
    {
        private static readonly int ClosedPort = FindClosedPort();

        private static int FindClosedPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Pg:BaseUrl"] = $"http://127.0.0.1:{ClosedPort}/",
        };
    }

    [Fact]
    public async Task Confirm_WhenNoPgAnswers_Is202Unknown_AndNotStuckInProgress()
    {
        using var r = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm",
            new { paymentKey = "pay_unreachable_1", orderId = "order-unreachable-1", amount = 1_000 });

        Assert.True(r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{(int)r.StatusCode}");
        if (r.StatusCode == HttpStatusCode.Accepted)
            Assert.Equal("UNKNOWN", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        else
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var payment = await db.Payments.SingleOrDefaultAsync(p => p.PaymentKey == "pay_unreachable_1");
        Assert.NotEqual(PaymentStatus.IN_PROGRESS, payment?.Status);
    }
}

/// <summary>No PG configured at all (sandbox off, no <c>Pg:BaseUrl</c>): the confirm is UNKNOWN, never stuck IN_PROGRESS.</summary>
public sealed class NoPgConfiguredTests(NoPgConfiguredTests.Fixture fx) : IClassFixture<NoPgConfiguredTests.Fixture>
{
    public sealed class Fixture : PaymentAppFixture<SqliteTestDatabase>
    {
        public override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Sandbox:Enabled"] = "false" };
    }

    [Fact]
    public async Task Confirm_WithNoPg_Is202Unknown_AndTheIntentIsNotStuck()
    {
        using var r = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm",
            new { paymentKey = "pay_no_pg_1", orderId = "order-no-pg-1", amount = 1_000 });

        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.Accepted, $"{(int)r.StatusCode}: {text}");
        Assert.Equal("UNKNOWN", JsonDocument.Parse(text).RootElement.GetProperty("status").GetString());
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.Equal(PaymentStatus.UNKNOWN, (await db.Payments.SingleAsync(p => p.PaymentKey == "pay_no_pg_1")).Status);
    }
}
