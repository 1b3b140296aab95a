using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Records a run's control totals (<see cref="RunControlTotal"/>): one aggregate over the date's transactions and one
/// over the date's settlement lines, both of the run's PG (<see cref="ReconRun.Pg"/>), right after the run persisted its findings, so the totals and the findings
/// describe the same data. Called once, by <see cref="ReconciliationService"/> for runs in the console's database
/// (an external engine's data lives in the warehouse). Why stored and not summed on each page load: a 10M-payment
/// day is ~0.3–3 s of summing; a run already reads the day, the dashboard then reads a few rows.
/// </summary>
public static class ControlTotalsRecorder
{
    public static async Task RecordAsync(IDbContextFactory<OpsDbContext> dbFactory, long runId, DateOnly date, string pg,
        ILogger log, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ours = await OursAsync(db, date, pg, ct);
        var lines = await db.Set<SettlementLine>().AsNoTracking().Where(l => l.SoldDate == date && l.Pg == pg)
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

        var pgSides = lines.ToDictionary(l => l.Currency,
            l => new PgSide(l.ApprovalLines, l.Approvals, l.CancelLines, l.Cancels, l.Fee, l.Vat, l.Payout));
        var currencies = pgSides.Keys.Append(Money.LedgerCurrency).Distinct(StringComparer.Ordinal);
        foreach (var currency in currencies)
        {
            db.Add(RunControlTotal.Create(runId, date, currency,
                currency == Money.LedgerCurrency ? ours : LedgerSide.Empty,
                pgSides.GetValueOrDefault(currency) ?? PgSide.Empty));
        }
        await db.SaveChangesAsync(ct);
        log.LogInformation("Control totals of run {RunId} for {BusinessDate} recorded in {Ms} ms", runId, date,
            sw.ElapsedMilliseconds);
    }

    /// <summary>
    /// Our transactions of the KST day, as pass 1 selects them. Every transaction is in the ledger currency
    /// (<see cref="Money.LedgerCurrency"/>): payments are booked in KRW. On PostgreSQL the stored business date and its
    /// covering index (kind, amount) answer from the index alone. SQLite scans the table with the day as a filter
    /// (<see cref="IReconSqlDialect.ScanFilterColumn"/>), as pass 1 does: a day is most of the table, and walking the
    /// occurred_at index fetched each row at random (about 3× the CPU at 220,000 transactions).
    /// </summary>
    private static async Task<LedgerSide> OursAsync(OpsDbContext db, DateOnly date, string pg, CancellationToken ct)
    {
        var from = BusinessCalendar.StartOfDayUtc(date);
        var to = BusinessCalendar.StartOfDayUtc(date.AddDays(1));
        List<(TransactionKind Kind, long Count, long Amount)> byKind;
        if (db.Provider == DatabaseProvider.Postgres)
            byKind = (await db.Set<PaymentTransaction>().AsNoTracking()
                    .Where(t => EF.Property<DateOnly>(t, "BusinessDate") == date && t.Pg == pg)
                    .GroupBy(t => t.Kind)
                    .Select(g => new { Kind = g.Key, Count = g.LongCount(), Amount = g.Sum(t => t.Amount) })
                    .ToListAsync(ct))
                .Select(k => (k.Kind, k.Count, k.Amount)).ToList();
        else
        {
            var dialect = ReconSql.DialectFor(db.Provider);
            var occurredAt = dialect.ScanFilterColumn("occurred_at");
            var rows = await ReconSql.RowsAsync(db,
                $"SELECT kind, COUNT(*), COALESCE(SUM(amount), 0) FROM payment_transactions WHERE {occurredAt} >= @from AND {occurredAt} < @to AND pg = @pg GROUP BY kind",
                new Dictionary<string, object?> { ["from"] = dialect.InstantValue(from), ["to"] = dialect.InstantValue(to), ["pg"] = pg }, ct);
            byKind = rows.Select(r => (Enum.Parse<TransactionKind>((string)r[0]!), Convert.ToInt64(r[1]), Convert.ToInt64(r[2]))).ToList();
        }
        var approvals = byKind.FirstOrDefault(k => k.Kind == TransactionKind.APPROVAL);
        var cancels = byKind.FirstOrDefault(k => k.Kind == TransactionKind.CANCEL);
        return new LedgerSide(approvals.Count, approvals.Amount, cancels.Count, cancels.Amount);
    }
}
