using System.Globalization;
using System.Text.Json;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;

namespace OpsConsole.Cli;

/// <summary>
/// <c>verify-totals --date YYYY-MM-DD [--pg NAME] [--json]</c>: checks the date's recorded control totals against the
/// sums of both ledgers, per PG connection (every configured one, or <c>--pg</c>'s), as the background check after a
/// full run does (<see cref="ControlTotalsVerifier"/>); a drift (a row changed outside the write paths) is corrected by
/// a delta the next run picks up, audited and alerted. Exit 0 when every PG's totals matched, 1 when a drift was found
/// (and corrected) or a PG has no recorded totals yet, 2 on bad usage. <c>--json</c> prints
/// <c>{ businessDate, verifications: [{ pg, verified, … }] }</c>.
/// </summary>
public sealed class VerifyTotalsVerb : ICliVerb
{
    public string Name => "verify-totals";
    public string Summary => "Check a date's recorded control totals against the sums of both ledgers; correct a drift.";
    public string Usage => "--date YYYY-MM-DD [--pg NAME] [--json]";
    public bool NeedsServer => false;

    public void ValidateUsage(CliArguments args)
    {
        _ = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        if (args.Has("pg") && string.IsNullOrWhiteSpace(args.Get("pg")))
            throw new CliUsageException("--pg needs the name of a PG connection.");
    }

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var date = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        var pgs = ReconcileVerb.SelectedPgs(context.Services.GetRequiredService<PgConnections>(), args.Get("pg"));
        var verifier = context.Services.GetRequiredService<ControlTotalsVerifier>();
        var reports = new List<VerificationReport>();
        foreach (var pg in pgs)
        {
            var v = await verifier.VerifyAsync(date, pg, VerificationTrigger.ON_DEMAND, cancellationToken);
            reports.Add(v is null
                ? new VerificationReport(pg, false, null, null, null, null, null, null, null, null)
                : new VerificationReport(pg, true, v.VerifiedAt, v.RunId, v.PendingDeltas, v.Result, v.OurNetDrift,
                    v.PgGrossDrift, v.Drift, v.DurationMs));
        }

        if (args.Has("json"))
            context.Out.WriteLine(JsonSerializer.Serialize(new { businessDate = date, verifications = reports }, ReconRunReport.Json));
        else
            foreach (var r in reports)
                context.Out.WriteLine(r.Verified
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"{date:yyyy-MM-dd} PG {r.Pg}: {(r.Result == VerificationResult.MATCHED ? "totals match the ledgers" : $"DRIFT corrected: {r.Drift}")} " +
                        $"(run {r.RunId}'s totals and {r.PendingDeltas} pending change(s); {r.DurationMs} ms)")
                    : $"{date:yyyy-MM-dd} PG {r.Pg}: no recorded control totals yet (no successful run of the date): nothing to verify");
        return reports.All(r => r.Result == VerificationResult.MATCHED) ? 0 : 1;
    }

    /// <summary>One PG's verification as <c>--json</c> prints it (stable field names); <c>verified</c> false when the date
    /// and PG have no recorded totals yet.</summary>
    public sealed record VerificationReport(string Pg, bool Verified, DateTimeOffset? VerifiedAt, long? RunId, int? PendingDeltas,
        VerificationResult? Result, long? OurNetDrift, long? PgGrossDrift, string? Drift, long? DurationMs);
}
