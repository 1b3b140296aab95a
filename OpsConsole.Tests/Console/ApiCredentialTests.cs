using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OpsConsole.Components.Account;
using OpsConsole.Core.ApiClients;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>
/// The checkout API takes API keys only: a signed-in console user's cookie (whatever the role) is refused, and
/// the demo client's key works in demo mode only.
/// </summary>
[Collection(ConsoleAppCollection.Name)]
public sealed class ApiCredentialTests(ConsoleAppHost app)
{
    private HttpClient DemoShop()
    {
        var http = app.NewClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DemoOptions.DefaultApiKey);
        return http;
    }

    private async Task<string> PaidWithTheDemoKeyAsync(long amount)
    {
        using var http = DemoShop();
        var orderId = $"order-{Guid.NewGuid():N}"[..30];
        using var checkout = await http.PostAsJsonAsync("sandbox/pg/v1/checkout", new { orderId, amount, method = "CARD" });
        var paymentKey = (await checkout.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentKey").GetString()!;
        using var confirm = await http.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey, orderId, amount });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        return paymentKey;
    }

    [Theory]
    [InlineData("engineer")]
    [InlineData("finance")]
    [InlineData("admin")]
    public async Task ConsoleCookie_OnTheCheckoutApi_Is401_AndCancelsNothing(string user)
    {
        var paymentKey = await PaidWithTheDemoKeyAsync(3_000);
        using var signedIn = await app.SignedInClientAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("runs")).StatusCode); // the cookie is a good one

        var cancel = new HttpRequestMessage(HttpMethod.Post, $"api/v1/payments/{paymentKey}/cancel")
        {
            Content = JsonContent.Create(new { cancelReason = "cookie refund" }),
        };
        cancel.Headers.Add("Idempotency-Key", $"cookie-{Guid.NewGuid():N}");
        using var r = await signedIn.SendAsync(cancel);
        using var read = await signedIn.GetAsync($"api/v1/payments/{paymentKey}");

        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("unauthenticated", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        using var demo = DemoShop();
        var payment = await demo.GetFromJsonAsync<JsonElement>($"api/v1/payments/{paymentKey}");
        Assert.Equal(3_000, payment.GetProperty("payment").GetProperty("balanceAmount").GetInt64());
        Assert.Equal("DONE", payment.GetProperty("payment").GetProperty("status").GetString());
    }

    [Fact]
    public async Task DemoKey_InDemoMode_ActsAsDemoShop()
    {
        var paymentKey = await PaidWithTheDemoKeyAsync(2_000);
        using var demo = DemoShop();
        var events = (await demo.GetFromJsonAsync<JsonElement>($"api/v1/payments/{paymentKey}")).GetProperty("events");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("by api:demo-shop"));
    }
}

/// <summary>Outside demo mode the demo key opens nothing, also when an earlier demo run created the client.</summary>
public sealed class DemoApiKeyTests
{
    [Fact]
    public async Task DemoKey_IsRefused_WhenDemoModeIsOff_EvenAfterADemoRunCreatedTheClient()
    {
        await using var database = new SqliteTestDatabase();
        await database.InitializeAsync();
        var request = () => new HttpRequestMessage(HttpMethod.Get, "api/v1/payments/pay_demo_probe")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", DemoOptions.DefaultApiKey) },
        };

        await using (var demoOn = await AppHost.StartAsync(database, new Dictionary<string, string?> { ["Demo:Enabled"] = "true" }))
        {
            using var r = await demoOn.Http.SendAsync(request());
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode); // authenticated; there is just no such payment
        }
        await using (var demoOff = await AppHost.StartAsync(database, new Dictionary<string, string?> { ["Demo:Enabled"] = "false" }))
        {
            using var r = await demoOff.Http.SendAsync(request());
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            var clients = await demoOff.Get<ApiClientService>().ListAsync();
            Assert.True(clients.Single(c => c.Name == ApiClientService.DemoClientName).IsDemo);
        }
    }
}
