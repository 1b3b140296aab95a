using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Both ledgers' totals of a run's business date in one currency, as the run saw them right after it persisted its
/// findings (<see cref="ControlTotalsRecorder"/>): our transactions (approvals and cancels, count and amount) and the
/// PG's settlement lines of that sold date (approval and cancel lines, fees, VAT, payout). Stored with the run so the
/// dashboard reads a handful of rows instead of summing millions; amounts are minor units of <see cref="Currency"/>,
/// cancels positive here.
/// </summary>
public sealed class RunControlTotal
{
    private RunControlTotal()
    {
        Currency = "";
    }

    public long RunId { get; private set; }
    public DateOnly BusinessDate { get; private set; }
    public string Currency { get; private set; }

    public long OurApprovalCount { get; private set; }
    public long OurApprovalAmount { get; private set; }
    public long OurCancelCount { get; private set; }
    public long OurCancelAmount { get; private set; }

    public long PgApprovalLineCount { get; private set; }
    public long PgApprovalAmount { get; private set; }
    public long PgCancelLineCount { get; private set; }
    public long PgCancelAmount { get; private set; }

    /// <summary>The PG's fees (VAT included, as the PG reports them: 860 = 782 + 78).</summary>
    public long PgFee { get; private set; }

    public long PgVat { get; private set; }
    public long PgPayout { get; private set; }

    internal static RunControlTotal Create(long runId, DateOnly date, string currency, LedgerSide ours, PgSide pg) => new()
    {
        RunId = runId,
        BusinessDate = date,
        Currency = currency,
        OurApprovalCount = ours.ApprovalCount,
        OurApprovalAmount = ours.ApprovalAmount,
        OurCancelCount = ours.CancelCount,
        OurCancelAmount = ours.CancelAmount,
        PgApprovalLineCount = pg.ApprovalLineCount,
        PgApprovalAmount = pg.ApprovalAmount,
        PgCancelLineCount = pg.CancelLineCount,
        PgCancelAmount = pg.CancelAmount,
        PgFee = pg.Fee,
        PgVat = pg.Vat,
        PgPayout = pg.Payout,
    };

    /// <summary>For bulk loaders (benchmarks) that write runs without running them.</summary>
    public static RunControlTotal ForLoad(long runId, DateOnly date, string currency, LedgerSide ours, PgSide pg) =>
        Create(runId, date, currency, ours, pg);

    public LedgerSide Ours => new(OurApprovalCount, OurApprovalAmount, OurCancelCount, OurCancelAmount);

    public PgSide Pg => new(PgApprovalLineCount, PgApprovalAmount, PgCancelLineCount, PgCancelAmount, PgFee, PgVat, PgPayout);
}

/// <summary>Our ledger's transactions of a date: approvals and cancels (amounts positive).</summary>
public sealed record LedgerSide(long ApprovalCount, long ApprovalAmount, long CancelCount, long CancelAmount)
{
    public static readonly LedgerSide Empty = new(0, 0, 0, 0);
    public long Count => ApprovalCount + CancelCount;
    public long Net => ApprovalAmount - CancelAmount;
    public LedgerSide Plus(LedgerSide o) => new(ApprovalCount + o.ApprovalCount, ApprovalAmount + o.ApprovalAmount,
        CancelCount + o.CancelCount, CancelAmount + o.CancelAmount);
    public LedgerSide Minus(LedgerSide o) => new(ApprovalCount - o.ApprovalCount, ApprovalAmount - o.ApprovalAmount,
        CancelCount - o.CancelCount, CancelAmount - o.CancelAmount);
}

/// <summary>The PG's settlement lines of a sold date: approval and cancel lines (amounts positive), fees, VAT, payout.</summary>
public sealed record PgSide(long ApprovalLineCount, long ApprovalAmount, long CancelLineCount, long CancelAmount,
    long Fee, long Vat, long Payout)
{
    public static readonly PgSide Empty = new(0, 0, 0, 0, 0, 0, 0);
    public long LineCount => ApprovalLineCount + CancelLineCount;

    /// <summary>What the PG sold: approvals minus cancels, before fees (the side reconciliation compares with ours).</summary>
    public long Gross => ApprovalAmount - CancelAmount;

    public PgSide Plus(PgSide o) => new(ApprovalLineCount + o.ApprovalLineCount, ApprovalAmount + o.ApprovalAmount,
        CancelLineCount + o.CancelLineCount, CancelAmount + o.CancelAmount, Fee + o.Fee, Vat + o.Vat, Payout + o.Payout);

    public PgSide Minus(PgSide o) => new(ApprovalLineCount - o.ApprovalLineCount, ApprovalAmount - o.ApprovalAmount,
        CancelLineCount - o.CancelLineCount, CancelAmount - o.CancelAmount, Fee - o.Fee, Vat - o.Vat, Payout - o.Payout);
}

internal sealed class RunControlTotalConfiguration : IEntityTypeConfiguration<RunControlTotal>
{
    public void Configure(EntityTypeBuilder<RunControlTotal> b)
    {
        b.ToTable("recon_run_control_totals");
        b.HasKey(t => new { t.RunId, t.Currency });
        b.Property(t => t.Currency).HasMaxLength(3);
        b.HasOne<ReconRun>().WithMany().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.Cascade);
        b.Ignore(t => t.Ours);
        b.Ignore(t => t.Pg);
    }
}

/// <summary>
/// The few findings whose PG lines were sold on another date than their own business date (a DATE_MISMATCH): the
/// control totals of the sold date look them up by it (<see cref="ControlTotalsQuery"/>).
/// </summary>
internal sealed class FindingSoldDateIndexConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> b) =>
        b.HasIndex(f => f.ExternalSoldDate, "other_sold_date").HasFilter("external_sold_date <> business_date")
            .HasDatabaseName("ix_recon_findings_other_sold_date");
}
