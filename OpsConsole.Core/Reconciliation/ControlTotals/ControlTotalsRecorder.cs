using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Records a run's control totals (<see cref="RunControlTotal"/>) from the run's recheck on (on PostgreSQL on another
/// connection while pass 2 and the persist run, committed only once the findings are; on SQLite right after the
/// persist), so the totals and the findings describe the same data. Called once, by <see cref="ReconciliationService"/>
/// for runs in the console's database (an external engine's data lives in the warehouse). Why stored and not summed on
/// each page load: a 10M-payment day is ~0.3–3 s of summing; the dashboard then reads a few rows.
/// <para>A run of a date and PG that already has recorded totals — full or incremental — records the last recorded
/// totals plus the changes since (<see cref="ControlTotalsDelta"/>), consumed in the same snapshot: it costs what
/// changed, not a scan of the day. Only the first run of a date and PG sums both ledgers of the day (one aggregate over
/// the date's transactions, one over its settlement lines, of the run's PG). What catches a row changed outside the
/// write paths (no delta) is the <see cref="ControlTotalsVerifier"/>, queued after each full run, off the run's path.</para>
/// </summary>
public static class ControlTotalsRecorder
{
    /// <param name="commitAfter">Completes when the run has persisted its findings, which may still be under way on
    /// other connections (PostgreSQL only: SQLite has one writer): the totals are summed meanwhile, and committed — with
    /// the deltas they consumed — only once that task has succeeded; if it fails, both roll back, as if the totals had
    /// never been recorded.</param>
    public static async Task RecordAsync(IDbContextFactory<OpsDbContext> dbFactory, long runId, DateOnly date,
        string pg, ILogger log, CancellationToken ct, Task? commitAfter = null)
    {
        var sw = Stopwatch.StartNew();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The deltas are consumed in the snapshot the totals describe: PostgreSQL's repeatable read (a change committed
        // meanwhile is neither summed nor consumed, its delta waits for the next run); on SQLite the DELETE takes the
        // write lock first, so nothing can commit in between.
        await ReconSql.OpenAsync(db, ct); // the engine's session settings (JIT off) before the transaction opens the connection
        await using var tx = db.Provider == DatabaseProvider.Postgres
            ? await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct)
            : await db.Database.BeginTransactionAsync(ct);
        // Summed alongside the run's own statements (commitAfter): one process, so that they keep their core.
        if (commitAfter is not null && db.Provider == DatabaseProvider.Postgres)
            await db.Database.ExecuteSqlRawAsync("SET LOCAL max_parallel_workers_per_gather = 0", ct);
        var deltas = (await ReconSql.RowsAsync(db, ControlTotalsDelta.ConsumeSql(),
                new Dictionary<string, object?> { ["date"] = ReconSql.DialectFor(db.Provider).DateValue(date), ["pg"] = pg }, ct))
            .Select(ControlTotalsDelta.Read).ToList();
        var previous = await LastRecordedAsync(db, date, pg, ct);
        Dictionary<string, (LedgerSide Ours, PgSide Pg)> totals;
        string how;
        if (previous.Count > 0)
        {
            totals = Plus(previous, deltas);
            how = $"run {previous[0].RunId}'s totals and {deltas.Count} change(s) since";
        }
        else
        {
            totals = await SumDayAsync(db, date, pg, ct, dbFactory);
            how = "the day summed";
        }
        foreach (var currency in totals.Keys.Append(Money.LedgerCurrency).Distinct(StringComparer.Ordinal))
        {
            var (ours, theirs) = totals.GetValueOrDefault(currency, (LedgerSide.Empty, PgSide.Empty));
            // A currency whose lines all left the date (deltas summing to nothing) has no row, as when the day is summed.
            if (currency != Money.LedgerCurrency && ours == LedgerSide.Empty && theirs == PgSide.Empty) continue;
            db.Add(RunControlTotal.Create(runId, date, currency, currency == Money.LedgerCurrency ? ours : LedgerSide.Empty, theirs));
        }
        await db.SaveChangesAsync(ct);
        var summed = sw.ElapsedMilliseconds;
        if (commitAfter is not null) await commitAfter;
        await tx.CommitAsync(ct);
        log.LogInformation("Control totals of run {RunId} for {BusinessDate} and PG {Pg} recorded in {Ms} ms ({How}; committed after {Wait} ms)",
            runId, date, pg, summed, how, sw.ElapsedMilliseconds);
    }

    /// <summary>Recorded totals plus deltas, per currency (a currency only the deltas name starts from nothing).</summary>
    internal static Dictionary<string, (LedgerSide Ours, PgSide Pg)> Plus(IEnumerable<RunControlTotal> recorded,
        IEnumerable<(string Currency, LedgerSide Ours, PgSide Pg)> deltas)
    {
        var totals = recorded.ToDictionary(t => t.Currency, t => (t.Ours, t.Pg), StringComparer.Ordinal);
        foreach (var d in deltas)
        {
            var (ours, theirs) = totals.GetValueOrDefault(d.Currency, (LedgerSide.Empty, PgSide.Empty));
            totals[d.Currency] = (ours.Plus(d.Ours), theirs.Plus(d.Pg));
        }
        return totals;
    }

    /// <summary>The totals of the date's and PG's latest run that recorded them (runs of a date and PG take turns: ids grow).</summary>
    internal static async Task<List<RunControlTotal>> LastRecordedAsync(OpsDbContext db, DateOnly date, string pg, CancellationToken ct)
    {
        var runs = db.Set<ReconRun>().Where(r => r.Pg == pg).Select(r => r.Id);
        var last = await db.Set<RunControlTotal>().Where(t => t.BusinessDate == date && runs.Contains(t.RunId))
            .OrderByDescending(t => t.RunId).Select(t => (long?)t.RunId).FirstOrDefaultAsync(ct);
        return last is null ? [] : await db.Set<RunControlTotal>().AsNoTracking().Where(t => t.RunId == last).ToListAsync(ct);
    }

    /// <summary>Both ledgers' totals of the date and PG, summed from the day's transactions and lines. On SQLite, given
    /// <paramref name="side"/>, our transactions and the lines in other currencies are summed on a second connection
    /// meanwhile (two cores: 1.4 s → 0.5 s at 1M payments): the caller's transaction holds SQLite's write lock, so that
    /// connection reads the same committed data (WAL) — the caller's own uncommitted writes are never to these tables.</summary>
    internal static async Task<Dictionary<string, (LedgerSide Ours, PgSide Pg)>> SumDayAsync(OpsDbContext db, DateOnly date,
        string pg, CancellationToken ct, IDbContextFactory<OpsDbContext>? side = null)
    {
        if (db.Provider == DatabaseProvider.Postgres)
        {
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
            return Totals(ours, lines.Select(l => (l.Currency,
                new PgSide(l.ApprovalLines, l.Approvals, l.CancelLines, l.Cancels, l.Fee, l.Vat, l.Payout))));
        }
        // SQLite: the ledger currency's lines without GROUP BY (grouping sorted every line of the day in a temporary
        // B-tree: 0.93 s → 0.48 s at 1.1M lines), the other currencies' grouped (few rows to sort).
        async Task<(LedgerSide Ours, List<(string, PgSide)> Other)> OursAndOtherLinesAsync(OpsDbContext on) =>
            (await OursAsync(on, date, pg, ct), await SqliteLinesAsync(on, date, pg, ledgerCurrency: false, ct));
        if (side is null)
        {
            var (ours, other) = await OursAndOtherLinesAsync(db);
            return Totals(ours, (await SqliteLinesAsync(db, date, pg, ledgerCurrency: true, ct)).Concat(other));
        }
        await using var second = await side.CreateDbContextAsync(ct);
        var oursAndOther = Task.Run(() => OursAndOtherLinesAsync(second), ct);
        try
        {
            var ledgerLines = await SqliteLinesAsync(db, date, pg, ledgerCurrency: true, ct);
            var (ours, other) = await oursAndOther;
            return Totals(ours, ledgerLines.Concat(other));
        }
        finally
        {
            await Task.WhenAny(oursAndOther); // the second connection is not disposed under its query
        }
    }

    /// <summary>Totals per currency from our side (ledger currency) and the lines' sums per currency.</summary>
    private static Dictionary<string, (LedgerSide Ours, PgSide Pg)> Totals(LedgerSide ours, IEnumerable<(string Currency, PgSide Pg)> lines)
    {
        var totals = lines.ToDictionary(l => l.Currency, l => (LedgerSide.Empty, l.Pg), StringComparer.Ordinal);
        totals[Money.LedgerCurrency] = (ours, totals.GetValueOrDefault(Money.LedgerCurrency, (LedgerSide.Empty, PgSide.Empty)).Item2);
        return totals;
    }

    /// <summary>SQLite: the day's lines of the PG in the ledger currency (one row, none when it has no line), or in every
    /// other currency (a row per currency), scanned with the day as a filter as pass 1 does.</summary>
    private static async Task<List<(string, PgSide)>> SqliteLinesAsync(OpsDbContext db, DateOnly date, string pg,
        bool ledgerCurrency, CancellationToken ct)
    {
        var dialect = ReconSql.DialectFor(db.Provider);
        const string sums = """
            SUM(CASE WHEN amount >= 0 THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN amount >= 0 THEN amount ELSE 0 END), 0),
            SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END), COALESCE(SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END), 0),
            COALESCE(SUM(fee), 0), COALESCE(SUM(vat), 0), COALESCE(SUM(pay_out_amount), 0)
            """;
        var filter = $"{dialect.ScanFilterColumn("sold_date")} = @date AND {dialect.ScanFilterColumn("pg")} = @pg";
        var sql = ledgerCurrency
            ? $"SELECT @ledger, COUNT(*), {sums} FROM settlement_lines WHERE {filter} AND currency = @ledger"
            : $"SELECT currency, COUNT(*), {sums} FROM settlement_lines WHERE {filter} AND currency <> @ledger GROUP BY currency";
        var rows = await ReconSql.RowsAsync(db, sql, new Dictionary<string, object?>
        {
            ["date"] = dialect.DateValue(date), ["pg"] = pg, ["ledger"] = Money.LedgerCurrency,
        }, ct);
        static long L(object? v) => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
        return rows.Where(r => L(r[1]) > 0)
            .Select(r => ((string)r[0]!, new PgSide(L(r[2]), L(r[3]), L(r[4]), L(r[5]), L(r[6]), L(r[7]), L(r[8]))))
            .ToList();
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
            // Without GROUP BY (it sorted every transaction of the day: 0.49 s → 0.30 s at 1.1M).
            var row = (await ReconSql.RowsAsync(db, $"""
                    SELECT SUM(CASE WHEN kind = @approval THEN 1 ELSE 0 END), SUM(CASE WHEN kind = @approval THEN amount ELSE 0 END),
                           SUM(CASE WHEN kind = @cancel THEN 1 ELSE 0 END), SUM(CASE WHEN kind = @cancel THEN amount ELSE 0 END)
                    FROM payment_transactions WHERE {occurredAt} >= @from AND {occurredAt} < @to AND pg = @pg
                    """,
                new Dictionary<string, object?>
                {
                    ["from"] = dialect.InstantValue(from), ["to"] = dialect.InstantValue(to), ["pg"] = pg,
                    ["approval"] = nameof(TransactionKind.APPROVAL), ["cancel"] = nameof(TransactionKind.CANCEL),
                }, ct)).Single();
            static long L(object? v) => v is null or DBNull ? 0 : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
            byKind = [(TransactionKind.APPROVAL, L(row[0]), L(row[1])), (TransactionKind.CANCEL, L(row[2]), L(row[3]))];
        }
        var approvals = byKind.FirstOrDefault(k => k.Kind == TransactionKind.APPROVAL);
        var cancels = byKind.FirstOrDefault(k => k.Kind == TransactionKind.CANCEL);
        return new LedgerSide(approvals.Count, approvals.Amount, cancels.Count, cancels.Amount);
    }
}
