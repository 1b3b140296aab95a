namespace OpsConsole.Core.Warehouse;

/// <summary>One Standard SQL query to run (or dry-run) as a BigQuery job.</summary>
public sealed record BigQueryQuery(string Sql, IReadOnlyList<BigQueryParameter> Parameters)
{
    /// <summary>Job labels, merged over <see cref="BigQueryOptions.Labels"/>.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Overrides <see cref="BigQueryOptions.MaximumBytesBilled"/> for this query.</summary>
    public long? MaximumBytesBilled { get; init; }
}
