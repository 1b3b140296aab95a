using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// One check of a date's and PG's recorded control totals against both ledgers (<see cref="ControlTotalsVerifier"/>):
/// when, what it checked (the run whose totals were the last recorded, the deltas still pending) and what it found.
/// A drift is a write that bypassed the write paths (a row edited by hand): the verification wrote the correcting delta,
/// so the next run's totals are the ledgers' sums again. The dashboard's control totals card says "verified at …".
/// </summary>
public sealed class ControlTotalsVerification
{
    private ControlTotalsVerification()
    {
        Pg = "";
    }

    public long Id { get; private set; }
    public DateOnly BusinessDate { get; private set; }
    public string Pg { get; private set; }
    public DateTimeOffset VerifiedAt { get; private set; }
    public VerificationTrigger Trigger { get; private set; }

    /// <summary>The run whose totals were the date's last recorded ones.</summary>
    public long RunId { get; private set; }

    /// <summary>How many deltas were still waiting for the next run (counted in what the totals should be).</summary>
    public int PendingDeltas { get; private set; }

    public VerificationResult Result { get; private set; }

    /// <summary>Our net (KRW) the ledger has beyond the recorded totals plus pending deltas: the correction written.</summary>
    public long OurNetDrift { get; private set; }

    /// <summary>The PG's gross (KRW) the lines have beyond the recorded totals plus pending deltas.</summary>
    public long PgGrossDrift { get; private set; }

    /// <summary>Every field that differed, per currency (null when nothing did).</summary>
    public string? Drift { get; private set; }

    /// <summary>How long the verification took up to its commit (summing the day is most of it).</summary>
    public long DurationMs { get; private set; }

    public bool Drifted => Result == VerificationResult.DRIFT_CORRECTED;

    internal const int DriftMaxLength = 1000;

    internal static ControlTotalsVerification Create(DateOnly date, string pg, DateTimeOffset at, VerificationTrigger trigger,
        long runId, int pending, long ourNetDrift, long pgGrossDrift, string? drift, long durationMs) => new()
    {
        BusinessDate = date,
        Pg = pg,
        VerifiedAt = at,
        Trigger = trigger,
        RunId = runId,
        PendingDeltas = pending,
        Result = drift is null ? VerificationResult.MATCHED : VerificationResult.DRIFT_CORRECTED,
        OurNetDrift = ourNetDrift,
        PgGrossDrift = pgGrossDrift,
        Drift = drift is { Length: > DriftMaxLength } ? drift[..(DriftMaxLength - 1)] + "…" : drift,
        DurationMs = durationMs,
    };
}

public enum VerificationResult
{
    /// <summary>The recorded totals plus the pending deltas equal the ledgers' sums.</summary>
    MATCHED,
    /// <summary>They differed: a correcting delta was written.</summary>
    DRIFT_CORRECTED,
}

public enum VerificationTrigger
{
    /// <summary>Queued after a successful full run (<see cref="ControlTotalsVerificationQueue"/>).</summary>
    AFTER_FULL_RUN,
    /// <summary>Asked for (<c>verify-totals</c>).</summary>
    ON_DEMAND,
}

internal sealed class ControlTotalsVerificationConfiguration : IEntityTypeConfiguration<ControlTotalsVerification>
{
    public void Configure(EntityTypeBuilder<ControlTotalsVerification> b)
    {
        b.ToTable("recon_control_total_verifications");
        b.HasKey(v => v.Id);
        b.Property(v => v.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        b.Property(v => v.Drift).HasMaxLength(ControlTotalsVerification.DriftMaxLength);
        b.Ignore(v => v.Drifted);
        // The dashboard's look-up: the latest verification of a date (and PG).
        b.HasIndex(v => new { v.BusinessDate, v.Pg, v.Id });
    }
}
