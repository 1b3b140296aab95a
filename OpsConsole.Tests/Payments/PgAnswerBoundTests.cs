using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// The PG client refuses answers with an amount outside ±10^13 or another currency: the outcome is unknown
/// (nothing is recorded from the answer) and the reason names the field (and the line of a settlement page).
/// </summary>
public sealed class PgAnswerBoundTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private string _payment = "";
    private string _settlements = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/v1/payments/{key}", () => Results.Text(_payment, "application/json"));
        _app.MapGet("/v1/settlements", () => Results.Text(_settlements, "application/json"));
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private TossPaymentsClient Client()
    {
        var options = Options.Create(new PgOptions { BaseUrl = _app.Urls.First(), SecretKey = "sk_test" });
        return new TossPaymentsClient(new HttpClient(), new PgEndpoint(options, new EmptyServices()), options,
            NullLogger<TossPaymentsClient>.Instance);
    }

    private static string Payment(string total, string currency = "KRW", string cancel = "1000") =>
        $$"""{"paymentKey":"pk1","orderId":"order-1","status":"PARTIAL_CANCELED","totalAmount":{{total}},"balanceAmount":9000,"method":"카드","requestedAt":"2026-03-15T10:00:00+09:00","approvedAt":"2026-03-15T10:00:01+09:00","lastTransactionKey":"t2","cancels":[{"transactionKey":"t2","cancelAmount":{{cancel}},"cancelReason":"r","canceledAt":"2026-03-15T11:00:00+09:00"}],"currency":"{{currency}}"}""";

    private static string Settlement(string id, string amount, string currency = "KRW") =>
        $$"""{"paymentKey":"pk-{{id}}","transactionKey":"tx-{{id}}","orderId":"o-{{id}}","method":"카드","amount":{{amount}},"fee":0,"supplyAmount":0,"vat":0,"payOutAmount":0,"approvedAt":"2026-03-15T10:00:00+09:00","soldDate":"2026-03-15","paidOutDate":"2026-03-17","currency":"{{currency}}"}""";

    [Fact]
    public async Task PaymentLookUp_WithinTheBound_IsASuccess()
    {
        _payment = Payment("10000000000000");
        var r = await Client().GetPaymentAsync("pk1");
        Assert.True(r.IsSuccess, r.Describe());
    }

    [Theory]
    [InlineData("10000000000001", "KRW", "1000", "totalAmount")]
    [InlineData("10000", "KRW", "-10000000000001", "cancels[0].cancelAmount")]
    [InlineData("10000", "USD", "1000", "currency 'USD'")]
    public async Task PaymentLookUp_OutOfBoundOrForeign_IsRefusedNamingTheField(string total, string currency, string cancel, string named)
    {
        _payment = Payment(total, currency, cancel);

        var r = await Client().GetPaymentAsync("pk1");

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Null(r.Value);
        Assert.Contains(named, r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettlementPage_WithAnOutOfBoundLine_IsRefusedNamingTheLineAndField()
    {
        _settlements = "[" + Settlement("a", "1000") + "," + Settlement("b", "-20000000000000") + "]";

        var r = await Client().GetSettlementsAsync(new DateOnly(2026, 3, 15), new DateOnly(2026, 3, 15), 1, 100);

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("settlement line 2 of the page (transactionKey tx-b): amount -20000000000000", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettlementPage_WithAForeignCurrencyLine_IsRefused()
    {
        _settlements = "[" + Settlement("a", "1000", "USD") + "]";

        var r = await Client().GetSettlementsAsync(new DateOnly(2026, 3, 15), new DateOnly(2026, 3, 15), 1, 100);

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Contains("settlement line 1 of the page (transactionKey tx-a): currency 'USD'", r.Message, StringComparison.Ordinal);
    }

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
