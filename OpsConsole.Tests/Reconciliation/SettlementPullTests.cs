using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

public abstract class SettlementPullTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static List<TossSettlement> Lines(int n) => Enumerable.Range(1, n).Select(i => new TossSettlement(
        $"pay-{i}", $"tx-{i}", $"order-{i}", i % 2 == 0 ? "카드" : "CARD", 1000 * i, 25 * i, 909 * i, 91 * i, 975 * i,
        BusinessCalendar.StartOfDayUtc(D).AddMinutes(i), D, D.AddDays(2))).ToList();

    private SettlementPuller Puller(IPaymentGateway pg) => new(() => pg, db.Factory,
        Options.Create(new ReconciliationOptions { PullPageSize = 2 }), TimeProvider.System);

    private async Task<int> LineCountAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().CountAsync();
    }

    [Fact]
    public async Task Pull_ReadsEveryPage_AndPullingAgainReplacesInsteadOfDuplicating()
    {
        var pg = new PagedPg(Lines(5));

        var first = await Puller(pg).PullAsync(D, D, "tester");
        var second = await Puller(pg).PullAsync(D, D, "tester");

        Assert.Equal(3, first.Pages);
        Assert.Equal(5, first.LineCount);
        Assert.Equal(5, second.ReplacedLineCount);
        Assert.Equal(5, await LineCountAsync());
        Assert.Equal([(1, 2), (2, 2), (3, 2)], pg.Calls.Take(3));
    }

    [Fact]
    public async Task Pull_WhenAPageFails_ChangesNothing()
    {
        await Puller(new PagedPg(Lines(3))).PullAsync(D, D, "tester");

        var e = await Assert.ThrowsAsync<DomainException>(() => Puller(new PagedPg(Lines(6), failPage: 2)).PullAsync(D, D, "tester"));

        Assert.Equal("PG_PULL_FAILED", e.Code);
        Assert.Contains("page 2", e.Message);
        Assert.Equal(3, await LineCountAsync());
    }

    [Fact]
    public async Task Pull_WithAnUnknownMethod_IsRefusedWhole()
    {
        var lines = Lines(3);
        lines[1] = lines[1] with { Method = "포인트" };

        var e = await Assert.ThrowsAsync<DomainException>(() => Puller(new PagedPg(lines)).PullAsync(D, D, "tester"));

        Assert.Equal("PG_SETTLEMENT_INVALID", e.Code);
        Assert.Equal(0, await LineCountAsync());
    }
}

public sealed class SqliteSettlementPullTests(SqliteTestDatabase db)
    : SettlementPullTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementPullTests(PostgresTestDatabase db)
    : SettlementPullTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
