using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>The findings query models (the grid's <see cref="FindingFilter"/>, <see cref="FindingQuery"/>) filter by PG.</summary>
public sealed class FindingPgFilterTests(SqliteTestDatabase db) : IClassFixture<SqliteTestDatabase>
{
    private static readonly DateOnly D = ReconTestSupport.Date;

    [Fact]
    public void PgFilter_RoundTripsThroughTheUrl_AndNamesTheExport()
    {
        var filter = new FindingFilter { Pg = ReconTestSupport.FilePg };

        Assert.Equal("pg=inicis", filter.ToQueryString());
        Assert.Equal(filter, FindingFilter.FromQuery(name => name == "pg" ? " inicis " : null));
        Assert.Equal("discrepancies_pg-inicis.csv", filter.ToFileName());
    }

    [Fact]
    public async Task PgFilter_KeepsOnlyThatPgsFindings()
    {
        await Ledger.ClearAsync(db.Factory);
        var ledger = new Ledger();
        var noon = BusinessCalendar.StartOfDayUtc(D).AddHours(12);
        ledger.Payments.Add(ReconTestSupport.Done("t", 10_000, noon));
        ledger.Payments.Add(ReconTestSupport.Done("i", 5_000, noon) with { Pg = ReconTestSupport.FilePg });
        await ledger.SaveAsync(db.Factory);
        await ReconTestSupport.Service(db.Factory, connections: TwoPgs.Connections)
            .RunEachPgAsync(D, RunTrigger.CLI, "tester");

        await using var ctx = db.Factory.CreateDbContext();
        var inicis = await new FindingFilter { Pg = ReconTestSupport.FilePg }.Apply(ctx.Set<Finding>()).ToListAsync();
        var all = await new FindingFilter().Apply(ctx.Set<Finding>()).ToListAsync();
        var toss = await new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System)
            .ListAsync(new FindingQuery(Pg: Ledger.DefaultPg));

        Assert.Equal(["tx-i"], inicis.Select(f => f.TransactionKey));
        Assert.Equal(2, all.Count);
        Assert.Equal(["tx-t"], toss.Items.Select(f => f.TransactionKey));
        Assert.All(toss.Items, f => Assert.Equal(Ledger.DefaultPg, f.Pg));
    }
}
