using System.Net.Http.Headers;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Payments;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>A migrated throwaway database of one provider and the real app on top of it, per test class.</summary>
public class PaymentAppFixture<TDatabase> : IAsyncLifetime where TDatabase : TestDatabase, new()
{
    public TDatabase Database { get; } = new();
    public AppHost Host { get; private set; } = null!;

    public virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Changes the app's registrations before the app's own (e.g. a fault in the PG client's pipeline).</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Host = await AppHost.StartAsync(Database, Settings, Configure);
        (ApiClientName, _, Api) = await NewApiClientAsync();
    }

    public async Task DisposeAsync()
    {
        Api?.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>The customer authorises a payment at the sandbox PG's "widget": returns its keys.</summary>
    public Task<(string PaymentKey, string OrderId, long Amount)> CheckoutAsync(long amount = 10_000,
        string? fault = null, string method = "CARD") => Host.CheckoutAsync(amount, fault, method);

    public PaymentService Payments => Host.Get<PaymentService>();

    /// <summary>A new API client with the given scopes (all when none) and an HttpClient that sends its key.</summary>
    public async Task<(string Name, string Key, HttpClient Http)> NewApiClientAsync(params string[] scopes)
    {
        var name = $"client-{Guid.NewGuid():N}"[..20];
        var created = await Host.Get<ApiClientService>().CreateAsync(name, scopes.Length == 0 ? ApiScopes.All : scopes, "test");
        var http = new HttpClient { BaseAddress = Host.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Key);
        return (name, created.Key, http);
    }

    /// <summary>An HttpClient of an API client with every scope (created with the fixture).</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>The name of <see cref="Api"/>'s client (actor <c>api:&lt;name&gt;</c>).</summary>
    public string ApiClientName { get; private set; } = "";
    public PaymentJanitor Janitor => Host.Get<PaymentJanitor>();

    /// <summary>Runs the janitor with the shared clock moved <paramref name="later"/> (e.g. past the PG's authorisation window).</summary>
    public async Task RunJanitorLaterAsync(TimeSpan later)
    {
        Host.Clock.Set(DateTimeOffset.UtcNow + later);
        try
        {
            await Janitor.RunOnceAsync();
        }
        finally
        {
            Host.Clock.Reset();
        }
    }
}
