using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// A settlement import shows what it changes per sold date before it commits, and a file that would remove stored
/// lines is refused until the replacement is confirmed (the one-line correction file that replaced a whole day).
/// </summary>
public abstract class SettlementImportPreviewTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId";

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private SettlementImporter Importer() => new(db.Factory, TimeProvider.System, new AuditLog(db.Factory, TimeProvider.System));

    /// <summary>A file of <paramref name="count"/> approvals of 1,000 KRW + i on <paramref name="sold"/>, keys prefixed by <paramref name="tag"/>.</summary>
    private static string Day(string sold, int count, string tag) => string.Concat(Enumerable.Range(1, count).Select(i =>
        string.Create(CultureInfo.InvariantCulture,
            $"pay-{tag}{i},tx-{tag}{i},order-{tag}{i},카드,{1000 + i},25,23,2,{975 + i},{sold}T10:00:00+09:00,{sold},{sold},KRW,\n")));

    private static MemoryStream Csv(string body) => new(Encoding.UTF8.GetBytes(Header + "\n" + body));

    private async Task<int> LinesOfAsync(DateOnly sold)
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<SettlementLine>().CountAsync(l => l.SoldDate == sold);
    }

    [Fact]
    public async Task Preview_ShowsLinesPerSoldDate_AndWhatTheyReplace_AndStoresNothing()
    {
        await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 147, "a")), "day.csv", "alice");

        var preview = await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 1, "fix") + Day("2026-12-06", 2, "b")), "fix.csv", "alice",
            SettlementImportMode.Preview);

        Assert.Equal(ImportOutcome.Previewed, preview.Outcome);
        Assert.Null(preview.ImportId);
        var dates = preview.Preview!.Dates;
        Assert.Equal([new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 6)], dates.Select(d => d.SoldDate));
        Assert.Equal("replaces 147 lines of 2026-12-05 with 1 line", dates[0].Describe());
        Assert.Equal((147, 147L * 1000 + 147 * 148 / 2, 1, 1001L), (dates[0].StoredLines, dates[0].StoredAmount, dates[0].NewLines, dates[0].NewAmount));
        Assert.Equal("adds 2 lines of 2026-12-06", dates[1].Describe());
        Assert.Equal(146, preview.Preview.RemovedLines);
        Assert.Equal((147, 0), (await LinesOfAsync(new DateOnly(2026, 12, 5)), await LinesOfAsync(new DateOnly(2026, 12, 6))));
    }

    [Fact]
    public async Task Import_ThatWouldRemoveLines_IsRefusedUntilConfirmed_ThenReplacesTheDay()
    {
        await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 147, "a")), "day.csv", "alice");

        var refused = await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 1, "fix")), "fix.csv", "bob");

        Assert.Equal(ImportOutcome.NeedsConfirmation, refused.Outcome);
        Assert.False(refused.Succeeded);
        Assert.Equal("fix.csv would remove 146 lines: replaces 147 lines of 2026-12-05 with 1 line. Nothing was imported; " +
                     "confirm the replacement to import it.", refused.NeedsConfirmationMessage);
        Assert.Equal(147, await LinesOfAsync(new DateOnly(2026, 12, 5)));

        var confirmed = await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 1, "fix")), "fix.csv", "bob", SettlementImportMode.CommitReplacing);

        Assert.Equal((ImportOutcome.Imported, 147), (confirmed.Outcome, confirmed.SupersededLineCount));
        Assert.Equal(1, await LinesOfAsync(new DateOnly(2026, 12, 5)));
        await using var ctx = db.Factory.CreateDbContext();
        var audit = await ctx.AuditEntries.Where(a => a.Action.StartsWith("settlement.import")).OrderBy(a => a.Id)
            .Select(a => a.Action + " " + a.Actor).ToListAsync();
        Assert.Equal(["settlement.import alice", "settlement.import.refused bob", "settlement.import bob"], audit);
    }

    [Fact]
    public async Task Import_ThatKeepsOrAddsLines_NeedsNoConfirmation()
    {
        await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 3, "a")), "day.csv", "alice");

        var corrected = await Importer().ImportCsvAsync(Csv(Day("2026-12-05", 3, "c") + Day("2026-12-07", 1, "d")), "corrected.csv", "alice");

        Assert.Equal(ImportOutcome.Imported, corrected.Outcome);
        Assert.False(corrected.Preview!.RemovesLines);
        Assert.Equal((3, 1), (await LinesOfAsync(new DateOnly(2026, 12, 5)), await LinesOfAsync(new DateOnly(2026, 12, 7))));
    }

    [Fact]
    public void Template_ParsesAsAValidSettlementFile_StartsWithABom_AndNamesEveryColumnTheParserReads()
    {
        var bytes = SettlementCsvFormat.TemplateCsv();

        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var (lines, errors) = SettlementImporter.Parse(bytes);
        Assert.Empty(errors);
        Assert.Equal(45_800, Assert.Single(lines).Amount);
        Assert.Equal([.. SettlementLineParser.RequiredColumns, .. SettlementLineParser.OptionalColumns],
            SettlementCsvFormat.Columns.Select(c => c.Name));
    }
}

public sealed class SqliteSettlementImportPreviewTests(SqliteTestDatabase db)
    : SettlementImportPreviewTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementImportPreviewTests(PostgresTestDatabase db)
    : SettlementImportPreviewTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
