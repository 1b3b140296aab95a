using System.Linq.Expressions;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// One discrepancy between the ledgers, identified by (<see cref="Pg"/>, <see cref="TransactionKey"/>, <see cref="Type"/>):
/// re-running a date updates the same finding and records a <see cref="FindingSighting"/>, never a
/// duplicate. Holds both sides' values as last seen, the differing fields and the money at risk.
/// Written set-based by the engine; people change it through <see cref="FindingService"/>.
/// </summary>
public sealed class Finding
{
    private readonly List<FindingNote> _notes = [];

    private Finding()
    {
        TransactionKey = PaymentKey = OrderId = DiffFields = Pg = "";
    }

    public long Id { get; private set; }

    /// <summary>The PG connection whose run found it (<see cref="ReconRun.Pg"/>): the same key at two PGs is two findings.</summary>
    public string Pg { get; private set; }

    public string TransactionKey { get; private set; }
    public FindingType Type { get; private set; }

    /// <summary>KST business date: our transaction's date, or the PG's soldDate when we have none.</summary>
    public DateOnly BusinessDate { get; private set; }

    public FindingVerdict Verdict { get; private set; }
    public FindingStatus Status { get; private set; }

    /// <summary>The type pass 1 saw (may differ: e.g. MISSING_EXTERNAL that became DATE_MISMATCH).</summary>
    public FindingType? Pass1Type { get; private set; }

    /// <summary>Why the recheck dropped it (TRANSIENT only).</summary>
    public string? TransientReason { get; private set; }

    public string PaymentKey { get; private set; }
    public string OrderId { get; private set; }
    public string? TraceId { get; private set; }

    /// <summary>Our payment's status (for CHARGED_BUT_FAILED: ABORTED, EXPIRED or UNKNOWN).</summary>
    public PaymentStatus? PaymentStatus { get; private set; }

    // Internal ledger side (null when we have no transaction).
    public TransactionKind? InternalKind { get; private set; }

    /// <summary>Signed like the PG: cancels negative.</summary>
    public long? InternalAmount { get; private set; }

    public PaymentMethod? InternalMethod { get; private set; }
    public DateOnly? InternalBusinessDate { get; private set; }
    public DateTimeOffset? InternalOccurredAt { get; private set; }

    // External ledger side (null/0 when the PG reports nothing).
    public int ExternalLineCount { get; private set; }

    /// <summary>Amount of one line (the smallest when the PG reported several).</summary>
    public long? ExternalAmount { get; private set; }

    /// <summary>Sum over all lines of the transaction (differs from ExternalAmount for duplicates).</summary>
    public long? ExternalAmountTotal { get; private set; }

    public long? ExternalFee { get; private set; }

    /// <summary>The fee the schedule expects for the PG's method and amount (null: no rate configured).</summary>
    public long? ExternalExpectedFee { get; private set; }

    public PaymentMethod? ExternalMethod { get; private set; }
    public DateOnly? ExternalSoldDate { get; private set; }
    public DateTimeOffset? ExternalApprovedAt { get; private set; }

    /// <summary>Comma-separated differing fields: internal, external, lineCount, amount, soldDate, fee.</summary>
    /// <summary>
    /// The PG's live answer about the payment when the last run asked (<c>Reconciliation:LiveCheck</c>): its
    /// status (DONE, CANCELED, PARTIAL_CANCELED, ABORTED, …), NOT_FOUND, REJECTED &lt;code&gt; or UNANSWERED
    /// (timeout, 5xx: nothing is concluded from silence). Null when nobody asked.
    /// </summary>
    public string? PgLiveStatus { get; private set; }

    /// <summary>The refundable balance the PG reported live.</summary>
    public long? PgLiveBalance { get; private set; }

    public DateTimeOffset? PgLiveCheckedAt { get; private set; }

    public string DiffFields { get; private set; }

    /// <summary>ISO 4217 code of the amounts and <see cref="MoneyAtRisk"/>: totals are per currency (KRW sums filter on it).</summary>
    public string? Currency { get; private set; }

    /// <summary>Minor units of <see cref="Currency"/> at stake (always ≥ 0); see docs of <see cref="ReconciliationSqlGenerator"/>.</summary>
    public long MoneyAtRisk { get; private set; }

    public string? Assignee { get; private set; }
    public long FirstRunId { get; private set; }

    /// <summary>The last run that wrote the finding: that found it, or took its key because the key's data or state changed
    /// (an incremental run's compared keys, a full run's keys whose run items changed: <see cref="ReconRunKey"/>). A run
    /// that saw it unchanged carries it forward and does not move it: the runs that saw the finding, written or carried,
    /// are its history (<see cref="RunSightings"/>, <see cref="FindingDetail"/>).</summary>
    public long LastRunId { get; private set; }

    public DateTimeOffset FirstSeenAt { get; private set; }

    /// <summary>When <see cref="LastRunId"/> saw it: the last time a run wrote the finding (the grid's "Last updated").</summary>
    public DateTimeOffset LastSeenAt { get; private set; }

