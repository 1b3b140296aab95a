using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Records a run's control totals (<see cref="RunControlTotal"/>): one aggregate over the date's transactions and one
/// over the date's settlement lines, right after the run persisted its findings, so the totals and the findings
/// describe the same data. Called once, by <see cref="ReconciliationService"/> for runs in the console's database
/// (an external engine's data lives in the warehouse). Why stored and not summed on each page load: a 10M-payment
/// day is ~0.3–3 s of summing; a run already reads the day, the dashboard then reads a few rows.
/// </summary>
public static class ControlTotalsRecorder
{
    public static async Task RecordAsync(IDbContextFactory<OpsDbContext> dbFactory, long runId, DateOnly date,
        ILogger log, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ours = await OursAsync(db, date, ct);
        var lines = await db.Set<SettlementLine>().AsNoTracking().Where(l => l.SoldDate == date)
            .GroupBy(l => l.Currency)
            .Select(g => new
            {
                Currency = g.Key,
                ApprovalLines = g.LongCount(l => l.Amount >= 0),
                Approvals = g.Sum(l => l.Amount >= 0 ? l.Amount : 0),
                CancelLines = g.LongCount(l => l.Amount < 0),
                Cancels = g.Sum(l => l.Amount < 0 ? -l.Amount : 0),
                Fee = g.Sum(l => l.Fee),
                Vat = g.Sum(l => l.Vat),
                Payout = g.Sum(l => l.PayOutAmount),
            })
            .ToListAsync(ct);

        var pg = lines.ToDictionary(l => l.Currency,
            l => new PgSide(l.ApprovalLines, l.Approvals, l.CancelLines, l.Cancels, l.Fee, l.Vat, l.Payout));
        var currencies = pg.Keys.Append(Money.LedgerCurrency).Distinct(StringComparer.Ordinal);
        foreach (var currency in currencies)
        {
            db.Add(RunControlTotal.Create(runId, date, currency,
                currency == Money.LedgerCurrency ? ours : LedgerSide.Empty,
                pg.GetValueOrDefault(currency) ?? PgSide.Empty));
        }
        await db.SaveChangesAsync(ct);
        log.LogInformation("Control totals of run {RunId} for {BusinessDate} recorded in {Ms} ms", runId, date,
            sw.ElapsedMilliseconds);
    }

    /// <summary>
    /// Our transactions of the KST day, as pass 1 selects them. Every transaction is in the ledger currency
    /// (<see cref="Money.LedgerCurrency"/>): payments are booked in KRW. On PostgreSQL the stored business date and its
    /// covering index (kind, amount) answer from the index alone.
    /// </summary>
    private static async Task<LedgerSide> OursAsync(OpsDbContext db, DateOnly date, CancellationToken ct)
    {
        var transactions = db.Set<PaymentTransaction>().AsNoTracking();
        if (db.Provider == DatabaseProvider.Postgres)
            transactions = transactions.Where(t => EF.Property<DateOnly>(t, "BusinessDate") == date);
        else
        {
            var from = BusinessCalendar.StartOfDayUtc(date);
            var to = BusinessCalendar.StartOfDayUtc(date.AddDays(1));
            transactions = transactions.Where(t => t.OccurredAt >= from && t.OccurredAt < to);
        }
        var byKind = await transactions.GroupBy(t => t.Kind)
            .Select(g => new { Kind = g.Key, Count = g.LongCount(), Amount = g.Sum(t => t.Amount) })
            .ToListAsync(ct);
        var approvals = byKind.FirstOrDefault(k => k.Kind == TransactionKind.APPROVAL);
        var cancels = byKind.FirstOrDefault(k => k.Kind == TransactionKind.CANCEL);
        return new LedgerSide(approvals?.Count ?? 0, approvals?.Amount ?? 0, cancels?.Count ?? 0, cancels?.Amount ?? 0);
    }
}
