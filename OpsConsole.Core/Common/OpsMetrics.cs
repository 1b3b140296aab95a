using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;

namespace OpsConsole.Core.Common;

/// <summary>
/// The app's OpenTelemetry metrics (meter <see cref="MeterName"/>). Counters and histograms are recorded where the
/// thing happens (the PG client, the reconciliation run); the janitor backlog and repairs by status are observed
/// from the database when a collector asks (at most every <see cref="SnapshotMaxAge"/>).
/// </summary>
public sealed class OpsMetrics
{
    public const string MeterName = "OpsConsole";
    public static readonly TimeSpan SnapshotMaxAge = TimeSpan.FromSeconds(5);

    private readonly Counter<long> _pgCalls;
    private readonly Histogram<double> _pgDuration;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _runDuration;
    private readonly Counter<long> _findings;
    private readonly IDbContextFactory<OpsDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly IOptions<JanitorOptions> _janitor;
    private readonly ILogger _log;
    private readonly Lock _snapshotLock = new();
    private Snapshot? _snapshot;

    public OpsMetrics(IMeterFactory meterFactory, IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock,
        IOptions<JanitorOptions> janitor, ILogger<OpsMetrics>? logger = null)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        _janitor = janitor;
        _log = logger ?? (ILogger)NullLogger.Instance;
        var meter = meterFactory.Create(MeterName);
        _pgCalls = meter.CreateCounter<long>("opsconsole.pg.calls", "{call}",
            "PG calls by operation (confirm, cancel, get_payment, get_payment_by_order, settlements) and outcome (success, rejected, unknown).");
        _pgDuration = meter.CreateHistogram<double>("opsconsole.pg.call.duration", "s", "Latency of PG calls, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _runs = meter.CreateCounter<long>("opsconsole.recon.runs", "{run}", "Finished reconciliation runs by status and trigger.");
        _runDuration = meter.CreateHistogram<double>("opsconsole.recon.run.duration", "s", "Duration of reconciliation runs by status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] });
        _findings = meter.CreateCounter<long>("opsconsole.recon.findings.confirmed", "{finding}", "Findings confirmed by reconciliation runs, by type.");
        meter.CreateObservableGauge("opsconsole.janitor.waiting", ObserveJanitorBacklog, "{item}",
            "Payments and cancels whose PG outcome is unknown (or orphaned in flight), waiting for the janitor; kind=payment|cancel.");
        meter.CreateObservableGauge("opsconsole.repairs", ObserveRepairs, "{repair}", "Repair requests by status.");
    }

    public void PgCall(string operation, PgOutcome outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "operation", operation }, { "outcome", outcome.ToString().ToLowerInvariant() } };
        _pgCalls.Add(1, tags);
        _pgDuration.Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>A run ended: its status, its duration and the findings it confirmed per type.</summary>
    public void RunFinished(RunStatus status, RunTrigger trigger, TimeSpan duration, IEnumerable<ReconRunTotal> totals)
    {
        _runs.Add(1, new TagList { { "status", status.ToString() }, { "trigger", trigger.ToString() } });
        _runDuration.Record(duration.TotalSeconds, new TagList { { "status", status.ToString() } });
        foreach (var t in totals.Where(t => t.ConfirmedCount > 0))
            _findings.Add(t.ConfirmedCount, new TagList { { "type", t.FindingType.ToString() } });
    }

    private IEnumerable<Measurement<long>> ObserveJanitorBacklog()
    {
        if (Current() is not { } s) yield break;
        yield return new Measurement<long>(s.PaymentsWaiting, new KeyValuePair<string, object?>("kind", "payment"));
        yield return new Measurement<long>(s.CancelsWaiting, new KeyValuePair<string, object?>("kind", "cancel"));
    }

    private IEnumerable<Measurement<long>> ObserveRepairs()
    {
        if (Current() is not { } s) yield break;
        foreach (var status in Enum.GetValues<RepairStatus>())
            yield return new Measurement<long>(s.Repairs.GetValueOrDefault(status), new KeyValuePair<string, object?>("status", status.ToString()));
    }

    private sealed record Snapshot(long TakenAt, long PaymentsWaiting, long CancelsWaiting, Dictionary<RepairStatus, long> Repairs);

    /// <summary>The database's counts, taken again when older than <see cref="SnapshotMaxAge"/>; null while the database cannot answer.</summary>
    private Snapshot? Current()
    {
        lock (_snapshotLock)
        {
            if (_snapshot is { } s && _clock.GetElapsedTime(s.TakenAt) < SnapshotMaxAge) return s;
            try
            {
                var orphanedBefore = _clock.GetUtcNow() - _janitor.Value.InProgressGrace;
                using var db = _dbFactory.CreateDbContext();
                var payments = db.Payments.LongCount(p => p.Status == PaymentStatus.UNKNOWN ||
                                                          (p.Status == PaymentStatus.IN_PROGRESS && p.UpdatedAt <= orphanedBefore));
                var cancels = db.CancelAttempts.LongCount(a => a.Status == CancelAttemptStatus.UNKNOWN ||
                                                               (a.Status == CancelAttemptStatus.PENDING && a.UpdatedAt <= orphanedBefore));
                var repairs = db.Set<RepairRequest>().GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.LongCount() })
                    .ToDictionary(x => x.Key, x => x.Count);
                return _snapshot = new Snapshot(_clock.GetTimestamp(), payments, cancels, repairs);
            }
            catch (Exception e)
            {
                _log.LogWarning("Metrics: the database counts could not be taken: {Error}", e.Message);
                return null;
            }
        }
    }
}
