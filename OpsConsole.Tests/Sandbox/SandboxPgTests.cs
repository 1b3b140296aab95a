using System.Net;
using Microsoft.AspNetCore.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sandbox;

/// <summary>The sandbox PG's Toss semantics, driven through the real PG client over HTTP.</summary>
public sealed class SandboxPgTests(PaymentAppFixture<SqliteTestDatabase> fx) : IClassFixture<PaymentAppFixture<SqliteTestDatabase>>
{
    private IPaymentGateway Pg => fx.Host.Get<IPaymentGateway>();

    [Fact]
    public async Task Confirm_ThenPartialCancels_ShrinkBalance_EachWithItsOwnTransactionKey()
    {
        var (key, order, _) = await fx.CheckoutAsync(10_000);
        var confirmed = await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 10_000), $"c-{key}");
        Assert.Equal(("DONE", 10_000L), (confirmed.Value!.Status, confirmed.Value.BalanceAmount));

        var c1 = await Pg.CancelAsync(key, new TossCancelRequest("부분", 3_000), $"x1-{key}");
        var c2 = await Pg.CancelAsync(key, new TossCancelRequest("부분", 2_000), $"x2-{key}");
        Assert.Equal(("PARTIAL_CANCELED", 5_000L), (c2.Value!.Status, c2.Value.BalanceAmount));
        Assert.Equal(2, c2.Value.Cancels!.Select(c => c.TransactionKey).Distinct().Count());
        Assert.Equal(c2.Value.LastTransactionKey, c2.Value.Cancels![1].TransactionKey);
        Assert.NotEqual(c1.Value!.LastTransactionKey, c2.Value.LastTransactionKey);

        var over = await Pg.CancelAsync(key, new TossCancelRequest("초과", 5_001), $"x3-{key}");
        Assert.Equal((PgOutcome.Rejected, TossErrorCodes.NotCancelableAmount), (over.Outcome, over.Code));

        var full = await Pg.CancelAsync(key, new TossCancelRequest("전액"), $"x4-{key}");
        Assert.Equal(("CANCELED", 0L), (full.Value!.Status, full.Value.BalanceAmount));
        var again = await Pg.CancelAsync(key, new TossCancelRequest("again"), $"x5-{key}");
        Assert.Equal(TossErrorCodes.AlreadyCanceledPayment, again.Code);
    }

    [Fact]
    public async Task Confirm_Twice_WithDifferentKeys_IsAlreadyProcessed()
    {
        var (key, order, amount) = await fx.CheckoutAsync();
        Assert.True((await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), $"a-{key}")).IsSuccess);
        var second = await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), $"b-{key}");
        Assert.Equal((PgOutcome.Rejected, TossErrorCodes.AlreadyProcessedPayment), (second.Outcome, second.Code));
    }

    [Fact]
    public async Task Replay_WithTheSameKey_ReturnsTheFirstAnswer_AndMovesNothingTwice()
    {
        var (key, order, amount) = await fx.CheckoutAsync(10_000);
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), $"c-{key}");
        var first = await Pg.CancelAsync(key, new TossCancelRequest("r", 1_000), $"same-{key}");
        var replay = await Pg.CancelAsync(key, new TossCancelRequest("r", 1_000), $"same-{key}");

        Assert.Equal(first.Value!.LastTransactionKey, replay.Value!.LastTransactionKey);
        Assert.Equal(9_000, replay.Value.BalanceAmount);
        Assert.Single((await Pg.GetPaymentAsync(key)).Value!.Cancels!);

        var confirmReplay = await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), $"c-{key}");
        Assert.True(confirmReplay.IsSuccess); // the first (successful) answer, not ALREADY_PROCESSED_PAYMENT
    }

    [Fact]
    public async Task InFlightDuplicate_Gets409_IdempotentRequestProcessing()
    {
        var (key, order, amount) = await fx.CheckoutAsync(fault: SandboxFaults.Timeout);
        using var slow = RawClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var hanging = slow.SendAsync(ConfirmRequest(key, order, amount, "dup-key"), cts.Token);

        // Wait until the sandbox has claimed the key for the first request (observable in its store).
        var store = fx.Host.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<SandboxDbContext>>();
        while (true)
        {
            await using var db = await store.CreateDbContextAsync(cts.Token);
            if (await db.IdempotencyRecords.AnyAsync(r => !r.Completed, cts.Token)) break;
            Assert.False(hanging.IsCompleted, "the first request ended before it could be duplicated");
            await Task.Yield();
        }

        // A duplicate sent while the first is in flight is told so.
        using var duplicate = await slow.SendAsync(ConfirmRequest(key, order, amount, "dup-key"), cts.Token);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains(TossErrorCodes.IdempotentRequestProcessing, await duplicate.Content.ReadAsStringAsync(cts.Token));
        Assert.False(hanging.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hanging);
    }

    [Fact]
    public async Task WrongSecretKey_IsUnauthorized()
    {
        using var http = new HttpClient { BaseAddress = fx.Host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("wrong_key:")));
        using var response = await http.GetAsync("sandbox/pg/v1/payments/anything");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(TossErrorCodes.UnauthorizedKey, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Settlements_HaveOneLinePerTransaction_CancelsNegative_FeesAndPayoutDates()
    {
        var (key, order, _) = await fx.CheckoutAsync(20_000, method: "EASY_PAY");
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 20_000), $"c-{key}");
        await Pg.CancelAsync(key, new TossCancelRequest("부분", 5_000), $"x-{key}");
        var today = BusinessCalendar.Today(TimeProvider.System);

        var lines = await AllSettlementsAsync(today);
        var mine = lines.Where(l => l.PaymentKey == key).OrderByDescending(l => l.Amount).ToList();
        Assert.Equal([20_000L, -5_000L], mine.Select(l => l.Amount));
        Assert.Equal(2, mine.Select(l => l.TransactionKey).Distinct().Count());
        Assert.All(mine, l =>
        {
            Assert.Equal("간편결제", l.Method);
            Assert.Equal(today, l.SoldDate);
            Assert.Equal(today.AddDays(2), l.PaidOutDate);
            Assert.Equal(l.Amount - l.Fee, l.PayOutAmount);
            Assert.Equal(l.Fee, l.SupplyAmount + l.Vat);
        });
        Assert.Equal(600, mine[0].Fee); // 3% of 20,000
    }

    [Theory]
    [InlineData(SandboxFaults.SettlementMissing, 0, 0)]
    [InlineData(SandboxFaults.SettlementDuplicate, 2, 0)]
    [InlineData(SandboxFaults.SettlementAmountOff, 1, SandboxFaults.AmountOffBy)]
    public async Task SettlementFaults_ShapeTheLinesThePgReports(string fault, int expectedLines, long amountOff)
    {
        var (key, order, amount) = await fx.CheckoutAsync(10_000, fault);
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, amount), $"c-{key}");
        var mine = (await AllSettlementsAsync(BusinessCalendar.Today(TimeProvider.System))).Where(l => l.PaymentKey == key).ToList();
        Assert.Equal(expectedLines, mine.Count);
        Assert.All(mine, l => Assert.Equal(amount + amountOff, l.Amount));
    }

    [Fact]
    public async Task EveryCall_CarriesBasicAuth_IdempotencyKey_AndTraceparent()
    {
        // A bare loopback server that records what the client sends.
        var seen = new List<IHeaderDictionary>();
        var recorder = WebApplication.CreateSlimBuilder();
        recorder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = recorder.Build();
        app.MapPost("/v1/payments/{key}/cancel", (HttpContext ctx) =>
        {
            lock (seen) seen.Add(new HeaderDictionary(ctx.Request.Headers.ToDictionary()));
            return Results.Json(new TossError("NOT_CANCELABLE_AMOUNT", "no"), statusCode: 403);
        });
        await app.StartAsync();
        var url = app.Urls.First();

        var endpoint = new PgEndpoint(Options.Create(new PgOptions { BaseUrl = url }), fx.Host.Services);
        var client = new TossPaymentsClient(new HttpClient(), endpoint, Options.Create(new PgOptions { SecretKey = "sk_test" }),
            fx.Host.Get<Microsoft.Extensions.Logging.ILogger<TossPaymentsClient>>());
        var result = await client.CancelAsync("p1", new TossCancelRequest("r", 10), "idem-123");

        Assert.Equal(PgOutcome.Rejected, result.Outcome);
        var headers = Assert.Single(seen);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("sk_test:")), headers.Authorization.ToString());
        Assert.Equal("idem-123", headers["Idempotency-Key"].ToString());
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", headers["traceparent"].ToString());
    }

    private async Task<List<TossSettlement>> AllSettlementsAsync(DateOnly day)
    {
        var all = new List<TossSettlement>();
        for (var page = 1; ; page++)
        {
            var r = await Pg.GetSettlementsAsync(day, day, page, 500);
            Assert.True(r.IsSuccess, r.Describe());
            all.AddRange(r.Value!);
            if (r.Value!.Count < 500) return all;
        }
    }

    private HttpClient RawClient()
    {
        var http = new HttpClient { BaseAddress = fx.Host.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        var secret = fx.Host.Get<IOptions<PgOptions>>().Value.SecretKey;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(secret + ":")));
        return http;
    }

    private static HttpRequestMessage ConfirmRequest(string key, string order, long amount, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "sandbox/pg/v1/payments/confirm")
        {
            Content = JsonContent.Create(new { paymentKey = key, orderId = order, amount }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }
}
