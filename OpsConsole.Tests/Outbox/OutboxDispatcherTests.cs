using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Outbox;

/// <summary>Outbox rows committed with state changes are delivered to the webhook and marked sent; failures retry later.</summary>
public sealed class OutboxDispatcherTests : IAsyncLifetime
{
    private readonly SqliteTestDatabase _db = new();
    private WebApplication _receiver = null!;
    private readonly List<JsonElement> _received = [];
    private int _failuresLeft;
    private AppHost _host = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        var b = WebApplication.CreateSlimBuilder();
        b.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = b.Build();
        _receiver.MapPost("/hook", async (HttpContext ctx) =>
        {
            if (Interlocked.Decrement(ref _failuresLeft) >= 0) return Results.StatusCode(503);
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(ctx.Request.Body);
            lock (_received) _received.Add(body);
            return Results.Ok();
        });
        await _receiver.StartAsync();
        _host = await AppHost.StartAsync(_db, new Dictionary<string, string?> { ["Outbox:WebhookUrl"] = _receiver.Urls.First() + "/hook" });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task ApprovedPayment_IsPublished_AndMarkedSent_AfterARetriedFailure()
    {
        var (key, order, amount) = await _host.CheckoutAsync();
        await _host.Get<PaymentService>().ConfirmAsync(new ConfirmCommand(key, order, amount));
        var dispatcher = _host.Get<OutboxDispatcher>();

        _failuresLeft = 1;
        Assert.Equal(0, await dispatcher.DispatchOnceAsync());
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            var m = await db.OutboxMessages.SingleAsync(x => x.AggregateKey == key);
            Assert.Null(m.SentAt);
            Assert.Equal(1, m.Attempts);
            Assert.NotNull(m.LastError);
        }

        _host.Clock.Set(DateTimeOffset.UtcNow.AddMinutes(5)); // past the retry backoff
        try
        {
            Assert.Equal(1, await dispatcher.DispatchOnceAsync());
        }
        finally
        {
            _host.Clock.Reset();
        }

        var e = Assert.Single(_received);
        Assert.Equal("payment.approved", e.GetProperty("type").GetString());
        Assert.Equal(key, e.GetProperty("payload").GetProperty("paymentKey").GetString());
        await using var check = await _db.Factory.CreateDbContextAsync();
        Assert.NotNull((await check.OutboxMessages.SingleAsync(x => x.AggregateKey == key)).SentAt);
        Assert.Equal(0, await dispatcher.DispatchOnceAsync());
    }
}
