using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>The sandbox PG's payouts, booked into the sandbox bank with planted faults, are found by the payout run.</summary>
public sealed class SandboxBankTests(SqliteTestDatabase db) : IClassFixture<SqliteTestDatabase>, IDisposable
{
    private readonly string _sandboxPath = Path.Combine(Path.GetTempPath(), $"sandbox-bank-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task SandboxStatement_ImportedAndReconciled_FindsEveryPlantedFaultAndNothingElse()
    {
        await ClearAsync(db.Factory);
        var sandbox = new PooledDbContextFactory<SandboxDbContext>(
            new DbContextOptionsBuilder<SandboxDbContext>().UseSqlite($"Data Source={_sandboxPath}").Options);
        await using (var s = await sandbox.CreateDbContextAsync())
        {
            await s.Database.EnsureCreatedAsync();
            for (var d = From; d <= To; d = d.AddDays(1))
            {
                var amount = 10_000 + d.Day * 100L;
                s.SettlementLines.Add(Line(d, amount));
                s.SettlementLines.Add(Line(d, amount / 2));
            }
            s.SettlementLines.Add(Line(new DateOnly(2026, 3, 11), -60_000)); // a negative day, offset into 3/12
            await s.SaveChangesAsync();
            // The console holds the same lines (the demo pulls them from the sandbox PG before reconciling).
            await AddLinesAsync(db.Factory, s.SettlementLines.AsNoTracking().AsEnumerable().Select(l =>
                new PayoutLine("opsconsole_sandbox", l.SoldDate, l.PaidOutDate, OpsConsole.Core.Payments.PaymentMethod.TRANSFER, l.PayOutAmount)).ToList());
        }
        var cash = new CashOptions
        {
            Accounts = new(StringComparer.OrdinalIgnoreCase) { [SandboxBank.AccountName] = new() { Number = SandboxBank.AccountNumber } },
            Pgs = new(StringComparer.Ordinal) { ["opsconsole_sandbox"] = new() { Account = SandboxBank.AccountName, Counterparty = "토스페이먼츠" } },
        };
        var statement = await new SandboxBank(sandbox, Calendar).StatementAsync(From, To);
        var importer = new BankStatementImporter(db.Factory, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(cash),
            new BankProfileStore(new DatabaseOptions { DataDirectory = Path.GetTempPath() }));
        var imported = await importer.ImportAsync(new MemoryStream(statement.Camt053), "sandbox.xml", null, null, "test");
        Assert.True(imported.Succeeded, string.Join("; ", imported.Errors.Select(e => e.Message)));

        var run = await Service(db.Factory, cash).RunAsync(From, To, RunTrigger.SCHEDULE, "demo");

        Assert.Equal(["COMBINED_AFTER_CLOSED_DAYS", "PAYOUT_LATE", "PAYOUT_MISSING", "PAYOUT_SHORT", "UNRELATED_DEPOSIT"],
            statement.Faults.Select(f => f.Fault).Distinct().Order());
        var expected = statement.Faults.Where(f => f.ExpectedFinding is not null).Select(f => f.ExpectedFinding!).Order().ToList();
        var found = (await FindingsAsync(db.Factory)).Select(f => f.Type.ToString()).Order().ToList();
        Assert.Equal(expected, found);
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
    }

    private static SandboxSettlementLine Line(DateOnly paidOut, long payOut) => new()
    {
        PaymentKey = Guid.NewGuid().ToString("N"), TransactionKey = Guid.NewGuid().ToString("N"), OrderId = "o",
        Method = "TRANSFER", Amount = payOut, PayOutAmount = payOut, SoldDate = paidOut.AddDays(-2), PaidOutDate = paidOut,
        ApprovedAt = DateTimeOffset.UnixEpoch,
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_sandboxPath);
    }
}
