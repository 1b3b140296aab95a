using OpsConsole.Core.Common;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// One reconciliation of one PG connection's KST business date (<see cref="Pg"/>): both passes, their timings, counts
/// and amounts by type, and live progress. At most one RUNNING run per (business date, PG) exists (a partial unique
/// index), also across app replicas; the runs of different PGs are independent.
/// </summary>
public sealed class ReconRun
{
    private readonly List<ReconRunTotal> _totals = [];

    private ReconRun()
    {
        RequestedBy = Pg = "";
    }

    public long Id { get; private set; }
    public DateOnly BusinessDate { get; private set; }

    /// <summary>
    /// The PG connection (<see cref="Gateway.PgConnections"/>) whose payments and settlement lines this run compared:
    /// only that PG's payments, lines, findings and change marks take part.
    /// </summary>
    public string Pg { get; private set; }

    public RunTrigger Trigger { get; private set; }
    public string RequestedBy { get; private set; }
    public RunStatus Status { get; private set; }
    public RunPhase Phase { get; private set; }

    /// <summary>0–100, for a progress bar.</summary>
    public int ProgressPercent { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>Refreshed at every phase change; a RUNNING run with an old heartbeat was abandoned.</summary>
    public DateTimeOffset HeartbeatAt { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }
    public long? PullMs { get; private set; }
    public long? Pass1Ms { get; private set; }
    public long? SettleMs { get; private set; }
    public long? Pass2Ms { get; private set; }
    public long? PersistMs { get; private set; }

    /// <summary>Keys that differed in pass 1 (the recheck set of pass 2).</summary>
    public int Pass1Count { get; private set; }

    public int ConfirmedCount { get; private set; }
    public int TransientCount { get; private set; }

    /// <summary>Sum of the money at risk of the confirmed findings (KRW).</summary>
    public long ConfirmedAmount { get; private set; }

    /// <summary>Findings of earlier runs of this date that this run no longer saw.</summary>
    public int AutoResolvedCount { get; private set; }

    public string? Error { get; private set; }

    /// <summary>Approval keys the run learnt from settlement lines before pass 1 (<see cref="ApprovalKeyLearning"/>).</summary>
    public int KeysLearned { get; private set; }

    /// <summary>Approvals still without a key after that step: not compared by key (no single approval line yet).</summary>
    public long KeylessApprovals { get; private set; }

    /// <summary>
    /// Lines of the date whose merchant id has fee contracts, none in force on the line's approval date: not fee-checked
    /// (<see cref="FeeContractTimeline"/>). Null: not counted (a warehouse run).
    /// </summary>
    public long? LinesWithoutContract { get; private set; }
    /// <summary>FULL: the whole date; INCREMENTAL: only the keys that changed since the date's last successful run.</summary>
    public RunScope Scope { get; private set; }

    /// <summary>How many keys an incremental run compared (null for a full run).</summary>
    public int? ComparedKeys { get; private set; }

    /// <summary>
    /// A run that carried findings forward: the date's previous successful run it carried them from. The run saw, besides
    /// the findings of its own sightings, every finding that run saw whose key is not among this run's keys
    /// (<see cref="ReconRunKey"/>, <see cref="RunSightings"/>); no sighting row is written for a carried finding. An
    /// incremental run's keys are those it compared; a full run that carries (<see cref="ReconciliationOptions.CarryUnchangedFindings"/>)
    /// compared every key and its keys are those whose findings it wrote: the keys whose data or state changed.
    /// </summary>
    public long? CarriedFromRunId { get; private set; }

    /// <summary>When the run carried its findings forward (the carried findings' "seen at"); null without a carry.</summary>
    public DateTimeOffset? CarriedAt { get; private set; }

    /// <summary>SHA-256 of the run's rules as SQL: a run whose rules differ from the last successful run's is full.</summary>
    public string? RulesFingerprint { get; private set; }

    /// <summary>Whether the Slack summary was delivered (null: not attempted).</summary>
    public bool? AlertDelivered { get; private set; }

    public IReadOnlyCollection<ReconRunTotal> Totals => _totals.AsReadOnly();

    public TimeSpan? Duration => FinishedAt - StartedAt;

    public static ReconRun Start(DateOnly businessDate, string pg, RunTrigger trigger, string requestedBy, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(requestedBy))
            throw DomainException.BadInput("REQUESTED_BY_REQUIRED", "A run needs the name of who requested it.");
        if (string.IsNullOrWhiteSpace(pg) || pg.Length > Gateway.PgConnections.MaxNameLength)
            throw DomainException.BadInput("PG_REQUIRED", "A run needs the name of its PG connection.");
        return new ReconRun
        {
            BusinessDate = businessDate,
            Pg = pg,
            Trigger = trigger,
            RequestedBy = requestedBy,
            Status = RunStatus.RUNNING,
            Phase = RunPhase.STARTING,
            StartedAt = now,
            HeartbeatAt = now,
        };
    }

    internal void MoveTo(RunPhase phase, int percent, DateTimeOffset now)
    {
        Phase = phase;
        ProgressPercent = percent;
        HeartbeatAt = now;
    }

    internal void RecordPull(long ms) => PullMs = ms;

    internal void RecordKeyLearning(int learned, long remaining)
    {
        KeysLearned = learned;
        KeylessApprovals = remaining;
    }

    internal void RecordLinesWithoutContract(long lines) => LinesWithoutContract = lines;

    internal void RecordScope(RunScope scope, int? comparedKeys, string rulesFingerprint)
    {
        Scope = scope;
        ComparedKeys = comparedKeys;
        RulesFingerprint = rulesFingerprint;
    }

    internal void RecordPass1(long ms, int differingKeys)
    {
        Pass1Ms = ms;
        Pass1Count = differingKeys;
    }

    internal void RecordSettle(long ms) => SettleMs = ms;

    internal void RecordPass2(long ms) => Pass2Ms = ms;

    internal void Succeed(long persistMs, int confirmed, int transient, long confirmedAmount, int autoResolved,
        DateTimeOffset now)
    {
        PersistMs = persistMs;
        ConfirmedCount = confirmed;
        TransientCount = transient;
        ConfirmedAmount = confirmedAmount;
        AutoResolvedCount = autoResolved;
        Status = RunStatus.SUCCEEDED;
        MoveTo(RunPhase.DONE, 100, now);
        FinishedAt = now;
    }

    internal void Fail(string error, DateTimeOffset now)
    {
        Status = RunStatus.FAILED;
        Error = error.Length > 4000 ? error[..4000] : error;
        HeartbeatAt = now;
        FinishedAt = now;
    }

    internal void RecordAlert(bool delivered) => AlertDelivered = delivered;

    internal void Abandon(DateTimeOffset now)
    {
        Status = RunStatus.FAILED;
        Error = $"Abandoned: no heartbeat since {HeartbeatAt:O} (the process running it stopped).";
        FinishedAt = now;
    }
}

/// <summary>Counts and amounts of one finding type in one run.</summary>
public sealed class ReconRunTotal
{
    public long RunId { get; private set; }
    public FindingType FindingType { get; private set; }
    public int ConfirmedCount { get; private set; }
    public long ConfirmedAmount { get; private set; }
    public int TransientCount { get; private set; }
}
