using System.Text.Json;
using System.Text.Json.Serialization;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The stable JSON document of <c>reconcile --json</c> (finance scripts consume it; add fields, never rename).
/// camelCase names, enums as strings, dates <c>yyyy-MM-dd</c> (KST business dates), instants ISO-8601 UTC,
/// money as integer KRW. Shape: <c>{ "run": RunReport, "findings": [FindingReport] }</c>, findings ordered
/// by moneyAtRisk descending; only the run's CONFIRMED findings. The run and each finding carry <c>pg</c>, the PG
/// connection (a run is one PG's; <see cref="PgRunsReport"/> holds the runs of several).
/// </summary>
public sealed record ReconRunReport(RunReport Run, IReadOnlyList<FindingReport> Findings)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static ReconRunReport From(ReconRun run, IEnumerable<Finding> confirmed) => new(
        new RunReport(run.Id, run.BusinessDate, run.Trigger, run.RequestedBy, run.Status, run.Error, run.StartedAt,
            run.FinishedAt, run.PullMs, run.Pass1Ms, run.SettleMs, run.Pass2Ms, run.PersistMs, run.Pass1Count,
            run.ConfirmedCount, run.ConfirmedAmount, run.TransientCount, run.AutoResolvedCount,
            run.Totals.OrderBy(t => t.FindingType)
                .Select(t => new TypeTotalReport(t.FindingType, t.ConfirmedCount, t.ConfirmedAmount, t.TransientCount))
                .ToList(), run.Scope, run.ComparedKeys, run.Pg),
        confirmed.Select(f => new FindingReport(f.Id, f.Type, f.Status, f.Verdict, f.BusinessDate, f.TransactionKey,
            f.PaymentKey, f.OrderId, f.TraceId, f.MoneyAtRisk, f.Diff, f.Pass1Type, f.PaymentStatus,
            new InternalSideReport(f.InternalKind, f.InternalAmount, f.InternalMethod, f.InternalBusinessDate, f.InternalOccurredAt),
            new ExternalSideReport(f.ExternalLineCount, f.ExternalAmount, f.ExternalAmountTotal, f.ExternalFee,
                f.ExternalExpectedFee, f.ExternalMethod, f.ExternalSoldDate, f.ExternalApprovedAt),
            f.Assignee,
            f.PgLiveStatus is null ? null : new PgLiveReport(f.PgLiveStatus, f.PgLiveBalance, f.PgLiveCheckedAt), f.Currency,
            f.Pg)).ToList());
}

/// <summary>
/// <c>reconcile --json</c> when several PG connections are configured and no <c>--pg</c> is given: one
/// <see cref="ReconRunReport"/> per PG's run of the date, in configuration order, and the PGs whose run did not start
/// (another run of the date and PG was running), with why.
/// </summary>
public sealed record PgRunsReport(DateOnly BusinessDate, IReadOnlyList<ReconRunReport> Runs, IReadOnlyList<string> Skipped);

/// <param name="Pass1Candidates">Keys that differed in pass 1 (rechecked in pass 2).</param>
/// <param name="Scope">FULL or INCREMENTAL (only the keys changed since the date's last successful run).</param>
/// <param name="ComparedKeys">Keys an incremental run compared; null for a full run.</param>
public sealed record RunReport(long Id, DateOnly BusinessDate, RunTrigger Trigger, string RequestedBy, RunStatus Status,
    string? Error, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long? PullMs, long? Pass1Ms, long? SettleMs,
    long? Pass2Ms, long? PersistMs, int Pass1Candidates, int ConfirmedCount, long ConfirmedAmount, int TransientCount,
    int AutoResolvedCount, IReadOnlyList<TypeTotalReport> Totals, RunScope Scope = RunScope.FULL, int? ComparedKeys = null,
    string Pg = "");

public sealed record TypeTotalReport(FindingType Type, int ConfirmedCount, long ConfirmedAmount, int TransientCount);

public sealed record FindingReport(long Id, FindingType Type, FindingStatus Status, FindingVerdict Verdict,
    DateOnly BusinessDate, string TransactionKey, string PaymentKey, string OrderId, string? TraceId, long MoneyAtRisk,
    IReadOnlyList<string> Diff, FindingType? Pass1Type, PaymentStatus? PaymentStatus, InternalSideReport Internal,
    ExternalSideReport External, string? Assignee, PgLiveReport? PgLive, string? Currency = null, string Pg = "");

/// <summary>The PG's live answer (<c>Reconciliation:LiveCheck</c>); null when the run did not ask.</summary>
public sealed record PgLiveReport(string Status, long? Balance, DateTimeOffset? CheckedAt);

/// <param name="Amount">Signed like the PG: cancels negative.</param>
public sealed record InternalSideReport(TransactionKind? Kind, long? Amount, PaymentMethod? Method,
    DateOnly? BusinessDate, DateTimeOffset? OccurredAt);

public sealed record ExternalSideReport(int LineCount, long? Amount, long? AmountTotal, long? Fee, long? ExpectedFee,
    PaymentMethod? Method, DateOnly? SoldDate, DateTimeOffset? ApprovedAt);
