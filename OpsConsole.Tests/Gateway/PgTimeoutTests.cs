using Microsoft.Extensions.Options;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Gateway;

/// <summary>
/// Per-operation timeouts of the real client and resilience pipeline: a settlement query may take longer than a
/// payment call (Toss: up to 60 s), so it has its own timeout (<c>Pg:Timeouts:Settlements</c>, at least 60 s).
/// </summary>
public sealed class PgTimeoutTests : IAsyncLifetime
{
    private TossStubServer _pg = null!;

    public async Task InitializeAsync() => _pg = await TossStubServer.StartAsync();
    public async Task DisposeAsync() => await _pg.DisposeAsync();

    private ServiceProvider Services(Action<PgOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<PgOptions>(o =>
        {
            o.BaseUrl = _pg.BaseUrl;
            o.MaxRetries = 0;
            configure(o);
        });
        services.AddPgClient();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task ASlowSettlementQuery_OutlivesThePaymentCallTimeout()
    {
        _pg.Settlements = "[]";
        _pg.Payment = """{"paymentKey":"pk1","orderId":"o-1","status":"DONE","totalAmount":1,"balanceAmount":1,"method":"카드","requestedAt":"2026-03-15T10:00:00+09:00","approvedAt":"2026-03-15T10:00:00+09:00","lastTransactionKey":"t","cancels":null,"currency":"KRW"}""";
        _pg.Delay = TimeSpan.FromMilliseconds(1500);
        await using var sp = Services(o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.TotalTimeout = TimeSpan.FromMilliseconds(500);
        });
        var client = sp.GetRequiredService<IPaymentGateway>();

        var lookup = await client.GetPaymentAsync("pk1");
        var settlements = await client.GetSettlementsAsync(new DateOnly(2026, 3, 15), new DateOnly(2026, 3, 15), 1, 100);

        Assert.Equal(PgOutcome.Unknown, lookup.Outcome);
        Assert.Contains("timed out", lookup.Message, StringComparison.Ordinal);
        Assert.True(settlements.IsSuccess, settlements.Describe());
    }

    [Fact]
    public async Task ASettlementQueryBeyondItsTimeout_FailsWithOneLine()
    {
        _pg.Delay = TimeSpan.FromSeconds(3);
        await using var sp = Services(o => o.TotalTimeout = TimeSpan.FromMilliseconds(200));
        var options = sp.GetRequiredService<IOptions<PgOptions>>().Value;
        options.Timeouts.Settlements = TimeSpan.FromMilliseconds(300); // below the minimum: set after validation, for the test only

        var r = await sp.GetRequiredService<IPaymentGateway>()
            .GetSettlementsAsync(new DateOnly(2026, 3, 15), new DateOnly(2026, 3, 15), 1, 100);

        Assert.Equal(PgOutcome.Unknown, r.Outcome);
        Assert.Equal("GET v1/settlements → outcome unknown (timed out waiting for the PG)", r.Describe());
    }

    [Fact]
    public void SettlementTimeoutBelow60Seconds_IsRefused()
    {
        using var sp = Services(o => o.Timeouts.Settlements = TimeSpan.FromSeconds(30));

        var e = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<PgOptions>>().Value);

        Assert.Contains("Pg:Timeouts:Settlements must be at least 00:01:00", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SettlementTimeout_DefaultsTo90Seconds() =>
        Assert.Equal(TimeSpan.FromSeconds(90), new PgOptions().Timeouts.Settlements);
}

public sealed class PullPageSizeOptionTests
{
    [Theory]
    [InlineData("5001", false)]
    [InlineData("0", false)]
    [InlineData("5000", true)]
    public void PullPageSize_IsValidatedAtStart(string size, bool valid)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reconciliation:PullPageSize"] = size,
            ["Jobs:Enabled"] = "false",
        });
        Core.Reconciliation.ReconciliationSetup.AddReconciliation(builder);
        using var sp = builder.Services.BuildServiceProvider();

        var read = () => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Reconciliation.ReconciliationOptions>>().Value;

        if (valid) Assert.Equal(5000, read().PullPageSize);
        else Assert.Contains("Reconciliation:PullPageSize must be 1 to 5,000",
            Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(read).Message, StringComparison.Ordinal);
    }
}
