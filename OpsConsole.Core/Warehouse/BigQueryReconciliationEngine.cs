using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// Runs the reconciliation passes inside BigQuery: builds each pass's SQL and parameters from the definition,
/// dry-runs it and refuses above <see cref="BigQueryOptions.MaximumBytesBilled"/>, runs it, and returns only
/// the differing keys plus the job record. As an <see cref="IExternalReconEngine"/> it writes those rows to
/// the run's items and records each job beside the run; deciding CONFIRMED/TRANSIENT, the findings and the
/// alerts stay with <see cref="ReconciliationService"/>, exactly as for the other engines.
/// </summary>
public sealed class BigQueryReconciliationEngine(
    BigQueryClient client,
    IOptions<BigQueryOptions> options,
    IDbContextFactory<OpsDbContext> dbFactory,
    TimeProvider clock,
    ILogger<BigQueryReconciliationEngine> logger) : IExternalReconEngine
{
    public const string EngineName = "bigquery";

    private BigQueryOptions O => options.Value;

    public string Name => EngineName;

    public async Task<int> RunPass1Async(ReconPassContext context, CancellationToken cancellationToken)
    {
        var result = await RunPass1Async(context.Definition, context.BusinessDate, context.Pg, cancellationToken);
        await SaveAsync(context, result, cancellationToken);
        return result.Items.Count;
    }

    public async Task RunPass2Async(ReconPassContext context, CancellationToken cancellationToken)
    {
        List<string> keys;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            keys = await db.Set<ReconRunItem>().AsNoTracking()
                .Where(i => i.RunId == context.RunId && i.Pass == 1)
                .Select(i => i.TransactionKey).Distinct().ToListAsync(cancellationToken);
        var result = await RunPass2Async(context.Definition, context.BusinessDate, context.Pg, keys, cancellationToken);
        await SaveAsync(context, result, cancellationToken);
    }

    /// <summary>The pass's rows as run items and its job record, together.</summary>
    private async Task SaveAsync(ReconPassContext context, WarehousePassResult result, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await WarehouseItemWriter.WriteAsync(db, context.ConsoleDialect, context.RunId, result.Pass, result.Items, ct);
        if (result.Job.JobId.Length > 0)
        {
            db.Add(WarehouseJobRecord.For(context.RunId, result, clock.GetUtcNow()));
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    public WarehouseReconciliationSql Sql(ReconciliationDefinition definition)
    {
        if (O.ProjectId is not { Length: > 0 } || O.Dataset is not { Length: > 0 })
            throw new BigQueryException(
                "The BigQuery engine needs Warehouse:BigQuery:ProjectId and Warehouse:BigQuery:Dataset (see docs/bigquery.md).",
                "configuration", BigQueryErrorClass.Fatal);
        return new WarehouseReconciliationSql(definition,
            new BigQueryReconDialect(O.DataProjectId is { Length: > 0 } dp ? dp : O.ProjectId, O.Dataset), O.Tables);
    }

    /// <summary>Pass 1's query for the PG <paramref name="pg"/>: the business date's partitions, and the UTC bounds of the KST day.</summary>
    public BigQueryQuery Pass1Query(ReconciliationDefinition definition, DateOnly businessDate, string pg) =>
        new(Sql(definition).Pass1(),
        [
            BigQueryParameter.String("pg", pg),
            BigQueryParameter.Date("date", businessDate),
            BigQueryParameter.Timestamp("from", BusinessCalendar.StartOfDayUtc(businessDate)),
            BigQueryParameter.Timestamp("to", BusinessCalendar.StartOfDayUtc(businessDate.AddDays(1))),
        ])
        {
            Labels = Labels(businessDate, 1),
        };

    /// <summary>Pass 2's query for the PG <paramref name="pg"/>: only <paramref name="keys"/>, within the recheck window when one is set.</summary>
    public BigQueryQuery Pass2Query(ReconciliationDefinition definition, DateOnly businessDate, string pg, IReadOnlyList<string> keys)
    {
        var window = O.RecheckWindowDays > 0;
        var parameters = new List<BigQueryParameter> { BigQueryParameter.String("pg", pg), BigQueryParameter.StringArray("keys", keys) };
        if (window)
        {
            parameters.Add(BigQueryParameter.Date("recheck_from", businessDate.AddDays(-O.RecheckWindowDays)));
            parameters.Add(BigQueryParameter.Date("recheck_to", businessDate.AddDays(O.RecheckWindowDays)));
        }
        return new BigQueryQuery(Sql(definition).Pass2(window), parameters) { Labels = Labels(businessDate, 2) };
    }

    public Task<WarehousePassResult> RunPass1Async(ReconciliationDefinition definition, DateOnly businessDate, string pg,
        CancellationToken cancellationToken = default) =>
        RunAsync(1, Pass1Query(definition, businessDate, pg), cancellationToken);

    public async Task<WarehousePassResult> RunPass2Async(ReconciliationDefinition definition, DateOnly businessDate,
        string pg, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0)
            return new WarehousePassResult(2, [], new WarehouseJob(2, "", O.Location, 0, 0, 0, 0, ""));
        return await RunAsync(2, Pass2Query(definition, businessDate, pg, keys), cancellationToken);
    }

    /// <summary>
    /// What pass 1 of a date would scan, from a dry run (nothing runs, nothing is billed), against the limit —
    /// for the console to show before the user starts a run.
    /// </summary>
    public async Task<WarehouseEstimate> EstimatePass1Async(ReconciliationDefinition definition, DateOnly businessDate,
        string pg, CancellationToken cancellationToken = default)
    {
        var dry = await client.DryRunAsync(Pass1Query(definition, businessDate, pg), cancellationToken);
        return new WarehouseEstimate(dry.TotalBytesProcessed, O.MaximumBytesBilled);
    }

    private async Task<WarehousePassResult> RunAsync(int pass, BigQueryQuery query, CancellationToken ct)
    {
        var limit = query.MaximumBytesBilled ?? O.MaximumBytesBilled;
        var dry = await client.DryRunAsync(query, ct);
        logger.LogInformation("BigQuery pass {Pass} will scan {Bytes} (limit {Limit})", pass, FormatBytes(dry.TotalBytesProcessed), FormatBytes(limit));
        if (dry.TotalBytesProcessed > limit)
            throw new BigQueryException(
                $"Pass {pass} would scan {FormatBytes(dry.TotalBytesProcessed)} ({dry.TotalBytesProcessed:N0} bytes), more than " +
                $"Warehouse:BigQuery:MaximumBytesBilled allows ({FormatBytes(limit)}). Refused: nothing was run or billed. " +
                "Raise the limit, or check that both tables are partitioned by business date (docs/bigquery.md).",
                "bytesBilledLimitExceeded", BigQueryErrorClass.Fatal);

        var result = await client.QueryAsync(query, ct);
        var items = result.Rows.Select(WarehouseItem.FromRow).ToList();
        var job = new WarehouseJob(pass, result.Job.JobId, result.Job.Location, dry.TotalBytesProcessed,
            result.TotalBytesProcessed, result.TotalBytesBilled, result.JobAttempts, result.Job.ConsoleUrl);
        logger.LogInformation("BigQuery pass {Pass}: job {JobId}, {Rows} rows, {Processed} processed, {Billed} billed",
            pass, job.JobId, items.Count, FormatBytes(job.BytesProcessed), FormatBytes(job.BytesBilled));
        return new WarehousePassResult(pass, items, job);
    }

    /// <summary>
    /// The SQL of both passes and the parameters each would send, for a data engineer to review
    /// (<c>--print-sql</c>). Calls nothing. Pass 2's keys are those pass 1 finds, so a placeholder is shown.
    /// </summary>
    public string Describe(ReconciliationDefinition definition, DateOnly businessDate, string pg)
    {
        var sb = new StringBuilder();
        var target = $"{O.DataProjectId ?? O.ProjectId}.{O.Dataset}";
        sb.AppendLine(CultureInfo.InvariantCulture, $"-- Engine: BigQuery (Standard SQL), jobs run in project {O.ProjectId}, data in {target}, location {O.Location ?? "(default)"}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"-- Business date {businessDate:yyyy-MM-dd} (KST), PG {pg}; maximumBytesBilled {O.MaximumBytesBilled} ({FormatBytes(O.MaximumBytesBilled)}); each pass is dry-run first.");
        sb.AppendLine();
        Append(sb, "Pass 1", Pass1Query(definition, businessDate, pg));
        sb.AppendLine();
        Append(sb, "Pass 2 (the keys pass 1 finds; shown with placeholders)", Pass2Query(definition, businessDate, pg, ["<pass-1 key>", "…"]));
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string title, BigQueryQuery query)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"-- ===== {title} =====");
        sb.AppendLine("-- Parameters:");
        foreach (var p in query.Parameters)
            sb.AppendLine(CultureInfo.InvariantCulture, $"--   {p}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"-- Labels: {string.Join(", ", query.Labels.Select(l => $"{l.Key}={l.Value}"))}");
        sb.AppendLine(query.Sql.TrimEnd() + ";");
    }

    private static Dictionary<string, string> Labels(DateOnly date, int pass) => new()
    {
        ["app"] = "opsconsole",
        ["job"] = "reconciliation",
        ["business_date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["pass"] = pass.ToString(CultureInfo.InvariantCulture),
    };

    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double v = bytes;
        var u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{v:0.##} {units[u]}");
    }
}
