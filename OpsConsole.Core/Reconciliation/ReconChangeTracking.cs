using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Which transaction keys changed since a business date was last reconciled (<see cref="ReconDirtyKey"/>), so that a
/// re-run compares only those (<see cref="RunScope.INCREMENTAL"/>). Marked in the transaction of the change itself:
/// <list type="bullet">
/// <item>the payment core — every <see cref="PaymentTransaction"/> added, changed or removed and every
/// <see cref="Payment"/> whose status or trace id changed, whatever code path saved it (<see cref="Interceptor"/>, an EF
/// save interceptor on every context: PaymentService, the janitor, repairs, seeds);</item>
/// <item>ingestion — <see cref="SettlementLineWriter"/>: lines added, and of a superseded statement only the keys whose
/// lines really differ (a re-pull of an unchanged day marks nothing).</item>
/// </list>
/// A key is marked for every date whose run can see it: the business date of its transaction, the sold date of each of
/// its lines (before and after the change) and the date of its open findings — pass 2 compares a key across dates, so a
/// line filed under the next day changes the finding of the transaction's day too. A payment's change marks the keys of
/// its transactions and of the PG lines that carry its payment key (CHARGED_BUT_FAILED depends on its status).
/// What no mark can see: a change of the rules or the fee schedule — a run whose rules differ from the last successful
/// run's is full (<see cref="ReconRun.RulesFingerprint"/>).
/// </summary>
public static class ReconChangeTracking
{
    private const int Chunk = 500;

    /// <summary>The EF interceptor that marks the payment core's changes (registered on every context).</summary>
    public static readonly SaveChangesInterceptor Interceptor = new PaymentChangeInterceptor();

    private static readonly string[] Unresolved = [nameof(FindingStatus.OPEN), nameof(FindingStatus.ACKNOWLEDGED)];

    /// <summary>
    /// Adds marks (to be saved with the caller's changes) for <paramref name="keys"/> on every (date, PG) whose run can
    /// see them, plus the known <paramref name="rows"/> (e.g. the sold dates of deleted lines); <paramref name="paymentKeys"/>
    /// adds the keys of those payments' transactions and lines. A key is marked for the PG of each row that carries it
    /// (our transaction's payment's PG, a line's PG, a finding's PG): the run of one PG never claims another's marks.
    /// </summary>
    public static async Task MarkAsync(OpsDbContext db, IEnumerable<string> keys,
        IEnumerable<(DateOnly Date, string Pg, string Key)> rows, IEnumerable<string>? paymentKeys, CancellationToken ct)
    {
        var marks = new HashSet<(DateOnly, string, string)>(rows);
        var all = new HashSet<string>(keys, StringComparer.Ordinal);
        foreach (var (_, _, key) in marks) all.Add(key);
        foreach (var chunk in (paymentKeys ?? []).Distinct(StringComparer.Ordinal).Chunk(Chunk))
        {
            foreach (var t in await db.Set<PaymentTransaction>().AsNoTracking().Where(t => chunk.Contains(t.PaymentKey))
                         .Select(t => new { t.TransactionKey, t.Pg, t.OccurredAt }).ToListAsync(ct))
            {
                if (t.TransactionKey is null) continue; // a keyless approval: its learnt key makes that run full
                all.Add(t.TransactionKey);
                marks.Add((BusinessCalendar.BusinessDateOf(t.OccurredAt), t.Pg, t.TransactionKey));
            }
            foreach (var l in await db.Set<SettlementLine>().AsNoTracking().Where(l => chunk.Contains(l.PaymentKey))
                         .Select(l => new { l.TransactionKey, l.SoldDate }).ToListAsync(ct))
                all.Add(l.TransactionKey);
        }
        foreach (var chunk in all.Chunk(Chunk))
        {
            foreach (var t in await db.Set<PaymentTransaction>().AsNoTracking().Where(t => chunk.Contains(t.TransactionKey))
                         .Select(t => new { t.TransactionKey, t.Pg, t.OccurredAt }).ToListAsync(ct))
                marks.Add((BusinessCalendar.BusinessDateOf(t.OccurredAt), t.Pg, t.TransactionKey!));
            foreach (var l in await db.Set<SettlementLine>().AsNoTracking().Where(l => chunk.Contains(l.TransactionKey))
                         .Select(l => new { l.TransactionKey, l.Pg, l.SoldDate }).Distinct().ToListAsync(ct))
                marks.Add((l.SoldDate, l.Pg, l.TransactionKey));
            foreach (var f in await db.Set<Finding>().AsNoTracking()
                         .Where(f => chunk.Contains(f.TransactionKey)
                                     && (f.Status == FindingStatus.OPEN || f.Status == FindingStatus.ACKNOWLEDGED))
                         .Select(f => new { f.TransactionKey, f.Pg, f.BusinessDate }).ToListAsync(ct))
                marks.Add((f.BusinessDate, f.Pg, f.TransactionKey));
        }
        db.Set<ReconDirtyKey>().AddRange(marks.Select(m => ReconDirtyKey.For(m.Item1, m.Item2, m.Item3)));
    }

