using OpsConsole.Core.Common;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// A BigQuery call or job that failed for good (after any retries). <see cref="Exception.Message"/> is plain
/// words for the run record and the console; <see cref="Reason"/> and <see cref="Detail"/> keep BigQuery's own.
/// </summary>
public sealed class BigQueryException(
    string message,
    string? reason,
    BigQueryErrorClass errorClass,
    int? statusCode = null,
    string? detail = null,
    string? jobId = null)
    : DomainException("BIGQUERY_" + ToCode(reason), message, 502)
{
    /// <summary>BigQuery's error reason, e.g. <c>invalidQuery</c>; null when the answer carried none.</summary>
    public string? Reason { get; } = reason;

    public BigQueryErrorClass ErrorClass { get; } = errorClass;

    /// <summary>The HTTP status of the failed call, when there was one.</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>BigQuery's own message (e.g. the SQL error with its position).</summary>
    public string? Detail { get; } = detail;

    public string? JobId { get; } = jobId;

    // rateLimitExceeded -> RATE_LIMIT_EXCEEDED
    private static string ToCode(string? reason) =>
        string.IsNullOrEmpty(reason)
            ? "ERROR"
            : string.Concat(reason.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + c : char.ToUpperInvariant(c).ToString()));
}
