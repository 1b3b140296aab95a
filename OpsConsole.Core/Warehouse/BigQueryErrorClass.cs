namespace OpsConsole.Core.Warehouse;

/// <summary>What to do about a BigQuery error, decided by its <c>reason</c> (not the HTTP status).</summary>
public enum BigQueryErrorClass
{
    /// <summary>Send the same HTTP request again (same requestId): the service had a passing fault.</summary>
    RetryCall,

    /// <summary>The job itself failed for a passing reason: run the query again as a new job (new requestId).</summary>
    RerunJob,

    /// <summary>Retrying cannot help: the query, the permissions, the quota or the byte limit must change.</summary>
    Fatal,
}

public static class BigQueryErrorClassifier
{
    private static readonly HashSet<string> RetryCallReasons = new(StringComparer.Ordinal)
    {
        "rateLimitExceeded", "backendError", "internalError",
    };

    private static readonly HashSet<string> RerunJobReasons = new(StringComparer.Ordinal)
    {
        "jobRateLimitExceeded", "jobBackendError", "jobInternalError",
    };

    /// <summary>
    /// Classifies by reason first. Without a reason (a proxy's answer, an empty body), 502/503/504 and 500
    /// are retried as calls and anything else is final.
    /// </summary>
    public static BigQueryErrorClass Classify(string? reason, int? httpStatus)
    {
        if (reason is not null && RetryCallReasons.Contains(reason)) return BigQueryErrorClass.RetryCall;
        if (reason is not null && RerunJobReasons.Contains(reason)) return BigQueryErrorClass.RerunJob;
        if (reason is not null && reason.Length > 0 && !IsGenericStatusName(reason)) return BigQueryErrorClass.Fatal;
        return httpStatus is 500 or 502 or 503 or 504 ? BigQueryErrorClass.RetryCall : BigQueryErrorClass.Fatal;
    }

    // Google's error envelope also carries a status name (UNAVAILABLE, INTERNAL) where a body has no reason.
    private static bool IsGenericStatusName(string reason) => reason is "UNAVAILABLE" or "INTERNAL" or "DEADLINE_EXCEEDED";

    /// <summary>What the reason means for the person reading the run record.</summary>
    public static string Explain(string? reason) => reason switch
    {
        "rateLimitExceeded" => "BigQuery is rate-limiting API calls",
        "backendError" or "internalError" => "BigQuery had a temporary internal error",
        "jobRateLimitExceeded" => "BigQuery is rate-limiting jobs on this table or project",
        "jobBackendError" or "jobInternalError" => "the BigQuery job failed on a temporary internal error",
        "quotaExceeded" => "a BigQuery quota of the project is used up; wait for it to reset or raise it",
        "invalidQuery" => "BigQuery rejected the SQL",
        "accessDenied" => "the service account lacks a permission (it needs BigQuery Job User on the project and BigQuery Data Viewer on the dataset)",
        "notFound" => "a project, dataset, table or job was not found; check Warehouse:BigQuery:ProjectId, Dataset, Location and the table names",
        "bytesBilledLimitExceeded" => "the query would bill more bytes than Warehouse:BigQuery:MaximumBytesBilled allows",
        "resourcesExceeded" => "the query needed more resources than BigQuery allows for one query",
        "authError" or "unauthenticated" => "BigQuery rejected the credentials",
        "responseTooLarge" => "the result is too large to return",
        _ => "BigQuery reported an error",
    };
}
