using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Api;

/// <summary>The checkout API answers payment events with card numbers, e-mail addresses and phone numbers masked.</summary>
public sealed class MaskingApiTests(PaymentAppFixture<SqliteTestDatabase> fx) : IClassFixture<PaymentAppFixture<SqliteTestDatabase>>
{
    [Fact]
    public async Task PaymentEvents_ShowTheCancelReasonMasked()
    {
        var http = fx.Api;
        var (key, order, amount) = await fx.CheckoutAsync(5_000);
        using (var ok = await http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId = order, amount }))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var cancel = new HttpRequestMessage(HttpMethod.Post, $"api/v1/payments/{key}/cancel")
        {
            Content = JsonContent.Create(new { cancelAmount = 1_000, cancelReason = "refund to kim.minsu@example.co.kr card 4111-1111-1111-1111 tel 01012345678" }),
        };
        cancel.Headers.Add("Idempotency-Key", $"mask-{key}");
        using (var r = await http.SendAsync(cancel))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        using var detail = await http.GetAsync($"api/v1/payments/{key}");
        var text = await detail.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        var messages = (await detail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("message").GetString() ?? "").ToList();
        Assert.Contains(messages, m => m.Contains("k***@example.co.kr", StringComparison.Ordinal)
                                       && m.Contains("****-****-****-1111", StringComparison.Ordinal)
                                       && m.Contains("010-****-5678", StringComparison.Ordinal));
        Assert.DoesNotContain("kim.minsu", text, StringComparison.Ordinal);
        Assert.DoesNotContain("4111-1111-1111-1111", text, StringComparison.Ordinal);
        Assert.DoesNotContain("01012345678", text, StringComparison.Ordinal);
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.False(await db.CancelAttempts.AnyAsync(c => c.Reason.Contains("4111-1111")));
    }
}
