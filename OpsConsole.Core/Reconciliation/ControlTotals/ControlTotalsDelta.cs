using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// What one write changed in a business date's control totals (<see cref="RunControlTotal"/>), written in the transaction
/// of the change by the same write paths that mark changed keys (<see cref="ReconChangeTracking"/>): the payment core's
/// transactions (added, removed, or with a changed amount, kind or time) and the settlement lines (added, superseded).
/// An incremental run records the date's totals as the last recorded totals plus these deltas, and consumes them in the
/// same transaction (<see cref="ControlTotalsRecorder"/>), so its totals cost what changed instead of a scan of the day;
/// so does a full run of a date that has recorded totals (only the first run of a date and PG sums the day), consuming
/// them in the same snapshot. A write that bypassed the write paths has no delta: the <see cref="ControlTotalsVerifier"/>
/// finds it and adds the correcting delta. Amounts are minor units, cancels positive (as in
/// <see cref="RunControlTotal"/>); a removal is a negative delta.
/// </summary>
public sealed class ControlTotalsDelta
{
    private ControlTotalsDelta()
    {
        Currency = "";
        Pg = "";
    }

    public long Id { get; private set; }
    public DateOnly BusinessDate { get; private set; }
    /// <summary>The PG connection of the transaction or line (<see cref="ReconRun.Pg"/>): totals are per date and PG.</summary>
    public string Pg { get; private set; }
    public string Currency { get; private set; }
    public long OurApprovalCount { get; private set; }
    public long OurApprovalAmount { get; private set; }
    public long OurCancelCount { get; private set; }
    public long OurCancelAmount { get; private set; }
    public long PgApprovalLineCount { get; private set; }
    public long PgApprovalAmount { get; private set; }
    public long PgCancelLineCount { get; private set; }
    public long PgCancelAmount { get; private set; }
    public long PgFee { get; private set; }
    public long PgVat { get; private set; }
    public long PgPayout { get; private set; }

    public const string Table = "recon_control_total_deltas";

    private const string Columns = "business_date, pg, currency, our_approval_count, our_approval_amount, our_cancel_count, " +
                                   "our_cancel_amount, pg_approval_line_count, pg_approval_amount, pg_cancel_line_count, " +
                                   "pg_cancel_amount, pg_fee, pg_vat, pg_payout";

    /// <summary>Adds (to be saved with the caller's changes) our transactions' deltas: <paramref name="sign"/> +1 for a
    /// transaction that now counts, −1 for one that no longer does (its original values).</summary>
    internal static void AddTransactions(OpsDbContext db,
        IEnumerable<(DateTimeOffset OccurredAt, string Pg, TransactionKind Kind, long Amount, int Sign)> changes)
    {
        foreach (var g in changes.GroupBy(c => (Date: BusinessCalendar.BusinessDateOf(c.OccurredAt), c.Pg)))
        {
            var approvals = g.Where(c => c.Kind == TransactionKind.APPROVAL).ToList();
            var cancels = g.Where(c => c.Kind == TransactionKind.CANCEL).ToList();
            var d = new ControlTotalsDelta
            {
                BusinessDate = g.Key.Date,
                Pg = g.Key.Pg,
                Currency = Money.LedgerCurrency,
                OurApprovalCount = approvals.Sum(c => (long)c.Sign),
                OurApprovalAmount = approvals.Sum(c => c.Sign * c.Amount),
                OurCancelCount = cancels.Sum(c => (long)c.Sign),
                OurCancelAmount = cancels.Sum(c => c.Sign * c.Amount),
            };
            if (d.OurApprovalCount != 0 || d.OurApprovalAmount != 0 || d.OurCancelCount != 0 || d.OurCancelAmount != 0)
                db.Add(d);
        }
    }

