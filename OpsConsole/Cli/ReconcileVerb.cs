using System.Globalization;
using System.Text.Json;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary>
/// <c>reconcile --date YYYY-MM-DD [--pg NAME] [--full] [--json] [--pull] [--by NAME] [--engine bigquery [--print-sql]]</c>:
/// both passes for a KST business date, in the console's database or inside BigQuery, one run per PG connection (each
/// its own run, lock and findings): every configured PG's, or only <c>--pg NAME</c>'s (an unknown name is refused with
/// the configured ones listed, nothing run).
/// Exit 0 when every run succeeded (findings or not), 1 when one failed or another run holds its date and PG, 2 on
/// bad usage. <c>--json</c> prints <see cref="ReconRunReport"/> (stable field names) on stdout for a single run (one PG
/// configured, or <c>--pg</c>), else <see cref="PgRunsReport"/> (<c>{ businessDate, runs: [ReconRunReport], skipped }</c>).
/// </summary>
public sealed class ReconcileVerb : ICliVerb
{
    public string Name => "reconcile";
    public string Summary => "Reconcile a KST business date against the PGs' settlement lines (two passes, one run per PG).";
    public string Usage => "--date YYYY-MM-DD [--pg NAME] [--full] [--json] [--pull] [--by NAME] [--engine bigquery [--print-sql]]   (settle delay: --Reconciliation:SettleDelay=00:02:00)";
    public bool NeedsServer => true;
    public bool NeedsServerFor(CliArguments arguments) => !arguments.Has("print-sql");

    public void ValidateUsage(CliArguments args)
    {
        _ = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        var engine = WarehouseCli.EngineOption(args);
        if (args.Has("print-sql") && engine is null) throw new CliUsageException("--print-sql needs --engine bigquery.");
        if (engine is not null && args.Has("pull"))
            throw new CliUsageException("--pull does not apply to --engine bigquery: the warehouse holds the PG's lines.");
        if (args.Has("pg") && string.IsNullOrWhiteSpace(args.Get("pg")))
            throw new CliUsageException("--pg needs the name of a PG connection.");
    }

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var date = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        var json = args.Has("json");
        var by = args.Get("by") ?? $"cli:{Environment.UserName}";
        var engine = WarehouseCli.EngineOption(args);
        var pgs = SelectedPgs(context.Services.GetRequiredService<PgConnections>(), args.Get("pg"));
        if (args.Has("print-sql"))
        {
            if (engine is null) throw new CliUsageException("--print-sql needs --engine bigquery.");
            foreach (var pg in pgs) await WarehouseCli.PrintSqlAsync(context, date, pg);
            return 0;
        }
        if (engine is not null && args.Has("pull"))
            throw new CliUsageException("--pull does not apply to --engine bigquery: the warehouse holds the PG's lines.");
        var service = context.Services.GetRequiredService<ReconciliationService>();
        var findings = context.Services.GetRequiredService<FindingService>();

        var progress = json ? null : new Progress(context.Error);
        var reports = new List<string>();
        var documents = new List<ReconRunReport>();
        var skipped = new List<string>();
        var failed = 0;
        foreach (var pg in pgs)
        {
            ReconRun run;
            try
            {
                run = engine is null
                    ? await service.RunAsync(date, RunTrigger.CLI, by, pullFirst: args.Has("pull"), progress: progress,
                        cancellationToken: cancellationToken, full: args.Has("full"), pg: pg)
                    : await service.RunOnAsync(engine, date, RunTrigger.CLI, by, progress, cancellationToken, pg);
            }
            catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS" && pgs.Count > 1)
            {
                // Several PGs: the others still run; this one is named and the exit code says so.
                skipped.Add(e.Message);
                context.Error.WriteLine($"reconcile: {e.Message}");
                continue;
            }
            var jobs = engine is null ? [] : await WarehouseCli.JobsAsync(context, run.Id, cancellationToken);

            // The report lists every confirmed finding of the run; the text output only the 20 largest.
            var confirmed = run.Status == RunStatus.SUCCEEDED
                ? await findings.AllAsync(new FindingQuery(RunId: run.Id, Verdict: FindingVerdict.CONFIRMED),
                    limit: json ? null : ShownInText, cancellationToken)
                : [];

            if (json)
            {
                var report = ReconRunReport.From(run, confirmed);
                documents.Add(report);
                reports.Add(engine is null
                    ? JsonSerializer.Serialize(report, ReconRunReport.Json)
                    : WarehouseCli.WithJobs(report, jobs));
            }
            else
                WriteText(context.Out, run, jobs, confirmed);

            if (run.Status != RunStatus.SUCCEEDED)
            {
                failed++;
                context.Error.WriteLine($"reconcile: run {run.Id} for {date:yyyy-MM-dd} (PG {run.Pg}) failed: {run.Error}");
            }
        }

