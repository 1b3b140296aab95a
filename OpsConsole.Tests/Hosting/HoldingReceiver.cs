using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Hosting;

/// <summary>
/// A local HTTP party for replica tests: the PG (<c>GET /pg/v1/payments/{key}</c> answers DONE) and a webhook
/// (<c>POST /hook</c>, the outbox's events, counted per message id). It counts every request it receives, and
/// can hold them (received, not answered) until released, so that a test knows a replica is mid-job. A held
/// request whose caller died is never counted as answered.
/// </summary>
public sealed class HoldingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _hold;
    private int _aborted;
    private int _slackPosts;

    private HoldingReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public string PgUrl => BaseUrl + "pg/";
    public string HookUrl => BaseUrl + "hook";
    public string SlackUrl => BaseUrl + "slack";

    /// <summary>Slack webhook posts (alerts) received.</summary>
    public int SlackPosts => Volatile.Read(ref _slackPosts);

    /// <summary>Every PG look-up received, by payment key (answered or not).</summary>
    public ConcurrentDictionary<string, int> Lookups { get; } = new();

    /// <summary>Settlement pulls received, and those answered, by query (dates and page); the PG has no lines.</summary>
    public ConcurrentDictionary<string, int> SettlementPulls { get; } = new();
    public ConcurrentDictionary<string, int> SettlementPullsAnswered { get; } = new();

    /// <summary>The PG's settlement lines (served on page 1 of a pull whose dates cover them).</summary>
    public List<TossSettlement> SettlementLines { get; } = [];

    /// <summary>Webhook posts received, and those answered 200, by outbox message id.</summary>
    public ConcurrentDictionary<long, int> Posted { get; } = new();
    public ConcurrentDictionary<long, int> Delivered { get; } = new();

    /// <summary>Held requests whose caller went away (a killed replica).</summary>
    public int Aborted => Volatile.Read(ref _aborted);

    public static async Task<HoldingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var r = new HoldingReceiver(app);
        app.MapGet("/pg/v1/payments/{paymentKey}", async (string paymentKey, HttpContext ctx) =>
        {
            r.Lookups.AddOrUpdate(paymentKey, 1, (_, n) => n + 1);
            if (!await r.PassAsync(ctx)) return Results.Empty;
            var at = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9));
            return Results.Json(new TossPayment(paymentKey, $"order-{paymentKey}", "DONE", 10_000, 10_000, "카드", at, at,
                $"tx-{paymentKey}", []), TossPaymentsClient.Json);
        });
        app.MapGet("/pg/v1/settlements", async (HttpContext ctx) =>
        {
            var query = ctx.Request.QueryString.Value ?? "";
            r.SettlementPulls.AddOrUpdate(query, 1, (_, n) => n + 1);
            if (!await r.PassAsync(ctx)) return Results.Empty;
            r.SettlementPullsAnswered.AddOrUpdate(query, 1, (_, n) => n + 1);
            var lines = ctx.Request.Query["page"] == "1" && ctx.Request.Query["startDate"] == ctx.Request.Query["endDate"]
                ? r.SettlementLines.Where(l => l.SoldDate.ToString("yyyy-MM-dd") == ctx.Request.Query["startDate"]).ToList()
                : r.SettlementLines.Where(l => string.CompareOrdinal(l.SoldDate.ToString("yyyy-MM-dd"), ctx.Request.Query["startDate"]) >= 0 &&
                                               string.CompareOrdinal(l.SoldDate.ToString("yyyy-MM-dd"), ctx.Request.Query["endDate"]) <= 0 &&
                                               ctx.Request.Query["page"] == "1").ToList();
            return Results.Json(lines, TossPaymentsClient.Json);
        });
        app.MapPost("/slack", async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref r._slackPosts);
            if (!await r.PassAsync(ctx)) return Results.Empty;
            return Results.Text("ok");
        });
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var body = await JsonDocument.ParseAsync(ctx.Request.Body);
            var id = body.RootElement.GetProperty("id").GetInt64();
            r.Posted.AddOrUpdate(id, 1, (_, n) => n + 1);
            if (!await r.PassAsync(ctx)) return Results.Empty;
            r.Delivered.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Results.Text("ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        r.BaseUrl = address.TrimEnd('/') + "/";
        return r;
    }

    /// <summary>Requests received from now on wait until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
            _hold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release()
    {
        lock (_lock)
        {
            _hold?.TrySetResult();
            _hold = null;
        }
    }

    /// <summary>False when the caller went away while held: nothing is answered, nothing counted.</summary>
    private async Task<bool> PassAsync(HttpContext ctx)
    {
        Task? hold;
        lock (_lock)
            hold = _hold?.Task;
        if (hold is null) return true;
        var aborted = Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        if (await Task.WhenAny(hold, aborted) == hold && !ctx.RequestAborted.IsCancellationRequested) return true;
        Interlocked.Increment(ref _aborted);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
