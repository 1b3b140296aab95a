namespace OpsConsole.Core.Warehouse;

/// <summary>What a run records about one BigQuery pass: which job, what it scanned and billed, where to see it.</summary>
public sealed record WarehouseJob(
    int Pass,
    string JobId,
    string? Location,
    long EstimatedBytes,
    long BytesProcessed,
    long BytesBilled,
    int Attempts,
    string ConsoleUrl);

/// <summary>The result of one pass: the returned rows and the job that produced them.</summary>
public sealed record WarehousePassResult(int Pass, IReadOnlyList<WarehouseItem> Items, WarehouseJob Job);

/// <summary>The bytes a pass would scan and the configured limit.</summary>
public sealed record WarehouseEstimate(long Bytes, long MaximumBytesBilled)
{
    public bool WithinLimit => Bytes <= MaximumBytesBilled;

    public override string ToString() =>
        $"{BigQueryReconciliationEngine.FormatBytes(Bytes)} of {BigQueryReconciliationEngine.FormatBytes(MaximumBytesBilled)} allowed" +
        (WithinLimit ? "" : " — over the limit, a run would be refused");
}
