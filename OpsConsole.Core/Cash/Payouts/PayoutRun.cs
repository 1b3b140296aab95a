using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>
/// One reconciliation of PG payouts against bank deposits over a range of payout dates: both passes, timings and
/// counts. At most one payout run is RUNNING at a time (a partial unique index), also across replicas. Its findings
/// are rows of <c>recon_findings</c> with the payout types (<see cref="FindingTypes.Payout"/>) whose run ids are
/// <see cref="FindingRunId"/> (negative: never a settlement run's id).
/// </summary>
public sealed class PayoutRun
{
    private PayoutRun()
    {
        RequestedBy = "";
    }

    public long Id { get; private set; }

    /// <summary>First and last expected payout date (KST) reconciled.</summary>
    public DateOnly FromDate { get; private set; }

    public DateOnly ToDate { get; private set; }

    /// <summary>The KST date the run judged "not received by its deadline" against (today when it ran).</summary>
    public DateOnly AsOfDate { get; private set; }

    public RunTrigger Trigger { get; private set; }
    public string RequestedBy { get; private set; }
    public RunStatus Status { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public long? Pass1Ms { get; private set; }
    public long? Pass2Ms { get; private set; }
    public long? PersistMs { get; private set; }

    /// <summary>Expected payouts (days with a positive amount) in the range and their sum.</summary>
    public int ExpectedCount { get; private set; }

    public long ExpectedAmount { get; private set; }

    /// <summary>Deposits recognised as PG payouts booked in the range and their sum.</summary>
    public int DepositCount { get; private set; }

    public long DepositAmount { get; private set; }
    public int Pass1Count { get; private set; }
    public int ConfirmedCount { get; private set; }
    public int TransientCount { get; private set; }
    public long ConfirmedAmount { get; private set; }
    public int AutoResolvedCount { get; private set; }
    public string? Error { get; private set; }
    public bool? AlertDelivered { get; private set; }

    /// <summary>The run id stored in <see cref="Finding.FirstRunId"/>/<see cref="Finding.LastRunId"/>: −<see cref="Id"/>.</summary>
    public long FindingRunId => -Id;

    public static PayoutRun Start(DateOnly from, DateOnly to, DateOnly asOf, RunTrigger trigger, string requestedBy,
        DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(requestedBy))
            throw DomainException.BadInput("REQUESTED_BY_REQUIRED", "A run needs the name of who requested it.");
        if (to < from)
            throw DomainException.BadInput("BAD_RANGE", $"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}.");
        if (to.DayNumber - from.DayNumber > 366)
            throw DomainException.BadInput("BAD_RANGE", "A payout run covers at most 366 days.");
        return new PayoutRun
        {
            FromDate = from, ToDate = to, AsOfDate = asOf, Trigger = trigger, RequestedBy = requestedBy,
            Status = RunStatus.RUNNING, StartedAt = now,
        };
    }

    internal void RecordPass1(long ms, int findings)
    {
        Pass1Ms = ms;
        Pass1Count = findings;
    }

    internal void RecordPass2(long ms) => Pass2Ms = ms;

    internal void Succeed(long persistMs, PayoutRunCounts counts, DateTimeOffset now)
    {
        PersistMs = persistMs;
        ExpectedCount = counts.ExpectedCount;
        ExpectedAmount = counts.ExpectedAmount;
        DepositCount = counts.DepositCount;
        DepositAmount = counts.DepositAmount;
        ConfirmedCount = counts.Confirmed;
        ConfirmedAmount = counts.ConfirmedAmount;
        TransientCount = counts.Transient;
        AutoResolvedCount = counts.AutoResolved;
        Status = RunStatus.SUCCEEDED;
        FinishedAt = now;
    }

    internal void Fail(string error, DateTimeOffset now)
    {
        Status = RunStatus.FAILED;
        Error = error.Length > 4000 ? error[..4000] : error;
        FinishedAt = now;
    }

    internal void RecordAlert(bool delivered) => AlertDelivered = delivered;
}

internal sealed record PayoutRunCounts(int ExpectedCount, long ExpectedAmount, int DepositCount, long DepositAmount,
    int Confirmed, long ConfirmedAmount, int Transient, int AutoResolved);
