namespace OpsConsole.Core.Warehouse;

/// <summary>Settings <c>Warehouse:BigQuery:*</c>: where the warehouse is and how the client behaves.</summary>
public sealed class BigQueryOptions
{
    public const string Section = "Warehouse:BigQuery";

    /// <summary>The Google Cloud project that runs (and pays for) the query jobs.</summary>
    public string? ProjectId { get; set; }

    /// <summary>The dataset that holds both ledgers' tables.</summary>
    public string? Dataset { get; set; }

    /// <summary>Location of the dataset and the jobs, e.g. <c>asia-northeast3</c> (Seoul) or <c>US</c>.</summary>
    public string? Location { get; set; }

    /// <summary>Project of the dataset when it differs from <see cref="ProjectId"/> (data in another project).</summary>
    public string? DataProjectId { get; set; }

    /// <summary>Table layout: table names and a column mapping (defaults match docs/bigquery.md).</summary>
    public WarehouseTableLayout Tables { get; set; } = new();

    /// <summary>Refuse any query that would bill more bytes than this (checked by a dry run first and sent as
    /// <c>maximumBytesBilled</c>). Default 100 GiB.</summary>
    public long MaximumBytesBilled { get; set; } = 100L * 1024 * 1024 * 1024;

    /// <summary>
    /// Pass 2 looks the pass-1 keys up in the partitions within ± this many days of the business date. 0 reads
    /// every partition (as the other engines do, but on a warehouse that can mean terabytes).
    /// </summary>
    public int RecheckWindowDays { get; set; } = 7;

    /// <summary>Service-account key file. Empty: application default credentials
    /// (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC, or the metadata server on Google Cloud).</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Base address of the REST API; changed only by tests.</summary>
    public string BaseUrl { get; set; } = "https://bigquery.googleapis.com/bigquery/v2/";

    /// <summary>Job labels added to every query (e.g. team, cost centre). Keys and values: lowercase, digits, _ and -.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>First delay of the exponential backoff (1 s by default, then 2, 4 … up to <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(32);

    /// <summary>Overall deadline of one query including every retry, re-run, poll and page.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Timeout of one HTTP call.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(70);

    /// <summary>How long BigQuery may hold one jobs.query / getQueryResults call waiting for the job (timeoutMs).</summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Rows per page of results (maxResults).</summary>
    public int PageSize { get; set; } = 10_000;

    /// <summary>How many times one query is run as a new job after job-level transient errors.</summary>
    public int MaxJobAttempts { get; set; } = 3;

    public string FullyQualified(string table) =>
        $"`{DataProjectId ?? ProjectId}.{Dataset}.{table}`";
}
