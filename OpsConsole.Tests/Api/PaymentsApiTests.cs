using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary>The checkout API over HTTP: status codes, problem details, and that bad input writes nothing.</summary>
public abstract class PaymentsApiTests<TDatabase>(PaymentAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    private HttpClient Http => fx.Api;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<int> CountPaymentsAsync()
    {
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        return await db.Payments.CountAsync() + await db.CancelAttempts.CountAsync();
    }

    [Fact]
    public async Task Confirm_Approved_Is200_WithThePayment()
    {
        var (key, order, amount) = await fx.CheckoutAsync(7_000);
        using var r = await Http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await JsonAsync(r);
        Assert.Equal("DONE", body.GetProperty("status").GetString());
        Assert.Equal(7_000, body.GetProperty("balanceAmount").GetInt64());
        Assert.Equal(32, body.GetProperty("traceId").GetString()!.Length);
    }

    [Fact]
    public async Task Confirm_Declined_Is402Problem_WithThePgCode()
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: SandboxFaults.Decline);
        using var r = await Http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount });
        Assert.Equal(HttpStatusCode.PaymentRequired, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType!.MediaType);
        Assert.Equal("REJECT_CARD_PAYMENT", (await JsonAsync(r)).GetProperty("pgCode").GetString());
    }

    [Fact]
    public async Task Confirm_OutcomeUnknown_Is202_WithStatusUnknown()
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: SandboxFaults.ApproveThenTimeout);
        using var r = await Http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        Assert.Equal("UNKNOWN", (await JsonAsync(r)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("{\"paymentKey\":\"pay_x\",\"orderId\":\"order-123456\",\"amount\":0}", "INVALID_AMOUNT")]
    [InlineData("{\"paymentKey\":\"pay_x\",\"orderId\":\"order-123456\",\"amount\":-10}", "INVALID_AMOUNT")]
    [InlineData("{\"paymentKey\":\"pay_x\",\"orderId\":\"bad id!\",\"amount\":100}", "INVALID_ORDER_ID")]
    [InlineData("{\"paymentKey\":\"pay_x\",\"orderId\":\"order-123456\"}", "INVALID_AMOUNT")]
    [InlineData("not json", "INVALID_REQUEST")]
    public async Task Confirm_BadInput_Is400Problem_AndWritesNothing(string json, string code)
    {
        var before = await CountPaymentsAsync();
        using var r = await Http.PostAsync("api/v1/payments/confirm", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var body = await JsonAsync(r);
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("detail").GetString()));
        Assert.Equal(before, await CountPaymentsAsync());
    }

    private async Task<string> PaidAsync(long amount)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount);
        using var r = await Http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount = a });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return key;
    }

    private Task<HttpResponseMessage> CancelAsync(string key, object body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/payments/{key}/cancel") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return Http.SendAsync(request);
    }

    [Fact]
    public async Task Cancel_ReplayedWithTheSameKey_ReturnsTheFirstAnswer_AndMovesMoneyOnce()
    {
        var key = await PaidAsync(9_000);
        using var first = await CancelAsync(key, new { cancelAmount = 1_000, cancelReason = "고객 요청" }, $"api-{key}");
        using var replay = await CancelAsync(key, new { cancelAmount = 1_000, cancelReason = "고객 요청" }, $"api-{key}");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        var a = await JsonAsync(first);
        var b = await JsonAsync(replay);
        Assert.Equal(a.GetProperty("transactionKey").GetString(), b.GetProperty("transactionKey").GetString());
        Assert.True(b.GetProperty("replayed").GetBoolean());

        using var detail = await Http.GetAsync($"api/v1/payments/{key}");
        var d = await JsonAsync(detail);
        Assert.Equal(8_000, d.GetProperty("payment").GetProperty("balanceAmount").GetInt64());
        Assert.Equal(2, d.GetProperty("transactions").GetArrayLength());
        Assert.True(d.GetProperty("events").GetArrayLength() >= 5);
    }

    [Fact]
    public async Task Cancel_BadInput_AnswersProblems_AndWritesNothing()
    {
        var key = await PaidAsync(3_000);
        var before = await CountPaymentsAsync();

        using var noKey = await CancelAsync(key, new { cancelReason = "x" }, null);
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_IDEMPOTENCY_KEY"), (noKey.StatusCode, (await JsonAsync(noKey)).GetProperty("code").GetString()));
        using var noReason = await CancelAsync(key, new { cancelAmount = 100 }, "k-no-reason");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_CANCEL_REASON"), (noReason.StatusCode, (await JsonAsync(noReason)).GetProperty("code").GetString()));
        using var negative = await CancelAsync(key, new { cancelAmount = -1, cancelReason = "x" }, "k-negative");
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        using var unknown = await CancelAsync("pay_does_not_exist", new { cancelReason = "x" }, "k-unknown");
        Assert.Equal((HttpStatusCode.NotFound, "NOT_FOUND_PAYMENT"), (unknown.StatusCode, (await JsonAsync(unknown)).GetProperty("code").GetString()));
        using var over = await CancelAsync(key, new { cancelAmount = 3_001, cancelReason = "x" }, "k-over");
        Assert.Equal((HttpStatusCode.Conflict, "NOT_CANCELABLE_AMOUNT"), (over.StatusCode, (await JsonAsync(over)).GetProperty("code").GetString()));

        Assert.Equal(before, await CountPaymentsAsync());
    }

    [Fact]
    public async Task Get_UnknownPayment_Is404Problem()
    {
        using var r = await Http.GetAsync("api/v1/payments/nope");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("NOT_FOUND_PAYMENT", (await JsonAsync(r)).GetProperty("code").GetString());
    }
}

public sealed class PaymentsApiSqliteTests(PaymentAppFixture<SqliteTestDatabase> fx)
    : PaymentsApiTests<SqliteTestDatabase>(fx), IClassFixture<PaymentAppFixture<SqliteTestDatabase>>;

public sealed class PaymentsApiPostgresTests(PaymentAppFixture<PostgresTestDatabase> fx)
    : PaymentsApiTests<PostgresTestDatabase>(fx), IClassFixture<PaymentAppFixture<PostgresTestDatabase>>;
