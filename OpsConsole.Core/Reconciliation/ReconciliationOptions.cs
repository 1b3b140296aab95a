using System.Globalization;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>Settings <c>Reconciliation:*</c>.</summary>
public sealed class ReconciliationOptions
{
    /// <summary>Wait between pass 1 and the recheck (pass 2). Default 2 minutes; 0 allowed.</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>KST time of the daily run for the previous business date, <c>HH:mm</c> (or <c>HH:mm:ss</c>). Default 06:00.</summary>
    public string ScheduleKst { get; set; } = "06:00";

    /// <summary>Whether the daily run is scheduled at all (background jobs must also be on).</summary>
    public bool ScheduleEnabled { get; set; } = true;

    /// <summary>Pull the PG's settlement lines of the date before a scheduled run. Default true.</summary>
    public bool PullBeforeScheduledRun { get; set; } = true;

    /// <summary>
    /// Fee rate per method, as a fraction of the amount (e.g. <c>CARD: 0.025</c>). Methods without a rate
    /// are not fee-checked. Defaults: <see cref="FeeSchedule.DefaultRates"/>.
    /// </summary>
    public Dictionary<string, decimal> FeeRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest tolerated |fee − expected fee| in KRW. Default 1.</summary>
    public long FeeTolerance { get; set; } = 1;

    /// <summary>
    /// Pass 2 also asks the PG live (<c>GET /v1/payments/{paymentKey}</c>) about each payment still differing
    /// and records the answer on its findings. Default false.
    /// </summary>
    public bool LiveCheck { get; set; }

    /// <summary>At most this many payments are asked per run (largest money at risk first). Default 500.</summary>
    public int LiveCheckMaxPayments { get; set; } = 500;

    /// <summary>PG look-ups in flight at once during the live check. Default 4.</summary>
    public int LiveCheckConcurrency { get; set; } = 4;

    /// <summary>
    /// PostgreSQL: pass 1 runs as this many statements at once, each on its own connection over one range of the
    /// transaction keys (split at the key's histogram, so the ranges are of similar size and each statement reads
    /// only its part of the key-ordered indexes), so a day's join uses the database's cores (PostgreSQL 15 cannot
    /// run a full outer join in parallel); a full run's pass 2 probes its keys in the same ranges (an incremental run's
    /// in as many key-hash shares). Default 0: one range per processor of this machine, right when the database runs
    /// beside the console; set the database server's cores when it runs elsewhere. The ranges are CPU-bound: more than
    /// the cores share them, and on 2 cores 4 ranges took longer than 2 (docs/benchmarks.md, session 19). 1 runs one
    /// statement. SQLite: pass 1 reads this many ranges at once, at most one per processor.
    /// </summary>
    public int Pass1Partitions { get; set; }

    /// <summary>Page size of the settlement pull. Default 500.</summary>
    public int PullPageSize { get; set; } = 500;

    /// <summary>
    /// A full run of a date whose last successful run was full too, with the same rules, writes only what changed: it
    /// compares every key, then keeps the findings of the keys whose run items equal that run's (and that no change mark
    /// or state of theirs sends back) as that run saw them — carried forward, as an incremental run carries, with no row
    /// of theirs written — and writes the findings of the other keys (<c>docs/reconciliation.md</c>, "Full runs that
    /// carry"). Default true; false makes every full run write a sighting and a last-seen row for every finding it sees.
    /// </summary>
    public bool CarryUnchangedFindings { get; set; } = true;

    /// <summary>A RUNNING run whose heartbeat is older than this was abandoned and no longer holds the lock.</summary>
    public TimeSpan StaleRunAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A replica whose scheduled run was refused because another replica runs it tries again this often, until the
    /// date is reconciled: if that replica dies, this one finishes the date. Default 1 minute.
    /// </summary>
    public TimeSpan ScheduleRetryInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeOnly ScheduleTime() =>
        TimeOnly.TryParseExact(ScheduleKst, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            ? t
            : throw new ConfigurationError(
                $"Reconciliation:ScheduleKst must be a KST time as HH:mm (got '{ScheduleKst}').");

    public FeeSchedule BuildFeeSchedule()
    {
        var rates = new Dictionary<PaymentMethod, decimal>(FeeSchedule.DefaultRates);
        foreach (var (name, rate) in FeeRates)
        {
            if (!Enum.TryParse<PaymentMethod>(name, ignoreCase: true, out var method))
                throw new ConfigurationError(
                    $"Reconciliation:FeeRates:{name} names no payment method ({string.Join(", ", Enum.GetNames<PaymentMethod>())}).");
            rates[method] = rate;
        }
        return new FeeSchedule(rates, FeeTolerance);
    }
}