    /// <summary>
    /// Set-based, for a statement streamed into <see cref="SettlementStaging"/> that supersedes the stored lines of
    /// <paramref name="soldDates"/> (run before the old lines are deleted): marks the keys whose lines differ between
    /// the stored statement and the new one — compared as multisets of the fields reconciliation reads — on every date
    /// their run can see them.
    /// </summary>
    public static string MarkSupersededSql(IReconSqlDialect dialect, IReadOnlyCollection<DateOnly> soldDates, string pg)
    {
        var dates = string.Join(", ", soldDates.Select(d => dialect.Text(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))));
        // The compared fields a CSV file can carry (its staging table has no fee breakdown or card details).
        const string fields = "transaction_key, payment_key, order_id, method, amount, fee, sold_date, approved_at, currency, m_id, vat";
        var unresolved = string.Join(", ", Unresolved.Select(dialect.Text));
        return $"""
            WITH o AS (
              SELECT {fields}, COUNT(*) AS n FROM settlement_lines WHERE sold_date IN ({dates}) AND pg = {dialect.Text(pg)} GROUP BY {fields}
            ),
            s AS (
              SELECT {fields}, COUNT(*) AS n FROM {SettlementStaging.Table} GROUP BY {fields}
            ),
            ch AS (
              SELECT transaction_key AS k FROM (SELECT * FROM o EXCEPT SELECT * FROM s) a
              UNION
              SELECT transaction_key FROM (SELECT * FROM s EXCEPT SELECT * FROM o) b
            )
            INSERT INTO recon_dirty_keys (business_date, pg, transaction_key)
            SELECT DISTINCT d, p, k FROM (
              SELECT l.sold_date AS d, l.pg AS p, l.transaction_key AS k FROM settlement_lines l WHERE l.transaction_key IN (SELECT k FROM ch)
              UNION ALL
              SELECT st.sold_date, {dialect.Text(pg)}, st.transaction_key FROM {SettlementStaging.Table} st WHERE st.transaction_key IN (SELECT k FROM ch)
              UNION ALL
              SELECT {dialect.KstDate("t.occurred_at")}, t.pg, t.transaction_key FROM payment_transactions t WHERE t.transaction_key IN (SELECT k FROM ch)
              UNION ALL
              SELECT f.business_date, f.pg, f.transaction_key FROM recon_findings f
              WHERE f.transaction_key IN (SELECT k FROM ch) AND f.status IN ({unresolved})
            ) x
            """;
    }

    /// <summary>
    /// A full run of <c>@date</c> and PG <c>@pg</c> covers every key: it only clears that PG's marks of the date.
    /// </summary>
    public static string ClearSql() => "DELETE FROM recon_dirty_keys WHERE business_date = @date AND pg = @pg";

    /// <summary>
    /// A run of <c>@date</c> and PG <c>@pg</c> (run <c>@run</c>) that carries from <c>@base</c> claims that PG's marks of the date
    /// as its keys, together with the keys claimed by runs of the date that failed after <c>@base</c>, and deletes the marks.
    /// The findings <c>@base</c> saw are <b>carried forward</b> (<see cref="ReconciliationSqlGenerator.MarkCarried"/>), not
    /// compared again: a key that no mark reached has the same data as when <c>@base</c> compared it, so a comparison would
    /// give the same verdict and evidence. A finding whose state is not what <c>@base</c> left was changed by a run of
    /// another date, which marks its key (<see cref="ReconciliationSqlGenerator"/>'s MovedFindingsMark), or by hand. A
    /// <b>full</b> run that carries (<paramref name="incremental"/> false) also compares those again without a mark, so that
    /// a full run sees every change, as it sees a row edited by hand: the date's open (or acknowledged) settlement findings
    /// that <c>@base</c> did not leave open and confirmed, and the findings <c>@base</c> saw whose status no longer matches
    /// their verdict. An incremental run does not read them: that reads every open finding of the date (122 ms of a 0.23 s
    /// run at 10M payments), whatever changed. PostgreSQL claims in one statement, so a mark committed meanwhile is neither
    /// lost nor claimed twice; SQLite's write transactions are serial (two statements, one transaction).
    /// </summary>
    public static IReadOnlyList<string> ClaimSql(IReconSqlDialect dialect, bool incremental)
    {
        var failed = $"""
            SELECT rk.transaction_key FROM recon_run_keys rk JOIN recon_runs r ON r.id = rk.run_id
            WHERE r.business_date = @date AND r.pg = @pg AND r.status = {dialect.Text(nameof(RunStatus.FAILED))} AND r.id > @base
            """;
        var unresolved = string.Join(", ", Unresolved.Select(dialect.Text));
        var settlement = string.Join(", ", FindingTypes.Settlement.Select(t => dialect.Text(t.ToString())));
        var confirmed = dialect.Text(nameof(FindingVerdict.CONFIRMED));
        // The base saw a finding when a run of its chain (the base, the run it carried from, …: RunSightings) last compared
        // and saw it — an incremental run carries the findings of the keys it did not compare without touching their rows,
        // so their last run stays the run that compared them — and no later run of the chain compared its key.
        var chain = "RECURSIVE " + RunSightings.ChainCte("recon_runs", "@base");
        // An open, confirmed finding whose last run is of the chain was seen by the base: had a later run of the chain
        // compared its key without seeing it, that run would have resolved it.
        var open = $"""
            SELECT f.transaction_key FROM recon_findings f LEFT JOIN {FindingConfiguration.LastSeenTable} ls ON ls.finding_id = f.id
            WHERE f.business_date = @date AND f.pg = @pg AND f.status IN ({unresolved}) AND f.type IN ({settlement})
              AND NOT (f.verdict = {confirmed} AND COALESCE(ls.last_run_id, 0) IN (SELECT id FROM chain))
            """;
        // A finding the base saw that a run of another date saw since was marked by that run (its key, for this date:
        // ReconciliationSqlGenerator.MovedFindingsMark), so only the base's findings whose status no longer matches their
        // verdict are looked for here: through the narrow last-seen rows of the chain, not its sightings.
        var moved = $"""
            SELECT f.transaction_key FROM {FindingConfiguration.LastSeenTable} ls JOIN recon_findings f ON f.id = ls.finding_id
            WHERE ls.last_run_id IN (SELECT id FROM chain) AND f.pg = @pg AND f.type IN ({settlement})
              AND ((f.verdict = {confirmed} AND f.status = {dialect.Text(nameof(FindingStatus.AUTO_RESOLVED))})
                   OR (f.verdict <> {confirmed} AND f.status IN ({unresolved})))
              AND {RunSightings.NotComparedLaterSql("recon_run_keys", "ls.last_run_id", "f.transaction_key")}
            """;
        // An incremental run takes only what was marked; a full run that carries also the states above (see the summary).
        var ctes = incremental ? new List<string>() : [chain];
        var postgres = dialect is PostgresReconDialect;
        if (postgres) ctes.Add("d AS (DELETE FROM recon_dirty_keys WHERE business_date = @date AND pg = @pg RETURNING transaction_key)");
        var marks = postgres ? "SELECT transaction_key AS k FROM d"
            : "SELECT transaction_key AS k FROM recon_dirty_keys WHERE business_date = @date AND pg = @pg";
        var keys = string.Join(" UNION ", incremental ? [marks, failed] : new[] { marks, failed, open, moved });
        var claim = $"""
            {(ctes.Count > 0 ? "WITH " + string.Join(",\n", ctes) : "")}
            INSERT INTO recon_run_keys (run_id, transaction_key)
            SELECT @run, k FROM ({keys}) x
            """;
        // PostgreSQL claims and deletes the marks in one statement; SQLite's write transactions are serial.
        return postgres ? [claim] : [claim, ClearSql()];
    }

    /// <summary>Marks what the payment core changed in this save (see <see cref="ReconChangeTracking"/>).</summary>
    private static async Task MarkPaymentChangesAsync(OpsDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var rows = new HashSet<(DateOnly, string, string)>();
        var payments = new HashSet<string>(StringComparer.Ordinal);
        var totals = new List<(DateTimeOffset, string, TransactionKind, long, int)>();
        foreach (var e in db.ChangeTracker.Entries<PaymentTransaction>())
        {
            if (e.State is not (EntityState.Added or EntityState.Deleted or EntityState.Modified)) continue;
            // The date's control totals move with the transaction (ControlTotalsDelta): its old values out, its new in.
            var moved = e.State == EntityState.Modified && (e.Property(t => t.Amount).IsModified
                                                            || e.Property(t => t.Kind).IsModified || e.Property(t => t.OccurredAt).IsModified);
            if (e.State == EntityState.Deleted || moved)
                totals.Add((e.Property(t => t.OccurredAt).OriginalValue, e.Property(t => t.Pg).OriginalValue, e.Property(t => t.Kind).OriginalValue,
                    e.Property(t => t.Amount).OriginalValue, -1));
            if (e.State == EntityState.Added || moved)
                totals.Add((e.Entity.OccurredAt, e.Entity.Pg, e.Entity.Kind, e.Entity.Amount, +1));
            if (e.Entity.TransactionKey is { } key)
                rows.Add((BusinessCalendar.BusinessDateOf(e.Entity.OccurredAt), e.Entity.Pg, key));
            if (e.State == EntityState.Modified && e.Property(t => t.TransactionKey).OriginalValue is { } originalKey)
                rows.Add((BusinessCalendar.BusinessDateOf(e.Property(t => t.OccurredAt).OriginalValue), e.Entity.Pg, originalKey));
        }
        foreach (var e in db.ChangeTracker.Entries<Payment>())
            if (e.State is EntityState.Added or EntityState.Deleted || (e.State == EntityState.Modified && Changed(e)))
                payments.Add(e.Entity.PaymentKey);
        ControlTotals.ControlTotalsDelta.AddTransactions(db, totals);
        if (rows.Count == 0 && payments.Count == 0) return;
        await MarkAsync(db, keys, rows, payments, ct);
    }

    private static bool Changed(EntityEntry<Payment> e) =>
        e.Property(p => p.Status).IsModified || e.Property(p => p.TraceId).IsModified;

    private sealed class PaymentChangeInterceptor : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            if (eventData.Context is OpsDbContext db) MarkPaymentChangesAsync(db, CancellationToken.None).GetAwaiter().GetResult();
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is OpsDbContext db) await MarkPaymentChangesAsync(db, cancellationToken);
            return result;
        }
    }
}
