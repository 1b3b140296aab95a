using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>A local Kestrel stand-in for a Slack incoming webhook: fails the first N posts, records the rest.</summary>
public sealed class SlackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _posts;

    private SlackReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<string> Delivered { get; } = new();
    public int Posts => _posts;
    public string Url { get; private set; } = "";

    public static async Task<SlackReceiver> StartAsync(int failFirst)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new SlackReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var n = Interlocked.Increment(ref receiver._posts);
            if (n <= failFirst) return Results.StatusCode(503);
            using var reader = new StreamReader(request.Body);
            receiver.Delivered.Enqueue(await reader.ReadToEndAsync());
            return Results.Text("ok");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
