using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>A settlement line as the payout reconciliation sees it.</summary>
public sealed record PayoutLine(string MId, DateOnly SoldDate, DateOnly PaidOutDate, PaymentMethod Method, long PayOut);

/// <summary>A bank statement entry.</summary>
public sealed record Deposit(string Account, DateOnly Date, long Amount, string Counterparty, string? Memo = null,
    BankDirection Direction = BankDirection.CREDIT);

public static class PayoutTestSupport
{
    /// <summary>"Today" of the tests: 2026-03-31 10:00 KST.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 31, 1, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly From = new(2026, 3, 2);
    public static readonly DateOnly To = new(2026, 3, 20);

    /// <summary>Two PGs into kb-operating, one into shinhan: KRW accounts.</summary>
    public static CashOptions Options(int window = 2, long tolerance = 0) => new()
    {
        Accounts = new(StringComparer.OrdinalIgnoreCase)
        {
            ["kb-operating"] = new() { Number = "110-123-456789", Bank = "KB국민은행" },
            ["shinhan"] = new() { Number = "140-000-111222", Bank = "신한은행" },
        },
        Pgs = new(StringComparer.Ordinal)
        {
            ["tosspay"] = new() { Account = "kb-operating", Counterparty = "토스페이먼츠,TOSS", PayoutDays = new(StringComparer.OrdinalIgnoreCase) { ["CARD"] = 2, ["EASY_PAY"] = 1 } },
            ["inicis"] = new() { Account = "kb-operating", Counterparty = "KG이니시스,INICIS", PayoutDays = new(StringComparer.OrdinalIgnoreCase) { ["CARD"] = 3 } },
            ["nicepay"] = new() { Account = "shinhan", Counterparty = "나이스페이", PayoutDays = new(StringComparer.OrdinalIgnoreCase) },
        },
        DateWindowBusinessDays = window,
        AmountTolerance = tolerance,
    };

    public static readonly KoreanBusinessCalendar Calendar = new();

    public static PayoutReconciliationService Service(OpsDbContextFactory factory, CashOptions options, DateTimeOffset? now = null)
    {
        var clock = new TestClock();
        clock.Set(now ?? Now);
        return new PayoutReconciliationService(factory, Microsoft.Extensions.Options.Options.Create(options), Calendar, clock);
    }

    public static async Task ClearAsync(OpsDbContextFactory factory)
    {
        await using var db = factory.CreateDbContext();
        foreach (var table in new[]
                 {
                     "recon_finding_notes", "recon_findings", "payout_run_items", "payout_run_groups", "payout_runs",
                     "settlement_lines", "settlement_imports", "bank_transactions", "bank_statement_imports", "audit_log",
                 })
#pragma warning disable EF1002 // table names are constants of this test
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table}");
#pragma warning restore EF1002
    }

    public static async Task AddLinesAsync(OpsDbContextFactory factory, IEnumerable<PayoutLine> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0) return;
        await using var db = factory.CreateDbContext();
        var import = SettlementImport.ForCsv("payout-test.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
            list.Count, "test", DateTimeOffset.UtcNow, OpsConsole.Core.Gateway.PgConnections.LegacyName);
        db.Add(import);
        var n = 0;
        await SettlementLineWriter.AddAsync(db, list.Select(l =>
        {
            n++;
            var key = $"tx-{Guid.NewGuid():N}";
            var amount = l.PayOut >= 0 ? l.PayOut + 100 : l.PayOut - 100;
            return SettlementLine.Create(import, n, "pk-" + key, key, "order-" + n, l.Method, amount, 100,
                amount - amount / 11, amount / 11, l.PayOut, new DateTimeOffset(l.SoldDate.ToDateTime(new TimeOnly(3, 0)), TimeSpan.Zero),
                l.SoldDate, l.PaidOutDate, "KRW", l.MId);
        }).ToList(), CancellationToken.None);
        await db.SaveChangesAsync();
    }

    /// <summary>Stores the deposits as one statement import; returns their ids in order.</summary>
    public static async Task<IReadOnlyList<long>> AddDepositsAsync(OpsDbContextFactory factory, IEnumerable<Deposit> deposits)
    {
        var list = deposits.ToList();
        if (list.Count == 0) return [];
        await using var db = factory.CreateDbContext();
        var import = BankStatementImport.Create("test.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
            BankStatementFormat.CSV, "test", list[0].Account, list.Count, null, null, "test", DateTimeOffset.UtcNow);
        db.Add(import);
        var entities = list.Select((d, i) => new ParsedBankTransaction(i + 1, d.Account, d.Date, d.Date, null, d.Amount,
            d.Direction, "KRW", d.Counterparty, d.Memo, null, null).ToEntity(import)).ToList();
        db.AddRange(entities);
        await db.SaveChangesAsync();
        return entities.Select(e => e.Id).ToList();
    }

    /// <summary>The items of a run's pass as comparable rows, in key order.</summary>
    public static async Task<List<OracleItem>> ItemsAsync(OpsDbContextFactory factory, long runId, int pass)
    {
        await using var db = factory.CreateDbContext();
        var items = await db.Set<PayoutRunItem>().AsNoTracking().Where(i => i.RunId == runId && i.Pass == pass).ToListAsync();
        return items.Select(i => new OracleItem(i.ItemKey, i.Kind, i.FindingType, i.MatchKind, i.PgMid, i.AccountName,
                i.BusinessDate, i.DueDate, i.DeadlineDate, i.ExpectedAmount, i.NetAmount, i.LineCount, i.DepositId,
                i.ReceivedAmount, i.MoneyAtRisk))
            .OrderBy(i => i.Key, StringComparer.Ordinal).ThenBy(i => i.Kind).ToList();
    }

    public static async Task<List<Finding>> FindingsAsync(OpsDbContextFactory factory)
    {
        await using var db = factory.CreateDbContext();
        return await db.Set<Finding>().AsNoTracking().OrderBy(f => f.TransactionKey).ThenBy(f => f.Type).ToListAsync();
    }
}
