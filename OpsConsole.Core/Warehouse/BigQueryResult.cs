namespace OpsConsole.Core.Warehouse;

/// <summary>A field of the result schema (nested <see cref="Fields"/> for RECORD/STRUCT).</summary>
public sealed record BigQueryField(string Name, string Type, string Mode, IReadOnlyList<BigQueryField> Fields)
{
    public bool IsRepeated => string.Equals(Mode, "REPEATED", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The finished job and all its rows.</summary>
public sealed record BigQueryResult(
    BigQueryJobReference Job,
    IReadOnlyList<BigQueryField> Schema,
    IReadOnlyList<BigQueryRow> Rows,
    long TotalBytesProcessed,
    long TotalBytesBilled,
    bool CacheHit,
    int JobAttempts);

/// <summary>What a dry run says the query would scan. No job runs and nothing is billed.</summary>
public sealed record BigQueryDryRun(long TotalBytesProcessed, IReadOnlyList<BigQueryField> Schema);

public sealed record BigQueryJobReference(string ProjectId, string JobId, string? Location)
{
    /// <summary>The job's page in the Google Cloud console.</summary>
    public string ConsoleUrl =>
        $"https://console.cloud.google.com/bigquery?project={Uri.EscapeDataString(ProjectId)}" +
        $"&j=bq:{Uri.EscapeDataString(Location ?? "US")}:{Uri.EscapeDataString(JobId)}&page=queryresults";
}