    /// <summary>How many runs wrote the finding (not counting the runs that carried it forward).</summary>
    public int SeenCount { get; private set; }
    public DateTimeOffset? AcknowledgedAt { get; private set; }
    public string? AcknowledgedBy { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public string? ResolvedBy { get; private set; }

    /// <summary>Optimistic concurrency token: two operators acting at once cannot both win.</summary>
    public long Version { get; private set; }

    public IReadOnlyCollection<FindingNote> Notes => _notes.AsReadOnly();

    public IReadOnlyList<string> Diff => DiffFields.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// THE definition of "unresolved" (OPEN or ACKNOWLEDGED): only these put money at risk. RESOLVED and
    /// AUTO_RESOLVED findings are resolved work. Queries use the expressions below, objects <see cref="IsWorkable"/>.
    /// </summary>
    public static readonly Expression<Func<Finding, bool>> IsUnresolved =
        f => f.Status == FindingStatus.OPEN || f.Status == FindingStatus.ACKNOWLEDGED;

    /// <summary>The negation of <see cref="IsUnresolved"/>: RESOLVED or AUTO_RESOLVED.</summary>
    public static readonly Expression<Func<Finding, bool>> IsResolved =
        Expression.Lambda<Func<Finding, bool>>(Expression.Not(IsUnresolved.Body), IsUnresolved.Parameters);

    /// <summary>
    /// THE definition of "counts in KRW sums": money of another currency is never added to KRW (a finding written
    /// before findings carried a currency, null, was KRW). Sums of other currencies group by <see cref="Currency"/>.
    /// </summary>
    public static readonly Expression<Func<Finding, bool>> IsKrw =
        f => f.Currency == null || f.Currency == Common.Money.LedgerCurrency;

    /// <summary>
    /// A finding's money at risk when it is unresolved and in KRW, else 0: sums "KRW at risk" over any mix of statuses
    /// and currencies.
    /// </summary>
    public static readonly Expression<Func<Finding, long>> UnresolvedMoneyAtRisk =
        Expression.Lambda<Func<Finding, long>>(
            Expression.Condition(
                Expression.AndAlso(IsUnresolved.Body,
                    new ParameterSwap(IsKrw.Parameters[0], IsUnresolved.Parameters[0]).Visit(IsKrw.Body)),
                Expression.Property(IsUnresolved.Parameters[0], nameof(MoneyAtRisk)), Expression.Constant(0L)),
            IsUnresolved.Parameters);

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }

    private static readonly Func<Finding, bool> UnresolvedCheck = IsUnresolved.Compile();

    /// <summary>Unresolved (<see cref="IsUnresolved"/>): someone still has to work it.</summary>
    public bool IsWorkable => UnresolvedCheck(this);

    public void Acknowledge(string actor, DateTimeOffset now)
    {
        EnsureStatus("acknowledge", FindingStatus.OPEN);
        Status = FindingStatus.ACKNOWLEDGED;
        AcknowledgedAt = now;
        AcknowledgedBy = actor;
        Version++;
    }

    public void Resolve(string actor, DateTimeOffset now)
    {
        EnsureStatus("resolve", FindingStatus.OPEN, FindingStatus.ACKNOWLEDGED);
        Status = FindingStatus.RESOLVED;
        ResolvedAt = now;
        ResolvedBy = actor;
        Version++;
    }

    /// <summary>Sets or clears (null) the person working the finding.</summary>
    public void Assign(string? assignee)
    {
        if (assignee is { Length: > 100 })
            throw DomainException.BadInput("ASSIGNEE_TOO_LONG", "An assignee name has at most 100 characters.");
        Assignee = string.IsNullOrWhiteSpace(assignee) ? null : assignee.Trim();
        Version++;
    }

    public FindingNote AddNote(string author, string text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw DomainException.BadInput("NOTE_EMPTY", "A note needs some text.");
        if (text.Length > 4000)
            throw DomainException.BadInput("NOTE_TOO_LONG", "A note has at most 4000 characters.");
        var note = FindingNote.Create(this, author, text.Trim(), now);
        _notes.Add(note);
        Version++;
        return note;
    }

    private void EnsureStatus(string action, params FindingStatus[] allowed)
    {
        if (!allowed.Contains(Status))
            throw DomainException.Conflict("ILLEGAL_TRANSITION",
                $"Cannot {action} finding {Id}: it is {Status} (allowed from {string.Join(", ", allowed)}).");
    }
}

public sealed class FindingNote
{
    private FindingNote()
    {
        Author = Text = "";
    }

    public long Id { get; private set; }
    public long FindingId { get; private set; }
    public string Author { get; private set; }
    public string Text { get; private set; }
    public DateTimeOffset At { get; private set; }

    internal static FindingNote Create(Finding finding, string author, string text, DateTimeOffset at) => new()
    {
        FindingId = finding.Id,
        Author = author,
        Text = Masking.Mask(text),
        At = at,
    };
}

/// <summary>A run that saw a finding, with the verdict it reached: the finding's history.</summary>
public sealed class FindingSighting
{
    public long Id { get; private set; }
    public long FindingId { get; private set; }
    public long RunId { get; private set; }
    public DateOnly RunBusinessDate { get; private set; }
    public FindingVerdict Verdict { get; private set; }
    public long MoneyAtRisk { get; private set; }
    public DateTimeOffset SeenAt { get; private set; }

    /// <summary>The run carried the finding forward from an earlier run of its chain without comparing it (not stored).</summary>
    public bool IsCarried { get; private init; }

    /// <summary>A run that carried the finding forward from the run of <paramref name="carried"/> (no row of its own:
    /// <see cref="RunSightings"/>), with that sighting's verdict and money at risk.</summary>
    internal static FindingSighting Carried(FindingSighting carried, long runId, DateOnly runBusinessDate, DateTimeOffset seenAt) => new()
    {
        FindingId = carried.FindingId,
        RunId = runId,
        RunBusinessDate = runBusinessDate,
        Verdict = carried.Verdict,
        MoneyAtRisk = carried.MoneyAtRisk,
        SeenAt = seenAt,
        IsCarried = true,
    };
}
