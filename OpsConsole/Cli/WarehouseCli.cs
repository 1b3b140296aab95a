using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Cli;

/// <summary>The BigQuery parts of <c>reconcile --engine bigquery [--print-sql]</c>.</summary>
internal static class WarehouseCli
{
    /// <summary>The engine named by <c>--engine</c>, or null for the console's own database.</summary>
    public static string? EngineOption(CliArguments args)
    {
        var name = args.Get("engine");
        if (name is null or "database" or "sqlite" or "postgres") return null;
        if (!string.Equals(name, BigQueryReconciliationEngine.EngineName, StringComparison.OrdinalIgnoreCase))
            throw new CliUsageException($"--engine must be '{BigQueryReconciliationEngine.EngineName}' or left out for the console's database (got '{name}').");
        return BigQueryReconciliationEngine.EngineName;
    }

    /// <summary><c>--print-sql</c>: both passes' SQL and parameters for the PG <paramref name="pg"/>, without calling BigQuery.</summary>
    public static async Task PrintSqlAsync(CliContext context, DateOnly date, string pg)
    {
        var engine = context.Services.GetService<BigQueryReconciliationEngine>()
                     ?? throw new CliUsageException("The BigQuery engine is not registered in this build (builder.AddWarehouse()).");
        var fees = await context.Services.GetRequiredService<ReconciliationService>().FeesAsync(CancellationToken.None);
        await context.Out.WriteAsync(engine.Describe(ReconciliationDefinition.Standard(fees), date, pg));
    }

    public static async Task<List<WarehouseJobRecord>> JobsAsync(CliContext context, long runId, CancellationToken ct)
    {
        var factory = context.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Set<WarehouseJobRecord>().AsNoTracking().Where(j => j.RunId == runId)
            .OrderBy(j => j.Pass).ToListAsync(ct);
    }

    public static void WriteJobs(TextWriter output, IEnumerable<WarehouseJobRecord> jobs)
    {
        foreach (var j in jobs)
            output.WriteLine(
                $"  BigQuery pass {j.Pass}: job {j.JobId}, {BigQueryReconciliationEngine.FormatBytes(j.BytesProcessed)} processed, " +
                $"{BigQueryReconciliationEngine.FormatBytes(j.BytesBilled)} billed, {j.RowsReturned} rows — {j.ConsoleUrl}");
    }

    /// <summary>The runs of several PGs (each <see cref="WithJobs"/>'s document) as one <see cref="PgRunsReport"/>-shaped document.</summary>
    public static string RunsWithJobs(DateOnly date, IEnumerable<string> runs, IReadOnlyList<string> skipped)
    {
        var node = new JsonObject
        {
            ["businessDate"] = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["runs"] = new JsonArray(runs.Select(r => JsonNode.Parse(r)).ToArray()),
            ["skipped"] = new JsonArray(skipped.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
        };
        return node.ToJsonString(ReconRunReport.Json);
    }

    /// <summary>The run report with a <c>warehouseJobs</c> array added (a new field; the others are unchanged).</summary>
    public static string WithJobs(ReconRunReport report, IEnumerable<WarehouseJobRecord> jobs)
    {
        var node = JsonSerializer.SerializeToNode(report, ReconRunReport.Json)!.AsObject();
        node["warehouseJobs"] = new JsonArray(jobs.Select(j => (JsonNode)new JsonObject
        {
            ["pass"] = j.Pass,
            ["engine"] = j.Engine,
            ["jobId"] = j.JobId,
            ["location"] = j.Location,
            ["estimatedBytes"] = j.EstimatedBytes,
            ["bytesProcessed"] = j.BytesProcessed,
            ["bytesBilled"] = j.BytesBilled,
            ["attempts"] = j.Attempts,
            ["rowsReturned"] = j.RowsReturned,
            ["consoleUrl"] = j.ConsoleUrl,
        }).ToArray());
        return node.ToJsonString(ReconRunReport.Json);
    }
}
