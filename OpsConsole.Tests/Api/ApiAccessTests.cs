using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary>
/// Who may call the checkout API: API clients with the right scope, nobody else — no credentials, unknown or
/// revoked keys, a key without the scope. Problems name nothing of other payments; events and audit name the client.
/// </summary>
public abstract class ApiAccessTests<TDatabase>(PaymentAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<string> PaidAsync(long amount = 5_000)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount);
        using var r = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount = a });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return key;
    }

    private static HttpRequestMessage Cancel(string paymentKey, string? bearer, string idempotencyKey = "k", long? amount = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/payments/{paymentKey}/cancel")
        {
            Content = JsonContent.Create(new { cancelAmount = amount, cancelReason = "customer request" }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    private async Task AssertNothingCancelledAsync(string paymentKey, long amount)
    {
        var atPg = await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(paymentKey);
        Assert.True(atPg.IsSuccess, atPg.Describe());
        Assert.Empty(atPg.Value!.Cancels ?? []);
        Assert.Equal(amount, atPg.Value.BalanceAmount);
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.False(await db.CancelAttempts.AnyAsync(a => a.PaymentKey == paymentKey));
        Assert.Equal(amount, (await db.Payments.SingleAsync(p => p.PaymentKey == paymentKey)).BalanceAmount);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage r, HttpStatusCode status, string code)
    {
        Assert.Equal(status, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var body = await JsonAsync(r);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        Assert.Equal(32, body.GetProperty("traceId").GetString()!.Length);
        return body;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ocs_0000000000000000000000000000000000000000000")]
    [InlineData("not-a-key")]
    public async Task Cancel_WithoutAValidKey_Is401_AndThePgGotNoCancel(string? bearer)
    {
        var key = await PaidAsync(5_000);

        using var anonymous = new HttpClient { BaseAddress = fx.Host.BaseUri };
        using var r = await anonymous.SendAsync(Cancel(key, bearer, $"anon-{Guid.NewGuid():N}"));

        await AssertProblemAsync(r, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", r.Headers.WwwAuthenticate.First().Scheme);
        await AssertNothingCancelledAsync(key, 5_000);
    }

    [Fact]
    public async Task Read_And_Confirm_WithoutAKey_Are401()
    {
        var (key, order, amount) = await fx.CheckoutAsync(1_000);
        using var anonymous = new HttpClient { BaseAddress = fx.Host.BaseUri };

        using var confirm = await anonymous.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount });
        using var read = await anonymous.GetAsync($"api/v1/payments/{key}");

        await AssertProblemAsync(confirm, HttpStatusCode.Unauthorized, "unauthenticated");
        await AssertProblemAsync(read, HttpStatusCode.Unauthorized, "unauthenticated");
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.False(await db.Payments.AnyAsync(p => p.PaymentKey == key), "an unauthenticated confirm squatted the order");
    }

    [Fact]
    public async Task Cancel_WithAKeyWithoutTheCancelScope_Is403_AndThePgGotNoCancel()
    {
        var key = await PaidAsync(4_000);
        var (_, readOnlyKey, http) = await fx.NewApiClientAsync(ApiScopes.PaymentsRead, ApiScopes.PaymentsConfirm);
        using (http)
        {
            using var r = await http.SendAsync(Cancel(key, readOnlyKey, $"scope-{Guid.NewGuid():N}"));
            await AssertProblemAsync(r, HttpStatusCode.Forbidden, "insufficient_scope");
            using var read = await http.GetAsync($"api/v1/payments/{key}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }
        await AssertNothingCancelledAsync(key, 4_000);
    }

    [Fact]
    public async Task Confirm_AndRead_NeedTheirOwnScopes()
    {
        var (_, _, cancelOnly) = await fx.NewApiClientAsync(ApiScopes.PaymentsCancel);
        using (cancelOnly)
        {
            var (key, order, amount) = await fx.CheckoutAsync(1_000);
            using var confirm = await cancelOnly.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount });
            await AssertProblemAsync(confirm, HttpStatusCode.Forbidden, "insufficient_scope");
            using var read = await cancelOnly.GetAsync($"api/v1/payments/{await PaidAsync(1_000)}");
            await AssertProblemAsync(read, HttpStatusCode.Forbidden, "insufficient_scope");
        }
    }

    /// <summary>Every endpoint × every single-scope key: only the endpoint's own scope passes authorization.</summary>
    [Fact]
    public async Task ScopeMatrix_EachEndpointAcceptsOnlyItsOwnScope()
    {
        var paymentKey = await PaidAsync(9_000);
        var endpoints = new (string Scope, Func<HttpRequestMessage> Request)[]
        {
            (ApiScopes.PaymentsConfirm, () => new HttpRequestMessage(HttpMethod.Post, "api/v1/payments/confirm")
                { Content = JsonContent.Create(new { paymentKey = "pay_matrix", orderId = "bad id", amount = 1 }) }),
            (ApiScopes.PaymentsCancel, () => Cancel(paymentKey, null, "matrix-key", 10_000_000)),
            (ApiScopes.PaymentsRead, () => new HttpRequestMessage(HttpMethod.Get, $"api/v1/payments/{paymentKey}")),
        };
        var seen = new List<string>();
        foreach (var scope in ApiScopes.All)
        {
            var (_, _, http) = await fx.NewApiClientAsync(scope);
            using (http)
            {
                foreach (var (needed, request) in endpoints)
                {
                    using var r = await http.SendAsync(request());
                    seen.Add($"{scope} -> {needed}: {(int)r.StatusCode}");
                    if (needed == scope)
                        Assert.True(r.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), seen[^1]);
                    else
                        Assert.True(r.StatusCode == HttpStatusCode.Forbidden, seen[^1]);
                }
            }
        }
        await AssertNothingCancelledAsync(paymentKey, 9_000); // the cancel asked for more than the balance
        Assert.Equal(9, seen.Count);
    }

    [Fact]
    public async Task RevokedKey_Is401()
    {
        var key = await PaidAsync(2_000);
        var (name, apiKey, http) = await fx.NewApiClientAsync();
        using (http)
        {
            using var before = await http.GetAsync($"api/v1/payments/{key}");
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

            await fx.Host.Get<ApiClientService>().RevokeAsync(name, "admin");

            using var after = await http.SendAsync(Cancel(key, apiKey, $"revoked-{Guid.NewGuid():N}"));
            await AssertProblemAsync(after, HttpStatusCode.Unauthorized, "unauthenticated");
        }
        await AssertNothingCancelledAsync(key, 2_000);
    }

    [Fact]
    public async Task ReusedOrderId_Is409_ThatNamesNothingOfTheOtherPayment()
    {
        var (key, order, amount) = await fx.CheckoutAsync(12_345);
        using (var first = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount }))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var squat = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm",
            new { paymentKey = "pay_attacker_guess", orderId = order, amount = 1 });

        var body = await AssertProblemAsync(squat, HttpStatusCode.Conflict, "DUPLICATED_ORDER_ID");
        var text = body.GetRawText();
        Assert.DoesNotContain(key, text);
        Assert.DoesNotContain("12345", text);
        Assert.DoesNotContain("12,345", text);
        Assert.Contains("taken", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ReusedIdempotencyKeyOnAnotherPayment_Is409_ThatNamesNothingOfTheOtherPayment()
    {
        var first = await PaidAsync(7_777);
        var second = await PaidAsync(3_000);
        var idem = $"shared-{Guid.NewGuid():N}";
        using (var r = await fx.Api.SendAsync(Cancel(first, null, idem, 1_111)))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        using var reuse = await fx.Api.SendAsync(Cancel(second, null, idem, 1_000));

        var text = (await AssertProblemAsync(reuse, HttpStatusCode.Conflict, "IDEMPOTENCY_KEY_REUSED")).GetRawText();
        Assert.DoesNotContain(first, text);
        Assert.DoesNotContain("1111", text);
        Assert.DoesNotContain("1,111", text);
    }

    [Fact]
    public async Task EventsAndAudit_NameTheApiClientThatActed()
    {
        var (name, _, http) = await fx.NewApiClientAsync();
        using (http)
        {
            var (key, order, amount) = await fx.CheckoutAsync(6_000);
            using (var r = await http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount }))
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            using (var r = await http.SendAsync(Cancel(key, null, $"actor-{Guid.NewGuid():N}", 1_000)))
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);

            await using var db = await fx.Database.Factory.CreateDbContextAsync();
            var events = await db.PaymentEvents.Where(e => e.PaymentKey == key).Select(e => e.Message).ToListAsync();
            Assert.Contains(events, m => m.StartsWith("confirm requested", StringComparison.Ordinal) && m.Contains($"api:{name}"));
            Assert.Contains(events, m => m.StartsWith("cancel of 1,000 KRW requested by", StringComparison.Ordinal) && m.Contains($"api:{name}"));
            var audit = await db.AuditEntries.Where(a => a.TargetId == key).ToListAsync();
            Assert.Contains(audit, a => a.Action == "payment.cancel" && a.Actor == $"api:{name}");
            var attempt = await db.CancelAttempts.SingleAsync(a => a.PaymentKey == key);
            Assert.Equal($"api:{name}", attempt.RequestedBy);
        }
    }

    [Fact]
    public async Task NonAsciiIdempotencyKey_Is400_AndLeavesTheCancelsFree()
    {
        var key = await PaidAsync(8_000);
        // A client that sends UTF-8 header values, as a careless integration would.
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 };
        using var utf8 = new HttpClient(handler) { BaseAddress = fx.Host.BaseUri };
        utf8.DefaultRequestHeaders.Authorization = fx.Api.DefaultRequestHeaders.Authorization;
        var request = Cancel(key, null, "x", 1_000);
        request.Headers.Remove("Idempotency-Key");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "환불-" + Guid.NewGuid().ToString("N"));

        using var bad = await utf8.SendAsync(request);

        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "INVALID_IDEMPOTENCY_KEY");
        await AssertNothingCancelledAsync(key, 8_000);
        using var good = await fx.Api.SendAsync(Cancel(key, null, $"ascii-{Guid.NewGuid():N}", 1_000));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(7_000, (await JsonAsync(good)).GetProperty("payment").GetProperty("balanceAmount").GetInt64());
    }

    [Fact]
    public async Task OverlongIdempotencyKey_Is400()
    {
        var key = await PaidAsync(1_000);
        using var r = await fx.Api.SendAsync(Cancel(key, null, new string('k', 301)));
        await AssertProblemAsync(r, HttpStatusCode.BadRequest, "INVALID_IDEMPOTENCY_KEY");
        await AssertNothingCancelledAsync(key, 1_000);
    }
}

public sealed class ApiAccessSqliteTests(PaymentAppFixture<SqliteTestDatabase> fx)
    : ApiAccessTests<SqliteTestDatabase>(fx), IClassFixture<PaymentAppFixture<SqliteTestDatabase>>;

public sealed class ApiAccessPostgresTests(PaymentAppFixture<PostgresTestDatabase> fx)
    : ApiAccessTests<PostgresTestDatabase>(fx), IClassFixture<PaymentAppFixture<PostgresTestDatabase>>;
