using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>Importing a PG's own settlement file through a profile: the semantics of the settlement CSV import.</summary>
public abstract class SettlementProfileImportTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private SettlementImporter Importer() => new(db.Factory, TimeProvider.System, new AuditLog(db.Factory, TimeProvider.System),
        connections: TwoPgs.WithSandboxInicis);

    private static FileStream Open(string fixture) => File.OpenRead(SettlementProfileTests.Fixture(fixture));

    [Fact]
    public async Task Cp949File_IsImportedOnce_ThenTheSameBytesAreANoOp_AndTheAuditNamesTheProfile()
    {
        var profile = SettlementProfileTests.Inicis;

        await using (var file = Open("sandbox-inicis.cp949.csv"))
        {
            var first = await Importer().ImportAsync(file, "정산내역.csv", "alice", SettlementImportMode.Commit, profile, null);
            Assert.Equal((ImportOutcome.Imported, 4), (first.Outcome, first.RowCount));
        }
        await using (var again = Open("sandbox-inicis.cp949.csv"))
        {
            var second = await Importer().ImportAsync(again, "정산내역.csv", "alice", SettlementImportMode.Commit, profile, null);
            Assert.Equal(ImportOutcome.AlreadyImported, second.Outcome);
        }

        await using var ctx = db.Factory.CreateDbContext();
        var lines = await ctx.Set<SettlementLine>().OrderBy(l => l.LineNumber).ToListAsync();
        Assert.Equal([34_000L, 1_250_000L, -10_000L, -5_000L], lines.Select(l => l.Amount));
        Assert.Equal([4, 5, 6, 7], lines.Select(l => l.LineNumber));
        Assert.All(lines, l => Assert.Equal("KRW", l.Currency));
        Assert.Single(await ctx.Set<SettlementImport>().ToListAsync());
        var audits = await ctx.Set<AuditEntry>().Where(a => a.Action == "settlement.import").Select(a => a.After ?? "").ToListAsync();
        Assert.Contains(audits, a => a.StartsWith("정산내역.csv sha256=", StringComparison.Ordinal) && a.Contains(" profile=sandbox-inicis:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABadRow_RejectsTheWholeWorkbook_AndNothingIsStored()
    {
        // The xlsx fixture read with a profile whose fee column does not hold numbers: every row is refused.
        var profile = SettlementProfileTests.Inicis with
        {
            Columns = new Dictionary<string, string>(SettlementProfileTests.Inicis.Columns) { ["fee"] = "결제수단" },
        };

        await using var file = Open("sandbox-inicis.xlsx");
        var result = await Importer().ImportAsync(file, "정산내역.xlsx", "alice", SettlementImportMode.Commit, profile, null);

        Assert.Equal(ImportOutcome.Rejected, result.Outcome);
        Assert.Equal([4, 5, 6, 7], result.Errors.Where(e => e.Field == "결제수단").Select(e => e.Line));
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Set<SettlementLine>().CountAsync());
        Assert.Equal(0, await ctx.Set<SettlementImport>().CountAsync());
    }

    [Fact]
    public async Task AProfiledFileThatRemovesLines_NeedsTheReplacementConfirmed()
    {
        var profile = SettlementProfileTests.Inicis;
        await using (var file = Open("sandbox-inicis.cp949.csv"))
            await Importer().ImportAsync(file, "a.csv", "alice", SettlementImportMode.Commit, profile, null);
        var cp949 = MappingProfile.ResolveEncoding("CP949")!;
        var text = cp949.GetString(File.ReadAllBytes(SettlementProfileTests.Fixture("sandbox-inicis.cp949.csv")));
        var shorter = string.Join("\r\n", text.Split("\r\n").Where(l => !l.Contains("INIMX_EPAY", StringComparison.Ordinal)));

        var held = await Importer().ImportAsync(new MemoryStream(cp949.GetBytes(shorter)), "b.csv", "alice", SettlementImportMode.Commit, profile, null);
        var replaced = await Importer().ImportAsync(new MemoryStream(cp949.GetBytes(shorter)), "b.csv", "alice",
            SettlementImportMode.CommitReplacing, profile, null);

        Assert.Equal(ImportOutcome.NeedsConfirmation, held.Outcome);
        Assert.Equal(ImportOutcome.Imported, replaced.Outcome);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(3, await ctx.Set<SettlementLine>().CountAsync());
    }
}

public sealed class SqliteSettlementProfileImportTests(SqliteTestDatabase db)
    : SettlementProfileImportTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresSettlementProfileImportTests(PostgresTestDatabase db)
    : SettlementProfileImportTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
