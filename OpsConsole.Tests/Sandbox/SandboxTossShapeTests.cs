using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sandbox;

public sealed class SlowSandboxAppFixture : PaymentAppFixture<SqliteTestDatabase>
{
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(400);

    public override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sandbox:SettlementDelay"] = Delay.ToString("c"),
        ["Sandbox:MerchantId"] = "tvivarepublica",
    };
}

/// <summary>The sandbox answers like Toss: the Settlement object, query parameters, gift certificates, 403 declines.</summary>
public sealed class SandboxTossShapeTests(SlowSandboxAppFixture fx) : IClassFixture<SlowSandboxAppFixture>
{
    private IPaymentGateway Pg => fx.Host.Get<IPaymentGateway>();
    private static DateOnly Today => BusinessCalendar.Today(TimeProvider.System);

    private async Task<(string Key, string Order)> CheckoutAsync(long amount, string method, int months = 0, bool interestFree = false,
        string? fault = null)
    {
        var orderId = $"order-{Guid.NewGuid():N}"[..30];
        using var response = await fx.Host.Http.PostAsJsonAsync("sandbox/pg/v1/checkout",
            new { orderId, amount, method, fault, installmentPlanMonths = months, interestFree });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"checkout failed: {body}");
        return (body.GetProperty("paymentKey").GetString()!, orderId);
    }

    private HttpClient RawClient()
    {
        var http = new HttpClient { BaseAddress = fx.Host.BaseUri };
        var secret = fx.Host.Get<IOptions<PgOptions>>().Value.SecretKey;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(secret + ":")));
        return http;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string query)
    {
        using var http = RawClient();
        using var response = await http.GetAsync("sandbox/pg/v1/settlements?" + query);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static List<JsonElement> LinesOf(JsonElement page, string paymentKey) =>
        page.EnumerateArray().Where(l => l.GetProperty("paymentKey").GetString() == paymentKey).ToList();

    [Fact]
    public async Task InstallmentCardLines_AreSettlementObjects_WithBaseAndInstallmentFees_AndTheCancelKeepsTheApprovalTime()
    {
        var (key, order) = await CheckoutAsync(34_000, "카드", months: 3);
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 34_000), $"c-{key}");
        await Pg.CancelAsync(key, new TossCancelRequest("부분", 4_000), $"x-{key}");

        var (status, page) = await GetAsync($"startDate={Today:yyyy-MM-dd}T00:00:00&endDate={Today:yyyy-MM-dd}T23:59:59&size=5000");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(page.EnumerateArray(), l => Assert.Equal("tvivarepublica", l.GetProperty("mId").GetString()));
        var mine = LinesOf(page, key).OrderByDescending(l => l.GetProperty("amount").GetInt64()).ToList();
        var (approval, cancel) = (mine[0], mine[1]);
        Assert.Equal("카드", approval.GetProperty("method").GetString());
        Assert.Equal(850 + 68, approval.GetProperty("fee").GetInt64()); // 2.5% BASE + 0.2% INSTALLMENT
        Assert.Equal("""[{"type":"BASE","fee":850},{"type":"INSTALLMENT","fee":68}]""", approval.GetProperty("fees").GetRawText());
        Assert.Equal(3, approval.GetProperty("card").GetProperty("installmentPlanMonths").GetInt32());
        Assert.False(approval.GetProperty("card").GetProperty("isInterestFree").GetBoolean());
        Assert.Equal(JsonValueKind.Null, approval.GetProperty("cancel").ValueKind);
        Assert.Equal(0, approval.GetProperty("interestFee").GetInt64());
        Assert.Equal(approval.GetProperty("approvedAt").GetString(), cancel.GetProperty("approvedAt").GetString());
        Assert.Equal(4_000, cancel.GetProperty("cancel").GetProperty("cancelAmount").GetInt64());
        Assert.Equal(cancel.GetProperty("transactionKey").GetString(), cancel.GetProperty("cancel").GetProperty("transactionKey").GetString());
        Assert.True(cancel.GetProperty("cancel").GetProperty("canceledAt").GetDateTimeOffset() >=
                    approval.GetProperty("approvedAt").GetDateTimeOffset());

        // And the real client reads the same page field by field.
        var viaClient = await Pg.GetSettlementsAsync(Today, Today, 1, 5000);
        Assert.True(viaClient.IsSuccess, viaClient.Describe());
        var line = viaClient.Value!.Single(l => l.TransactionKey == approval.GetProperty("transactionKey").GetString());
        Assert.Equal([new TossSettlementFee("BASE", 850), new TossSettlementFee("INSTALLMENT", 68)], line.Fees!);
    }

    [Fact]
    public async Task InterestFreeInstallments_HaveNoInstallmentFee_AndTheCardCompanyPaysTheInterest()
    {
        var (key, order) = await CheckoutAsync(20_000, "CARD", months: 5, interestFree: true);
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 20_000), $"c-{key}");

        var (_, page) = await GetAsync($"startDate={Today:yyyy-MM-dd}&endDate={Today:yyyy-MM-dd}");

        var line = Assert.Single(LinesOf(page, key));
        Assert.Equal("""[{"type":"BASE","fee":500}]""", line.GetProperty("fees").GetRawText());
        Assert.True(line.GetProperty("card").GetProperty("isInterestFree").GetBoolean());
        Assert.Equal("CARD_COMPANY", line.GetProperty("card").GetProperty("interestPayer").GetString());
    }

    [Theory]
    [InlineData("문화상품권", PaymentMethod.CULTURE_GIFT_CERTIFICATE)]
    [InlineData("도서문화상품권", PaymentMethod.BOOK_GIFT_CERTIFICATE)]
    [InlineData("게임문화상품권", PaymentMethod.GAME_GIFT_CERTIFICATE)]
    public async Task GiftCertificates_AreConfirmedAsThemselves_NeverCard(string method, PaymentMethod expected)
    {
        var (key, order) = await CheckoutAsync(10_000, method);

        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, 10_000));

        Assert.Equal(PaymentStatus.DONE, p.Status);
        Assert.Equal(expected, p.Method);
        var (_, page) = await GetAsync($"startDate={Today:yyyy-MM-dd}&endDate={Today:yyyy-MM-dd}");
        var line = Assert.Single(LinesOf(page, key));
        Assert.Equal(method, line.GetProperty("method").GetString());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("card").ValueKind);
    }

    [Fact]
    public async Task EasyPayLines_NameTheProvider()
    {
        var (key, order) = await CheckoutAsync(10_000, "간편결제");
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 10_000), $"c-{key}");

        var (_, page) = await GetAsync($"startDate={Today:yyyy-MM-dd}&endDate={Today:yyyy-MM-dd}");

        Assert.Equal("토스페이", Assert.Single(LinesOf(page, key)).GetProperty("easyPay").GetProperty("provider").GetString());
    }

    [Fact]
    public async Task DateTypePaidOutDate_SelectsByPayoutDay()
    {
        var (key, order) = await CheckoutAsync(10_000, "CARD");
        await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 10_000), $"c-{key}");
        var payout = Today.AddDays(2);

        var (_, bySold) = await GetAsync($"startDate={payout:yyyy-MM-dd}&endDate={payout:yyyy-MM-dd}");
        var (_, byPaidOut) = await GetAsync($"startDate={payout:yyyy-MM-dd}&endDate={payout:yyyy-MM-dd}&dateType=paidOutDate");

        Assert.Empty(LinesOf(bySold, key));
        Assert.Single(LinesOf(byPaidOut, key));
    }

    [Theory]
    [InlineData("size=5001")]
    [InlineData("dateType=approvedDate")]
    [InlineData("size=10&startDate=2026-13-01")]
    public async Task BadQueries_Are400(string extra)
    {
        var query = extra.Contains("startDate", StringComparison.Ordinal)
            ? extra + $"&endDate={Today:yyyy-MM-dd}"
            : $"startDate={Today:yyyy-MM-dd}&endDate={Today:yyyy-MM-dd}&{extra}";

        var (status, body) = await GetAsync(query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(TossErrorCodes.InvalidRequest, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ACardDecline_Is403_RejectCardPayment()
    {
        var (key, order) = await CheckoutAsync(10_000, "CARD", fault: SandboxFaults.Decline);

        var r = await Pg.ConfirmAsync(new TossConfirmRequest(key, order, 10_000), $"c-{key}");

        Assert.Equal(PgOutcome.Rejected, r.Outcome);
        Assert.Equal(403, r.StatusCode);
        Assert.Equal(TossErrorCodes.RejectCardPayment, r.Code);
    }

    [Fact]
    public async Task SettlementAnswers_TakeTheConfiguredDelay()
    {
        var sw = Stopwatch.StartNew();

        var r = await Pg.GetSettlementsAsync(Today, Today, 1, 10);

        Assert.True(r.IsSuccess, r.Describe());
        Assert.True(sw.Elapsed >= SlowSandboxAppFixture.Delay, $"answered after {sw.Elapsed}");
    }
}