    /// <summary>Adds (to be saved with the caller's changes) the deltas of new settlement lines.</summary>
    internal static void AddLines(OpsDbContext db, IEnumerable<SettlementLine> lines)
    {
        foreach (var g in lines.GroupBy(l => (l.SoldDate, l.Pg, l.Currency)))
            db.Add(new ControlTotalsDelta
            {
                BusinessDate = g.Key.SoldDate,
                Pg = g.Key.Pg,
                Currency = g.Key.Currency,
                PgApprovalLineCount = g.LongCount(l => l.Amount >= 0),
                PgApprovalAmount = g.Sum(l => l.Amount >= 0 ? l.Amount : 0),
                PgCancelLineCount = g.LongCount(l => l.Amount < 0),
                PgCancelAmount = g.Sum(l => l.Amount < 0 ? -l.Amount : 0),
                PgFee = g.Sum(l => l.Fee),
                PgVat = g.Sum(l => l.Vat),
                PgPayout = g.Sum(l => l.PayOutAmount),
            });
    }

    /// <summary>Set-based: the deltas of the lines <paramref name="from"/> (a table and its filter) selects, per sold date
    /// PG and currency, with <paramref name="sign"/> −1 for lines about to be deleted and +1 for lines about to be added;
    /// <paramref name="pg"/> is the lines' PG as SQL (their <c>pg</c> column, or a literal for staged lines).</summary>
    internal static string LinesSql(string from, int sign, string pg = "pg")
    {
        var s = sign < 0 ? "-" : "";
        return $"""
            INSERT INTO {Table} ({Columns})
            SELECT sold_date, {pg}, currency, 0, 0, 0, 0,
                   {s}SUM(CASE WHEN amount >= 0 THEN 1 ELSE 0 END), {s}SUM(CASE WHEN amount >= 0 THEN amount ELSE 0 END),
                   {s}SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END), {s}SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END),
                   {s}SUM(fee), {s}SUM(vat), {s}SUM(pay_out_amount)
            FROM {from}
            GROUP BY sold_date, currency{(pg == "pg" ? ", pg" : "")}
            """;
    }

    /// <summary>Adds (to be saved with the caller's changes) the correction a <see cref="ControlTotalsVerifier"/> found: the
    /// ledgers' sums minus the recorded totals and the pending deltas, so that the next run's totals are the sums again.</summary>
    internal static void AddCorrection(OpsDbContext db, DateOnly date, string pg, string currency, LedgerSide ours, PgSide theirs) =>
        db.Add(new ControlTotalsDelta
        {
            BusinessDate = date,
            Pg = pg,
            Currency = currency,
            OurApprovalCount = ours.ApprovalCount,
            OurApprovalAmount = ours.ApprovalAmount,
            OurCancelCount = ours.CancelCount,
            OurCancelAmount = ours.CancelAmount,
            PgApprovalLineCount = theirs.ApprovalLineCount,
            PgApprovalAmount = theirs.ApprovalAmount,
            PgCancelLineCount = theirs.CancelLineCount,
            PgCancelAmount = theirs.CancelAmount,
            PgFee = theirs.Fee,
            PgVat = theirs.Vat,
            PgPayout = theirs.Payout,
        });

    /// <summary>The deltas of <c>@date</c> and <c>@pg</c> still waiting for a run (read, not consumed: <see cref="ControlTotalsVerifier"/>).</summary>
    internal static string PendingSql() => $"SELECT {Columns} FROM {Table} WHERE business_date = @date AND pg = @pg";

    /// <summary>Deletes the deltas of <c>@date</c> and <c>@pg</c> and returns their sums per currency (one statement: a delta committed
    /// meanwhile is either returned here or left for the next run, never both).</summary>
    internal static string ConsumeSql() => $"DELETE FROM {Table} WHERE business_date = @date AND pg = @pg RETURNING {Columns}";

    internal static (string Currency, LedgerSide Ours, PgSide Pg) Read(object?[] row) => (
        (string)row[2]!,
        new LedgerSide(L(row[3]), L(row[4]), L(row[5]), L(row[6])),
        new PgSide(L(row[7]), L(row[8]), L(row[9]), L(row[10]), L(row[11]), L(row[12]), L(row[13])));

    private static long L(object? v) => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class ControlTotalsDeltaConfiguration : IEntityTypeConfiguration<ControlTotalsDelta>
{
    public void Configure(EntityTypeBuilder<ControlTotalsDelta> b)
    {
        b.ToTable(ControlTotalsDelta.Table);
        b.HasKey(d => d.Id);
        b.Property(d => d.Currency).HasMaxLength(3);
        b.Property(d => d.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        b.HasIndex(d => new { d.BusinessDate, d.Pg });
    }
}
