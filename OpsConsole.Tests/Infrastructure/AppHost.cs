using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpsConsole.Core.Data;
using OpsConsole.Hosting;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// The real app (console, API, sandbox PG) built exactly as Program does, listening on a free 127.0.0.1
/// port, with its own data directory and the given console database. PG calls go over real HTTP.
/// </summary>
public sealed class AppHost : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private AppHost(WebApplication app, string dataDirectory, TestClock clock)
    {
        App = app;
        Clock = clock;
        _dataDirectory = dataDirectory;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }
    public IServiceProvider Services => App.Services;
    public Uri BaseUri { get; }
    public HttpClient Http { get; }
    /// <summary>The app's TimeProvider (real time unless a test sets it).</summary>
    public TestClock Clock { get; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The customer authorises a payment at the sandbox PG's "widget": returns its keys.</summary>
    public async Task<(string PaymentKey, string OrderId, long Amount)> CheckoutAsync(long amount = 10_000,
        string? fault = null, string method = "CARD")
    {
        var orderId = $"order-{Guid.NewGuid():N}"[..30];
        using var response = await Http.PostAsJsonAsync("sandbox/pg/v1/checkout", new { orderId, amount, method, fault });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"checkout failed: {body}");
        return (body.GetProperty("paymentKey").GetString()!, orderId, amount);
    }

    public static async Task<AppHost> StartAsync(TestDatabase? database = null,
        IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-app-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["DataDirectory"] = dataDirectory,
            ["Jobs:Enabled"] = "false",
            ["Demo:SeedOnFirstStart"] = "false",
            ["Database:MigrateOnStart"] = "true",
            ["Sandbox:Enabled"] = "true",
            ["Pg:AttemptTimeout"] = "00:00:02",
            ["Pg:TotalTimeout"] = "00:00:10",
            ["Pg:MaxRetries"] = "1",
            ["Pg:RetryBaseDelay"] = "00:00:00.020",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:OpsConsole.Core.Gateway"] = "Error",
        };
        if (database is not null)
        {
            all["Database:Provider"] = database.Provider.ToString();
            all["ConnectionStrings:OpsConsole"] = database.ConnectionString;
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            all[k] = v;

        var args = all.Where(kv => kv.Value is not null).Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        var clock = new TestClock();
        var app = ConsoleHost.Build(args, b =>
        {
            b.Environment.EnvironmentName = "Development";
            b.Services.AddSingleton<TimeProvider>(clock);
            configure?.Invoke(b);
        });
        await app.StartAsync();
        return new AppHost(app, dataDirectory, clock);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the OS: the temp folder is cleaned by the system.
        }
    }
}
