using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary>The checkout API refuses amounts beyond ±10^13 (the rule lives in Core's payment validation) with 400.</summary>
public sealed class AmountBoundApiTests(PaymentAppFixture<SqliteTestDatabase> fx) : IClassFixture<PaymentAppFixture<SqliteTestDatabase>>
{
    private HttpClient Http => fx.Api;

    private async Task<int> CountAsync()
    {
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        return await db.Payments.CountAsync() + await db.CancelAttempts.CountAsync() + await db.PaymentEvents.CountAsync();
    }

    [Fact]
    public async Task Confirm_AmountBeyondTheBound_Is400InvalidAmount_AndWritesNothing()
    {
        var (key, order, _) = await fx.CheckoutAsync(5_000);
        var before = await CountAsync();

        using var r = await Http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount = 10_000_000_000_001L });

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("INVALID_AMOUNT", body.GetProperty("code").GetString());
        Assert.Contains("10^13", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task Cancel_AmountBeyondTheBound_Is400InvalidAmount_AndWritesNothing()
    {
        var (key, order, amount) = await fx.CheckoutAsync(5_000);
        using (var ok = await Http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount }))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var before = await CountAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/payments/{key}/cancel")
        {
            Content = JsonContent.Create(new { cancelAmount = 10_000_000_000_001L, cancelReason = "x" }),
        };
        request.Headers.Add("Idempotency-Key", $"huge-{key}");
        using var r = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal("INVALID_AMOUNT", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(before, await CountAsync());
    }
}
