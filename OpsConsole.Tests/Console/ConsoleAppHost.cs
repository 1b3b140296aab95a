using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Console;

/// <summary>
/// The whole app on a real Kestrel loopback port with a throwaway SQLite database in a temp directory:
/// demo mode on, jobs off. Shared by the console's HTTP and browser tests.
/// </summary>
public sealed partial class ConsoleAppHost : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string DemoPassword = "opsconsole-demo";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"opsconsole-ui-{Guid.NewGuid():N}");

    public Uri BaseAddress { get; private set; } = null!;
    public OpsDbContextFactory Db => Services.GetRequiredService<OpsDbContextFactory>();

    /// <summary>Findings of one business date, made by the app's own engine (lazily, once per host).</summary>
    public Task<ReconSeed.Seeded> Discrepancies => _discrepancies ??= ReconSeed.DateWithDiscrepanciesAsync(Db,
        new DateOnly(2026, 11, 20), Services.GetRequiredService<ReconciliationService>());

    private Task<ReconSeed.Seeded>? _discrepancies;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("DataDirectory", _dataDirectory);
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("Jobs:Enabled", "false");
        builder.UseSetting("Demo:SeedOnFirstStart", "false");
        builder.UseSetting("Demo:Enabled", "true");
        builder.UseSetting("Tracing:Links:Jaeger", "http://jaeger.invalid/trace/{traceId}");
        builder.UseSetting("Reconciliation:SettleDelay", "00:00:00");
        builder.UseSetting("Reconciliation:ScheduleEnabled", "false");
        // Every test signs in from 127.0.0.1: the per-address throttles are tested on their own hosts.
        foreach (var (key, value) in RelaxedSignInThrottle)
            builder.UseSetting(key, value);
        builder.UseSetting("Auth:Lockout:MaxFailedAttempts", "5");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
    }

    /// <summary>Settings on top of the defaults above, for a host of its own (set before it starts).</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>Sign-in throttles high enough for a test suite that signs in many times from one address.</summary>
    public static readonly IReadOnlyDictionary<string, string> RelaxedSignInThrottle = new Dictionary<string, string>
    {
        ["Auth:SignIn:PermitsPerMinute"] = "100000",
        ["Auth:SignIn:MaxFailuresPerIp"] = "100000",
    };

    /// <summary>Sends the antiforgery token with every request of a signed-in client, as a script of the console does.</summary>
    public static async Task UseAntiforgeryTokenAsync(HttpClient client)
    {
        var token = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("account/antiforgery");
        client.DefaultRequestHeaders.Remove(token.GetProperty("headerName").GetString()!);
        client.DefaultRequestHeaders.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        var factory = new OpsDbContextFactory(DatabaseProvider.Sqlite,
            $"Data Source={Path.Combine(_dataDirectory, "opsconsole.db")}");
        await DatabaseInitializer.MigrateAsync(factory);

        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    /// <summary>A client with its own cookie jar that does not follow redirects (tests assert them).</summary>
    public HttpClient NewClient() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = BaseAddress,
        };

    /// <summary>Posts the sign-in form the way a browser does (antiforgery token from the page) and returns the answer.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string userName, string password,
        string returnUrl = "/")
    {
        var page = await client.GetStringAsync("signin");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        return await client.PostAsync("account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = userName,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
    }

    public async Task<HttpClient> SignedInClientAsync(string userName)
    {
        var client = NewClient();
        var response = await PostSignInAsync(client, userName, DemoPassword);
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
            throw new InvalidOperationException($"Sign-in of {userName} failed: {(int)response.StatusCode} {response.Headers.Location}");
        await UseAntiforgeryTokenAsync(client);
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a finishing background task: the OS temp cleaner gets it
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

[CollectionDefinition(Name)]
public sealed class ConsoleAppCollection : ICollectionFixture<ConsoleAppHost>
{
    public const string Name = "console app";
}
