using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Amounts outside ±10^13 and lines in another currency are refused where they enter (CSV, pull), so they can
/// neither overflow a run's sums nor the dashboard's; the dashboard sums as decimals whatever is stored.
/// </summary>
public abstract class AmountBoundTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId";
    private static readonly DateOnly D = ReconTestSupport.Date;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static string Row(string id, long amount, string currency = "KRW") => string.Create(CultureInfo.InvariantCulture,
        $"pay-{id},tx-{id},order-{id},CARD,{amount},0,{amount},0,{amount},2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17,{currency},\n");

    private Task<SettlementImportResult> ImportAsync(string body) =>
        new SettlementImporter(db.Factory, TimeProvider.System).ImportCsvAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(Header + "\n" + body)), "big.csv", "tester");

    private async Task<int> LineCountAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().CountAsync();
    }

    [Fact]
    public async Task TwoHugeSettlementLines_DoNotBreakReconcile_TheImportRefusesThemNamingLineAndField()
    {
        var import = await ImportAsync(Row("huge1", 5_000_000_000_000_000_000) + Row("huge2", 5_000_000_000_000_000_000));

        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.Equal(ImportOutcome.Rejected, import.Outcome);
        Assert.Contains(import.Errors, e => e is { Line: 2, Field: "amount" } && e.Message.Contains("10^13", StringComparison.Ordinal));
        Assert.Contains(import.Errors, e => e is { Line: 3, Field: "payOutAmount" });
        Assert.Equal(0, await LineCountAsync());
    }

    [Fact]
    public async Task OneHugeSettlementLine_DoesNotBreakTheDashboard()
    {
        // Next to an ordinary finding of 1,000,000 KRW, one line just below 2^63 overflowed the day's sum.
        await ImportAsync(Row("huge", 9_223_372_036_854_000_000) + Row("small", 1_000_000));
        await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");

        var data = await new DashboardQueries(db.Factory, TimeProvider.System).LoadAsync(D);

        Assert.Equal(0, data.Count);
        Assert.Equal(0, await LineCountAsync());
    }

    [Fact]
    public async Task Dashboard_SumsMoneyAtRiskBeyondA64BitInteger()
    {
        // Findings stored before the bound existed (or by any other writer) must not make the landing page throw.
        await ImportAsync(Row("a", 1_000) + Row("b", 2_000));
        var run = await ReconTestSupport.Service(db.Factory).RunAsync(D, RunTrigger.CLI, "tester");
        Assert.Equal(2, run.ConfirmedCount);
        await using (var ctx = db.Factory.CreateDbContext())
            await ctx.Database.ExecuteSqlRawAsync("UPDATE recon_findings SET money_at_risk = 5000000000000000000");

        var data = await new DashboardQueries(db.Factory, TimeProvider.System).LoadAsync(D);

        Assert.Equal(10_000_000_000_000_000_000m, data.MoneyAtRisk);
        Assert.Equal(10_000_000_000_000_000_000m, data.Trend.Single(t => t.Date == D).MoneyAtRisk);
    }

    [Fact]
    public async Task Import_AmountAtTheBound_IsAccepted_AndOneBeyondIsRejected()
    {
        var atBound = await ImportAsync(Row("max", Money.MaxAbsoluteAmount) + Row("min", -Money.MaxAbsoluteAmount));
        var beyond = await ImportAsync(Row("over", Money.MaxAbsoluteAmount + 1));

        Assert.Equal(ImportOutcome.Imported, atBound.Outcome);
        Assert.Equal(ImportOutcome.Rejected, beyond.Outcome);
        Assert.Contains(beyond.Errors, e => e is { Line: 2, Field: "amount" });
        Assert.Equal(2, await LineCountAsync());
    }

    [Fact]
    public async Task Import_NumberBeyondAnyInteger_IsRejectedAsOutOfBound_NotAsGarbage()
    {
        var result = await ImportAsync(Row("x", 1_000).Replace(",1000,0,1000,0,1000,", ",99999999999999999999999,0,1000,0,1000,", StringComparison.Ordinal));

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("amount", 2), (error.Field, error.Line));
        Assert.Contains("10^13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_LineInAnotherCurrency_RejectsTheFileNamingTheLine()
    {
        var result = await ImportAsync(Row("krw", 1_000) + Row("usd", 1_000, "USD"));

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("currency", 3), (error.Field, error.Line));
        Assert.Contains("KRW", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await LineCountAsync());
    }

    private static TossSettlement Line(string id, long amount, string currency = "KRW") => new($"pay-{id}", $"tx-{id}",
        $"order-{id}", "카드", amount, 0, amount, 0, amount, new DateTimeOffset(2026, 3, 15, 1, 0, 0, TimeSpan.Zero), D,
        D.AddDays(2), currency);

    private SettlementPuller Puller(IPaymentGateway pg) => new(() => pg, db.Factory,
        Options.Create(new ReconciliationOptions { PullPageSize = 2 }), TimeProvider.System);

    [Fact]
    public async Task Pull_LineBeyondTheBound_ChangesNothing_AndNamesTheFieldAndLine()
    {
        await Puller(new PagedPg([Line("a", 1_000)])).PullAsync(D, D, "tester");

        var e = await Assert.ThrowsAsync<DomainException>(() =>
            Puller(new PagedPg([Line("b", 1_000), Line("c", 2_000), Line("d", Money.MaxAbsoluteAmount + 1)])).PullAsync(D, D, "tester"));

        Assert.Equal("PG_SETTLEMENT_INVALID", e.Code);
        Assert.Contains("line 3: amount", e.Message, StringComparison.Ordinal);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(["tx-a"], await ctx.Set<SettlementLine>().Select(l => l.TransactionKey).ToListAsync());
    }

    [Fact]
    public async Task Pull_LineInAnotherCurrency_IsKeptInItsCurrency_NeverAsKrw()
    {
        // Which currencies are accepted is the PG client's check (Pg:Currencies, PgAnswerCheck); what it passes on
        // keeps its currency: minor units of USD are never stored as KRW.
        await Puller(new PagedPg([Line("a", 1_000), Line("b", 1_000, "USD")])).PullAsync(D, D, "tester");

        await using var ctx = db.Factory.CreateDbContext();
        var lines = await ctx.Set<SettlementLine>().OrderBy(l => l.TransactionKey).Select(l => new { l.TransactionKey, l.Currency }).ToListAsync();
        Assert.Equal([("tx-a", "KRW"), ("tx-b", "USD")], lines.Select(l => (l.TransactionKey, l.Currency)));
    }
}

public sealed class SqliteAmountBoundTests(SqliteTestDatabase db)
    : AmountBoundTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresAmountBoundTests(PostgresTestDatabase db)
    : AmountBoundTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
