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
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>The customer authorises a payment at the sandbox PG's "widget": returns its keys.</summary>
    public Task<(string PaymentKey, string OrderId, long Amount)> CheckoutAsync(long amount = 10_000,
        string? fault = null, string method = "CARD") => Host.CheckoutAsync(amount, fault, method);

    public PaymentService Payments => Host.Get<PaymentService>();
    public PaymentJanitor Janitor => Host.Get<PaymentJanitor>();
}