        // A full run queued the check of its control totals against the ledgers (off the run's path, above): let it
        // finish before the process exits. Its outcome is logged (a drift also audited and alerted).
        await context.Services.GetRequiredService<Core.Reconciliation.ControlTotals.ControlTotalsVerificationQueue>().WhenIdleAsync();

        if (json)
        {
            if (pgs.Count == 1) context.Out.WriteLine(reports.Single());
            else if (engine is null)
                context.Out.WriteLine(JsonSerializer.Serialize(new PgRunsReport(date, documents, skipped), ReconRunReport.Json));
            else
                context.Out.WriteLine(WarehouseCli.RunsWithJobs(date, reports, skipped));
        }
        return failed == 0 && skipped.Count == 0 ? 0 : 1;
    }

    /// <summary>The PG connections to run: <c>--pg NAME</c>'s (an unknown name is a usage error listing the
    /// configured ones), else every configured one.</summary>
    internal static IReadOnlyList<string> SelectedPgs(PgConnections connections, string? pg)
    {
        if (string.IsNullOrWhiteSpace(pg)) return connections.All.Select(c => c.Name).ToList();
        var connection = connections.Find(pg.Trim())
                         ?? throw new CliUsageException(
                             $"--pg '{pg.Trim()}' is not a configured PG connection (configured: {connections.Names}).");
        return [connection.Name];
    }

    private static void WriteText(TextWriter o, ReconRun run, IEnumerable<Core.Warehouse.WarehouseJobRecord> jobs,
        IReadOnlyList<Finding> confirmed)
    {
        var ci = CultureInfo.InvariantCulture;
        var scope = run.Scope == RunScope.INCREMENTAL
            ? string.Create(ci, $"(incremental: {run.ComparedKeys} changed keys compared)")
            : run.CarriedFromRunId is { } from
                ? string.Create(ci, $"(full day; unchanged findings carried forward from run {from})")
                : "(full day)";
        o.WriteLine(string.Create(ci, $"run {run.Id} {run.BusinessDate:yyyy-MM-dd} PG {run.Pg}: {run.Status} {scope}"));
        WarehouseCli.WriteJobs(o, jobs);
        if (run.Status != RunStatus.SUCCEEDED) return;
        o.WriteLine(string.Create(ci,
            $"  pass 1: {run.Pass1Count} differing keys in {run.Pass1Ms} ms; pass 2: {run.Pass2Ms} ms; persist: {run.PersistMs} ms"));
        o.WriteLine(string.Create(ci,
            $"  confirmed: {run.ConfirmedCount} ({run.ConfirmedAmount:N0} KRW at risk), transient: {run.TransientCount}, auto-resolved: {run.AutoResolvedCount}"));
        foreach (var t in run.Totals.OrderBy(t => t.FindingType))
            o.WriteLine(string.Create(ci,
                $"  {t.FindingType,-20} {t.ConfirmedCount,6} confirmed {t.ConfirmedAmount,15:N0} KRW {t.TransientCount,6} transient"));
        foreach (var f in confirmed)
            o.WriteLine(string.Create(ci,
                $"  #{f.Id} {f.Type} {Core.Common.MinorUnits.Format(f.MoneyAtRisk, f.Currency ?? Core.Common.Money.LedgerCurrency)} tx={f.TransactionKey} order={f.OrderId} diff={f.DiffFields}"));
        if (run.ConfirmedCount > confirmed.Count)
            o.WriteLine($"  … {run.ConfirmedCount - confirmed.Count} more (use --json)");
    }

    private const int ShownInText = 20;

    private sealed class Progress(TextWriter error) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) =>
            error.WriteLine(value.Pg.Length > 0 ? $"  … {value.Pg}: {value.Phase} ({value.Percent}%)" : $"  … {value.Phase} ({value.Percent}%)");
    }
}
