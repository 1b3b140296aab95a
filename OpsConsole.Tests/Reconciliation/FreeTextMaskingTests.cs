using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Pages.Audit;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Card numbers, e-mail addresses and phone numbers that people type into free text are masked as the text is
/// stored, so every surface (pages, exports, the API) reads them masked.
/// </summary>
public abstract class FreeTextMaskingTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    public const string Typed = "customer kim.minsu@example.co.kr, card 4111 1111 1111 1111, phone 010-1234-5678";
    public const string Masked = "customer k***@example.co.kr, card **** **** **** 1111, phone 010-****-5678";

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AuditReason_IsStoredMasked_AndExportedMasked()
    {
        await new AuditLog(db.Factory, TimeProvider.System).WriteAsync("alice", "test.mask", "x", "1",
            before: Typed, after: Typed, reason: Typed, outcome: Typed);

        await using var ctx = db.Factory.CreateDbContext();
        var entry = await ctx.AuditEntries.SingleAsync(a => a.Action == "test.mask");
        Assert.Equal((Masked, Masked, Masked, Masked), (entry.Before, entry.After, entry.Reason, entry.Outcome));
        var exported = AuditExport.Line(entry);
        Assert.DoesNotContain("4111 1111 1111 1111", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("kim.minsu", exported, StringComparison.Ordinal);
        Assert.DoesNotContain("1234-5678", exported, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditExport_MasksRowsStoredBeforeTheRule()
    {
        await new AuditLog(db.Factory, TimeProvider.System).WriteAsync("alice", "test.old", "x", "1", reason: "r");
        await using var ctx = db.Factory.CreateDbContext();
#pragma warning disable EF1002 // constant test text
        await ctx.Database.ExecuteSqlRawAsync($"UPDATE audit_log SET reason = '{Typed}' WHERE action = 'test.old'");
#pragma warning restore EF1002
        var entry = await ctx.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "test.old");
        Assert.Equal(Typed, entry.Reason);

        Assert.Contains(Masked, AuditExport.Line(entry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindingNote_IsStoredMasked_AndSoIsItsAuditRow()
    {
        var csv = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n" +
                  "pay-m,tx-m,order-m,CARD,5000,0,5000,0,5000,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17\n";
        await new SettlementImporter(db.Factory, TimeProvider.System).ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "m.csv", "t");
        await ReconTestSupport.Service(db.Factory).RunAsync(ReconTestSupport.Date, RunTrigger.CLI, "t");
        await using var ctx = db.Factory.CreateDbContext();
        var finding = await ctx.Set<Finding>().SingleAsync(f => f.TransactionKey == "tx-m");

        await new FindingService(db.Factory, new AuditLog(db.Factory, TimeProvider.System), TimeProvider.System)
            .AddNoteAsync(finding.Id, "alice", Typed);

        await using var read = db.Factory.CreateDbContext();
        Assert.Equal(Masked, (await read.Set<FindingNote>().SingleAsync()).Text);
        var audit = await read.AuditEntries.SingleAsync(a => a.Action == "finding.note");
        var auditText = $"{audit.Before} {audit.After} {audit.Reason}";
        Assert.DoesNotContain("4111 1111 1111 1111", auditText, StringComparison.Ordinal);
        Assert.Contains(Masked, auditText, StringComparison.Ordinal);
    }
}

public sealed class SqliteFreeTextMaskingTests(SqliteTestDatabase db)
    : FreeTextMaskingTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresFreeTextMaskingTests(PostgresTestDatabase db)
    : FreeTextMaskingTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;

/// <summary>The entities that hold typed reasons mask them in their factories and state changes.</summary>
public sealed class RepairTextMaskingTests
{
    private const string Typed = FreeTextMaskingTests<SqliteTestDatabase>.Typed;
    private const string Masked = FreeTextMaskingTests<SqliteTestDatabase>.Masked;

    [Fact]
    public void RepairRequest_CommentAndRejectReason_AreMasked()
    {
        var repair = RepairRequest.Create(RepairKind.REFUND, "pay-1", "order-1", null, 1_000, false,
            RepairReasonCodes.All.First(), Typed, "fin-1", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        repair.Reject("oncall-1", "no: " + Typed, DateTimeOffset.UtcNow);

        Assert.Equal(Masked, repair.Comment);
        Assert.Equal("no: " + Masked, repair.RejectReason);
    }

    [Fact]
    public void RepairBatch_CommentRejectReasonAndItemReasons_AreMasked()
    {
        var batch = RepairBatch.Create("fin-1", "CHARGED_BUT_FAILED", Typed, DateTimeOffset.UtcNow);
        batch.Reject("oncall-1", Typed, DateTimeOffset.UtcNow);
        var item = RepairBatchItem.Skipped(1, 2, "pay-1", Typed);

        Assert.Equal((Masked, Masked, Masked), (batch.Comment, batch.RejectReason, item.Why));
        Assert.Contains("customer k***@example.co.kr", RepairBatchService.ReportCsv(new RepairBatchView(batch, [item])), StringComparison.Ordinal);
    }
}
