using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Cli;

/// <summary>
/// <c>warehouse-reconcile --date D [--print-sql] [--json]</c>: reconciles a business date inside BigQuery.
/// The same as <c>reconcile --date D --engine bigquery</c> once that verb takes an engine; the run, its findings
/// and alerts are those of <see cref="ReconciliationService"/>.
/// </summary>
public sealed class WarehouseReconcileVerb : ICliVerb
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public string Name => "warehouse-reconcile";

    public string Summary => "Reconcile a business date inside BigQuery (Warehouse:BigQuery:*); --print-sql shows the SQL only.";

    public string Usage => "--date YYYY-MM-DD [--engine bigquery] [--print-sql] [--json]";

    public bool NeedsServer => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var date = args.GetDate("date") ?? throw new CliUsageException("--date is required.");
        var engineName = args.Get("engine") ?? BigQueryReconciliationEngine.EngineName;
        if (!string.Equals(engineName, BigQueryReconciliationEngine.EngineName, StringComparison.OrdinalIgnoreCase))
            throw new CliUsageException($"--engine must be '{BigQueryReconciliationEngine.EngineName}' (got '{engineName}').");
        var engine = context.Services.GetService<BigQueryReconciliationEngine>()
                     ?? throw new CliUsageException("The BigQuery engine is not registered in this build (builder.AddWarehouse()).");
        var definition = ReconciliationDefinition.Standard(
            context.Services.GetRequiredService<IOptions<ReconciliationOptions>>().Value.BuildFeeSchedule());

        if (args.Has("print-sql"))
        {
            await context.Out.WriteAsync(engine.Describe(definition, date));
            return 0;
        }

        var service = context.Services.GetRequiredService<ReconciliationService>();
        var run = await service.RunOnAsync(engine.Name, date, RunTrigger.CLI, Environment.UserName,
            cancellationToken: cancellationToken);
        var factory = context.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var jobs = await db.Set<WarehouseJobRecord>().AsNoTracking().Where(j => j.RunId == run.Id)
            .OrderBy(j => j.Pass).ToListAsync(cancellationToken);

        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new
            {
                run = new
                {
                    id = run.Id, businessDate = run.BusinessDate, engine = engine.Name, status = run.Status,
                    error = run.Error, pass1Count = run.Pass1Count, confirmedCount = run.ConfirmedCount,
                    transientCount = run.TransientCount, confirmedAmount = run.ConfirmedAmount,
                },
                jobs = jobs.Select(j => new
                {
                    pass = j.Pass, jobId = j.JobId, location = j.Location, estimatedBytes = j.EstimatedBytes,
                    bytesProcessed = j.BytesProcessed, bytesBilled = j.BytesBilled, attempts = j.Attempts,
                    rowsReturned = j.RowsReturned, consoleUrl = j.ConsoleUrl,
                }),
            }, Json));
        }
        else
        {
            await context.Out.WriteLineAsync(
                $"Run {run.Id} for {run.BusinessDate:yyyy-MM-dd} on BigQuery: {run.Status}; {run.Pass1Count} keys differed in pass 1, " +
                $"{run.ConfirmedCount} confirmed ({run.ConfirmedAmount:N0} KRW at risk), {run.TransientCount} transient.");
            foreach (var j in jobs)
                await context.Out.WriteLineAsync(
                    $"  pass {j.Pass}: job {j.JobId}, {BigQueryReconciliationEngine.FormatBytes(j.BytesProcessed)} processed, " +
                    $"{BigQueryReconciliationEngine.FormatBytes(j.BytesBilled)} billed, {j.RowsReturned} rows — {j.ConsoleUrl}");
        }
        if (run.Status == RunStatus.SUCCEEDED) return 0;
        await context.Error.WriteLineAsync($"{Name}: run {run.Id} failed: {run.Error}");
        return 1;
    }
}
