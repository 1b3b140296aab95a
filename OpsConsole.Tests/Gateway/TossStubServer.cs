using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Gateway;

/// <summary>
/// A tiny local HTTP server that answers the Toss endpoints with given bytes (fixtures) and records what it was
/// sent, so the REAL <see cref="TossPaymentsClient"/> is exercised over real HTTP.
/// </summary>
public sealed class TossStubServer : IAsyncDisposable
{
    private WebApplication _app = null!;

    public string Settlements { get; set; } = "[]";
    public string Payment { get; set; } = "{}";

    /// <summary>How long the settlement and payment endpoints take to answer (a slow PG).</summary>
    public TimeSpan Delay { get; set; }

    public ConcurrentQueue<(string Path, string Query, string Body)> Requests { get; } = new();

    public string BaseUrl => _app.Urls.First();

    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Gateway", "Fixtures", name));

    public static async Task<TossStubServer> StartAsync()
    {
        var server = new TossStubServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        server._app = builder.Build();
        server._app.Use(async (ctx, next) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            server.Requests.Enqueue((ctx.Request.Path, ctx.Request.QueryString.Value ?? "", await reader.ReadToEndAsync()));
            await next();
        });
        server._app.MapGet("/v1/settlements", async () =>
        {
            if (server.Delay > TimeSpan.Zero) await Task.Delay(server.Delay);
            return Results.Text(server.Settlements, "application/json");
        });
        server._app.MapGet("/v1/payments/{key}", async () =>
        {
            if (server.Delay > TimeSpan.Zero) await Task.Delay(server.Delay);
            return Results.Text(server.Payment, "application/json");
        });
        server._app.MapPost("/v1/payments/{key}/cancel", () => Results.Text(server.Payment, "application/json"));
        await server._app.StartAsync();
        return server;
    }

    /// <summary>The client without the resilience pipeline (plain HttpClient).</summary>
    public TossPaymentsClient Client(string currencies = "KRW")
    {
        var options = Options.Create(new PgOptions { BaseUrl = BaseUrl, SecretKey = "sk_test", Currencies = currencies });
        return new TossPaymentsClient(new HttpClient(), new PgEndpoint(options, new EmptyServices()), options,
            NullLogger<TossPaymentsClient>.Instance);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
