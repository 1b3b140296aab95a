using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary>
/// <c>reconcile-payouts --from D --to D [--json] [--by NAME] [--engine database|bigquery]</c>: PG payouts (paidOutDate in the range) against the bank
/// deposits, both passes. Exit 0 when the run succeeded (findings or not), 1 when it failed or another payout run is
/// running, 2 on bad usage or invalid <c>Cash:*</c> settings. <c>--json</c>: one document, the run and its confirmed findings.
/// </summary>
public sealed class ReconcilePayoutsVerb : ICliVerb
{
    public string Name => "reconcile-payouts";
    public string Summary => "Reconcile PG payouts (paidOutDate from..to) against bank deposits (two passes).";
    public string Usage => "--from YYYY-MM-DD --to YYYY-MM-DD [--json] [--by NAME] [--engine database|bigquery [--print-sql]]";
    public bool NeedsServer => true;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public void ValidateUsage(CliArguments args)
    {
        var from = args.GetDate("from") ?? throw new CliUsageException("--from is required.");
        var to = args.GetDate("to") ?? throw new CliUsageException("--to is required.");
        if (to < from) throw new CliUsageException("--to is before --from.");
        var engine = WarehouseCli.EngineOption(args);
        if (args.Has("print-sql") && engine is null)
            throw new CliUsageException("--print-sql needs --engine bigquery.");
    }

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        ValidateUsage(args);
        var from = args.GetDate("from")!.Value;
        var to = args.GetDate("to")!.Value;
        var json = args.Has("json");
        var by = args.Get("by") ?? $"cli:{Environment.UserName}";
        // --engine database|bigquery; without it Cash:Engine decides (default: the console's database).
        var engine = args.Get("engine") is null ? null : WarehouseCli.EngineOption(args) ?? "database";
        CliHost.RequireValidOptions<CashOptions>(context.Services);
        var service = context.Services.GetRequiredService<PayoutReconciliationService>();
        var view = context.Services.GetRequiredService<CashViewService>();
        if (args.Has("print-sql"))
        {
            try
            {
                await context.Out.WriteAsync(await service.DescribeBigQueryAsync(from, to, cancellationToken));
                return 0;
            }
            catch (DomainException e)
            {
                context.Error.WriteLine($"{Name}: {e.Message} ({e.Code})");
                return 2;
            }
        }

        PayoutRun run;
        try
        {
            run = await service.RunAsync(from, to, RunTrigger.CLI, by, cancellationToken, engine);
        }
        catch (DomainException e)
        {
            if (json) context.Out.WriteLine(JsonSerializer.Serialize(new { outcome = "REFUSED", code = e.Code, message = e.Message }, Json));
            context.Error.WriteLine($"{Name}: {e.Message} ({e.Code})");
            return e.Code is "CASH_NOT_CONFIGURED" or "CALENDAR_NOT_COVERED" or "BAD_RANGE" or "UNKNOWN_ENGINE" ? 2 : 1;
        }
        var findings = run.Status == RunStatus.SUCCEEDED ? await view.FindingsOfRunAsync(run.Id, cancellationToken) : [];
        var effective = service.EffectiveEngine(engine);
        var jobs = await view.JobsOfRunAsync(run.Id, cancellationToken);
        if (json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new
            {
                run = new
                {
                    id = run.Id, from = run.FromDate, to = run.ToDate, asOf = run.AsOfDate, status = run.Status, error = run.Error,
                    startedAt = run.StartedAt, finishedAt = run.FinishedAt, pass1Ms = run.Pass1Ms, pass2Ms = run.Pass2Ms,
                    persistMs = run.PersistMs, expectedCount = run.ExpectedCount, expectedAmount = run.ExpectedAmount,
                    depositCount = run.DepositCount, depositAmount = run.DepositAmount, pass1Count = run.Pass1Count,
                    confirmedCount = run.ConfirmedCount, confirmedAmount = run.ConfirmedAmount,
                    transientCount = run.TransientCount, autoResolvedCount = run.AutoResolvedCount,
                    engine = effective,
                },
                warehouseJobs = effective == "database" ? null : jobs.Select(j => new
                {
                    pass = j.Pass, step = j.Step, jobId = j.JobId, location = j.Location, estimatedBytes = j.EstimatedBytes,
                    bytesProcessed = j.BytesProcessed, bytesBilled = j.BytesBilled, attempts = j.Attempts,
                    rowsReturned = j.RowsReturned, consoleUrl = j.ConsoleUrl,
                }),
                findings = findings.Select(f => new
                {
                    id = f.Finding.Id,
                    type = f.Finding.Type,
                    key = f.Finding.TransactionKey,
                    pgMid = f.PgMid,
                    account = f.Account,
                    expectedDate = f.Item?.ExpectedDate,
                    dueDate = f.Item?.DueDate,
                    expectedAmount = f.Item?.ExpectedAmount,
                    receivedAmount = f.Item?.ReceivedAmount,
                    depositDate = f.Item?.DepositDate,
                    depositIds = f.DepositIds,
                    lineCount = f.Item?.LineCount,
                    moneyAtRisk = f.Finding.MoneyAtRisk,
                    status = f.Finding.Status,
                }),
            }, Json));
        }
        else
        {
            var ci = CultureInfo.InvariantCulture;
            context.Out.WriteLine(string.Create(ci,
                $"Payout run {run.Id} {run.FromDate:yyyy-MM-dd}..{run.ToDate:yyyy-MM-dd}: {run.Status}; expected {run.ExpectedCount} payouts {run.ExpectedAmount:N0} KRW, deposits {run.DepositCount} {run.DepositAmount:N0} KRW; {run.ConfirmedCount} confirmed ({run.ConfirmedAmount:N0} KRW at risk), {run.TransientCount} transient, {run.AutoResolvedCount} auto-resolved"));
            if (run.Error is not null) context.Out.WriteLine("Error: " + run.Error);
            foreach (var j in jobs)
                context.Out.WriteLine(string.Create(ci,
                    $"  BigQuery pass {j.Pass} {j.Step}: job {j.JobId}, {BigQueryReconciliationEngineFormat(j.BytesProcessed)} processed, {BigQueryReconciliationEngineFormat(j.BytesBilled)} billed, {j.RowsReturned} rows — {j.ConsoleUrl}"));
            foreach (var f in findings)
                context.Out.WriteLine(string.Create(ci,
                    $"  {f.Finding.Type,-26} {f.Finding.TransactionKey,-36} expected {f.Item?.ExpectedAmount?.ToString("N0", ci) ?? "-",12} received {f.Item?.ReceivedAmount?.ToString("N0", ci) ?? "-",12} at risk {f.Finding.MoneyAtRisk:N0}"));
        }
        return run.Status == RunStatus.SUCCEEDED ? 0 : 1;
    }

    private static string BigQueryReconciliationEngineFormat(long bytes) => Core.Warehouse.BigQueryReconciliationEngine.FormatBytes(bytes);
}
