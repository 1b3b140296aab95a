using System.Globalization;
using System.Text.Json;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary>
/// <c>reconcile --date YYYY-MM-DD [--full] [--json] [--pull] [--by NAME] [--engine bigquery [--print-sql]]</c>: both passes
/// for a KST business date, in the console's database or inside BigQuery.
/// Exit 0 when the run succeeded (findings or not), 1 when it failed or another run holds the date, 2 on
/// bad usage. <c>--json</c> prints <see cref="ReconRunReport"/> (stable field names) on stdout.
/// </summary>
public sealed class ReconcileVerb : ICliVerb
{
    public string Name => "reconcile";
    public string Summary => "Reconcile a KST business date against the PG's settlement lines (two passes).";
    public string Usage => "--date YYYY-MM-DD [--full] [--json] [--pull] [--by NAME] [--engine bigquery [--print-sql]]   (settle delay: --Reconciliation:SettleDelay=00:02:00)";
    public bool NeedsServer => true;
    public bool NeedsServerFor(CliArguments arguments) => !arguments.Has("print-sql");

    public void ValidateUsage(CliArguments args)
    {
        _ = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        var engine = WarehouseCli.EngineOption(args);
        if (args.Has("print-sql") && engine is null) throw new CliUsageException("--print-sql needs --engine bigquery.");
        if (engine is not null && args.Has("pull"))
            throw new CliUsageException("--pull does not apply to --engine bigquery: the warehouse holds the PG's lines.");
    }

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var date = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        var json = args.Has("json");
        var by = args.Get("by") ?? $"cli:{Environment.UserName}";
        var engine = WarehouseCli.EngineOption(args);
        if (args.Has("print-sql"))
        {
            if (engine is null) throw new CliUsageException("--print-sql needs --engine bigquery.");
            await WarehouseCli.PrintSqlAsync(context, date);
            return 0;
        }
        if (engine is not null && args.Has("pull"))
            throw new CliUsageException("--pull does not apply to --engine bigquery: the warehouse holds the PG's lines.");
        var service = context.Services.GetRequiredService<ReconciliationService>();
        var findings = context.Services.GetRequiredService<FindingService>();

        var progress = json ? null : new Progress(context.Error);
        var run = engine is null
            ? await service.RunAsync(date, RunTrigger.CLI, by, pullFirst: args.Has("pull"), progress: progress,
                cancellationToken: cancellationToken, full: args.Has("full"))
            : await service.RunOnAsync(engine, date, RunTrigger.CLI, by, progress, cancellationToken);
        var jobs = engine is null ? [] : await WarehouseCli.JobsAsync(context, run.Id, cancellationToken);

        // The report lists every confirmed finding of the run; the text output only the 20 largest.
        var confirmed = run.Status == RunStatus.SUCCEEDED
            ? await findings.AllAsync(new FindingQuery(RunId: run.Id, Verdict: FindingVerdict.CONFIRMED),
                limit: json ? null : ShownInText, cancellationToken)
            : [];

        if (json)
        {
            var report = ReconRunReport.From(run, confirmed);
            context.Out.WriteLine(engine is null
                ? JsonSerializer.Serialize(report, ReconRunReport.Json)
                : WarehouseCli.WithJobs(report, jobs));
        }
        else
        {
            var ci = CultureInfo.InvariantCulture;
            var scope = run.Scope == RunScope.INCREMENTAL
                ? string.Create(ci, $"(incremental: {run.ComparedKeys} changed keys compared)")
                : "(full day)";
            context.Out.WriteLine(string.Create(ci, $"run {run.Id} {run.BusinessDate:yyyy-MM-dd}: {run.Status} {scope}"));
            WarehouseCli.WriteJobs(context.Out, jobs);
            if (run.Status == RunStatus.SUCCEEDED)
            {
                context.Out.WriteLine(string.Create(ci,
                    $"  pass 1: {run.Pass1Count} differing keys in {run.Pass1Ms} ms; pass 2: {run.Pass2Ms} ms; persist: {run.PersistMs} ms"));
                context.Out.WriteLine(string.Create(ci,
                    $"  confirmed: {run.ConfirmedCount} ({run.ConfirmedAmount:N0} KRW at risk), transient: {run.TransientCount}, auto-resolved: {run.AutoResolvedCount}"));
                foreach (var t in run.Totals.OrderBy(t => t.FindingType))
                    context.Out.WriteLine(string.Create(ci,
                        $"  {t.FindingType,-20} {t.ConfirmedCount,6} confirmed {t.ConfirmedAmount,15:N0} KRW {t.TransientCount,6} transient"));
                foreach (var f in confirmed)
                    context.Out.WriteLine(string.Create(ci,
                        $"  #{f.Id} {f.Type} {Core.Common.MinorUnits.Format(f.MoneyAtRisk, f.Currency ?? Core.Common.Money.LedgerCurrency)} tx={f.TransactionKey} order={f.OrderId} diff={f.DiffFields}"));
                if (run.ConfirmedCount > confirmed.Count)
                    context.Out.WriteLine($"  … {run.ConfirmedCount - confirmed.Count} more (use --json)");
            }
        }

        if (run.Status == RunStatus.SUCCEEDED) return 0;
        context.Error.WriteLine($"reconcile: run {run.Id} for {date:yyyy-MM-dd} failed: {run.Error}");
        return 1;
    }

    private const int ShownInText = 20;

    private sealed class Progress(TextWriter error) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => error.WriteLine($"  … {value.Phase} ({value.Percent}%)");
    }
}
