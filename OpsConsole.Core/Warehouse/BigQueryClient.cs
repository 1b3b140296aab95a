using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// BigQuery REST v2 client for Standard SQL queries: <c>jobs.query</c>, <c>jobs.getQueryResults</c> (polling
/// while the job runs, then every page) and <c>jobs.get</c> (final status and billing).
/// <para>Errors are classified by reason (<see cref="BigQueryErrorClassifier"/>): a passing fault of a call
/// re-sends the same request — the same <c>requestId</c>, so BigQuery returns the job it already started
/// instead of starting a second one; a job that failed for a passing reason is run again under a new
/// <c>requestId</c>; anything else fails at once. Backoff is exponential with jitter, bounded by
/// <see cref="BigQueryOptions.Deadline"/> over the whole query.</para>
/// </summary>
public sealed class BigQueryClient(
    HttpClient http,
    IBigQueryTokenSource tokens,
    IOptions<BigQueryOptions> options,
    TimeProvider clock,
    ILogger<BigQueryClient> logger)
{
    public const string HttpClientName = "bigquery";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private BigQueryOptions O => options.Value;

    /// <summary>Asks BigQuery what the query would scan, without running it (nothing is billed).</summary>
    public async Task<BigQueryDryRun> DryRunAsync(BigQueryQuery query, CancellationToken cancellationToken = default)
    {
        var deadline = StartDeadline();
        var response = await SendAsync(HttpMethod.Post, $"projects/{Esc(ProjectId)}/queries",
            BuildRequest(query, Guid.NewGuid().ToString(), dryRun: true), deadline, "the dry run", cancellationToken);
        return new BigQueryDryRun(ReadLong(response, "totalBytesProcessed"), ReadSchema(response));
    }

    /// <summary>Runs the query as a job and returns every row once the job is done.</summary>
    public async Task<BigQueryResult> QueryAsync(BigQueryQuery query, CancellationToken cancellationToken = default)
    {
        var deadline = StartDeadline();
        var maxAttempts = Math.Max(1, O.MaxJobAttempts);
        for (var attempt = 1; ; attempt++)
        {
            // One requestId per job attempt: HTTP retries inside the attempt reuse it.
            var requestId = Guid.NewGuid().ToString();
            try
            {
                return await RunJobAsync(query, requestId, attempt, deadline, cancellationToken);
            }
            catch (BigQueryException e) when (e.ErrorClass == BigQueryErrorClass.RerunJob)
            {
                if (attempt >= maxAttempts)
                    throw new BigQueryException(
                        $"The BigQuery job failed {attempt} times in a row ({BigQueryErrorClassifier.Explain(e.Reason)}); " +
                        $"giving up. Last error: {e.Detail ?? e.Message}",
                        e.Reason, BigQueryErrorClass.Fatal, e.StatusCode, e.Detail, e.JobId);
                logger.LogWarning("BigQuery job {JobId} failed ({Reason}); running the query again as a new job (attempt {Attempt} of {Max})",
                    e.JobId, e.Reason, attempt + 1, maxAttempts);
                await BackoffAsync(attempt - 1, deadline, e, cancellationToken);
            }
        }
    }

    private async Task<BigQueryResult> RunJobAsync(BigQueryQuery query, string requestId, int attempt,
        Deadline deadline, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Post, $"projects/{Esc(ProjectId)}/queries",
            BuildRequest(query, requestId, dryRun: false), deadline, "the query", ct);
        var job = ReadJobReference(response)
                  ?? throw new BigQueryException("BigQuery answered the query without a job reference.", null,
                      BigQueryErrorClass.Fatal, detail: response.GetRawText());

        try
        {
            while (!(response.TryGetProperty("jobComplete", out var done) && done.ValueKind == JsonValueKind.True))
                response = await SendAsync(HttpMethod.Get, ResultsPath(job, null), null, deadline, $"job {job.JobId}", ct);
        }
        catch (Exception e) when (e is OperationCanceledException || e is BigQueryException { Reason: "deadlineExceeded" })
        {
            // Nobody will read the result: stop the job so it does not keep using (and billing) slots.
            await CancelJobAsync(job);
            throw;
        }

        var schema = ReadSchema(response);
        var rows = new List<BigQueryRow>();
        while (true)
        {
            if (response.TryGetProperty("rows", out var page))
                rows.AddRange(page.EnumerateArray().Select(r => BigQueryRow.Decode(schema, r)));
            if (!response.TryGetProperty("pageToken", out var token) || token.GetString() is not { Length: > 0 } next)
                break;
            response = await SendAsync(HttpMethod.Get, ResultsPath(job, next), null, deadline, $"job {job.JobId}", ct);
        }

        // jobs.get: the final status (a job can end in error after returning rows) and the billing figures.
        var jobResource = await SendAsync(HttpMethod.Get,
            $"projects/{Esc(job.ProjectId)}/jobs/{Esc(job.JobId)}{LocationQuery(job.Location, '?')}", null, deadline,
            $"job {job.JobId}", ct);
        if (jobResource.TryGetProperty("status", out var status) && status.TryGetProperty("errorResult", out var error))
        {
            var reason = error.TryGetProperty("reason", out var r) ? r.GetString() : null;
            var message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            throw new BigQueryException(
                $"BigQuery job {job.JobId} failed: {BigQueryErrorClassifier.Explain(reason)} ({reason}: {message})",
                reason, BigQueryErrorClassifier.Classify(reason, null), null, message, job.JobId);
        }
        var stats = jobResource.TryGetProperty("statistics", out var s) ? s : default;
        var queryStats = stats.ValueKind == JsonValueKind.Object && stats.TryGetProperty("query", out var q) ? q : default;
        return new BigQueryResult(job, schema, rows,
            TotalBytesProcessed: ReadLong(queryStats, "totalBytesProcessed", ReadLong(stats, "totalBytesProcessed")),
            TotalBytesBilled: ReadLong(queryStats, "totalBytesBilled"),
            CacheHit: queryStats.ValueKind == JsonValueKind.Object && queryStats.TryGetProperty("cacheHit", out var c) && c.ValueKind == JsonValueKind.True,
            JobAttempts: attempt);
    }

    /// <summary>jobs.cancel, best effort: a failure to cancel is logged, never thrown over the original error.</summary>
    private async Task CancelJobAsync(BigQueryJobReference job)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var token = await tokens.GetAccessTokenAsync(cts.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri,
                $"projects/{Esc(job.ProjectId)}/jobs/{Esc(job.JobId)}/cancel{LocationQuery(job.Location, '?')}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cts.Token);
            logger.LogInformation("Asked BigQuery to cancel job {JobId}: HTTP {Status}", job.JobId, (int)response.StatusCode);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not cancel BigQuery job {JobId}; it may run to completion", job.JobId);
        }
    }

    private string BuildRequest(BigQueryQuery query, string requestId, bool dryRun)
    {
        var labels = new Dictionary<string, string>(O.Labels, StringComparer.Ordinal);
        foreach (var (k, v) in query.Labels) labels[k] = v;
        var body = new QueryRequestJson(
            Query: query.Sql,
            UseLegacySql: false,
            ParameterMode: query.Parameters.Count > 0 ? "NAMED" : null,
            QueryParameters: query.Parameters.Count > 0 ? query.Parameters.Select(p => p.ToJson()).ToList() : null,
            Location: O.Location,
            Labels: labels.Count > 0 ? labels : null,
            MaximumBytesBilled: (query.MaximumBytesBilled ?? O.MaximumBytesBilled).ToString(CultureInfo.InvariantCulture),
            DryRun: dryRun,
            UseQueryCache: dryRun ? false : null,
            RequestId: requestId,
            FormatOptions: new FormatOptionsJson(UseInt64Timestamp: true),
            TimeoutMs: (long)O.PollWait.TotalMilliseconds,
            MaxResults: O.PageSize);
        return JsonSerializer.Serialize(body, Json);
    }

    private string ResultsPath(BigQueryJobReference job, string? pageToken)
    {
        var path = new StringBuilder($"projects/{Esc(job.ProjectId)}/queries/{Esc(job.JobId)}");
        path.Append("?formatOptions.useInt64Timestamp=true");
        path.Append(CultureInfo.InvariantCulture, $"&timeoutMs={(long)O.PollWait.TotalMilliseconds}");
        path.Append(CultureInfo.InvariantCulture, $"&maxResults={O.PageSize}");
        path.Append(LocationQuery(job.Location, '&'));
        if (pageToken is not null) path.Append("&pageToken=").Append(Esc(pageToken));
        return path.ToString();
    }

    private static string LocationQuery(string? location, char separator) =>
        location is { Length: > 0 } ? $"{separator}location={Esc(location)}" : "";

    /// <summary>One REST call, re-sent (same body, same requestId) while the error is of the retry-call class.</summary>
    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string? body, Deadline deadline,
        string what, CancellationToken ct)
    {
        var baseUri = BaseUri;
        BigQueryException? last = null;
        for (var retry = 0; ; retry++)
        {
            var token = await tokens.GetAccessTokenAsync(ct);
            using var request = new HttpRequestMessage(method, new Uri(baseUri, path));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");

            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var remaining = deadline.Remaining;
            if (remaining <= TimeSpan.Zero)
                throw deadline.Expired(retry, last);
            attemptCts.CancelAfter(remaining < O.HttpTimeout ? remaining : O.HttpTimeout);

            BigQueryException failure;
            try
            {
                using var response = await http.SendAsync(request, attemptCts.Token);
                var text = await response.Content.ReadAsStringAsync(attemptCts.Token);
                if (response.IsSuccessStatusCode)
                    return JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone();
                failure = ParseError((int)response.StatusCode, text, what);
            }
            catch (HttpRequestException e)
            {
                failure = new BigQueryException($"Could not reach BigQuery for {what}: {e.Message}", null,
                    BigQueryErrorClass.RetryCall, detail: e.Message);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (deadline.Remaining <= TimeSpan.Zero)
                    throw deadline.Expired(retry + 1, last); // cut short by the overall deadline, not a slow answer
                failure = new BigQueryException($"BigQuery did not answer {what} within {O.HttpTimeout.TotalSeconds:0} s.",
                    null, BigQueryErrorClass.RetryCall);
            }

            if (failure.ErrorClass != BigQueryErrorClass.RetryCall)
                throw failure;
            last = failure;
            logger.LogWarning("BigQuery call for {What} failed ({Reason}, HTTP {Status}); retrying the same request",
                what, failure.Reason, failure.StatusCode);
            await BackoffAsync(retry, deadline, failure, ct);
        }
    }

    private async Task BackoffAsync(int retry, Deadline deadline, BigQueryException failure, CancellationToken ct)
    {
        var delay = BigQueryBackoff.Delay(retry, O.InitialRetryDelay, O.MaxRetryDelay, Random.Shared.NextDouble());
        if (delay >= deadline.Remaining)
            throw deadline.Expired(retry + 1, failure);
        await Task.Delay(delay, clock, ct);
    }

    private static BigQueryException ParseError(int status, string text, string what)
    {
        string? reason = null, message = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
                if (error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                    foreach (var e in errors.EnumerateArray())
                        if (e.TryGetProperty("reason", out var r) && r.GetString() is { Length: > 0 } rs)
                        {
                            reason = rs;
                            message ??= e.TryGetProperty("message", out var em) ? em.GetString() : null;
                            break;
                        }
                if (reason is null && error.TryGetProperty("status", out var st))
                    reason = st.GetString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's or load balancer's page. The status decides.
        }
        if (status == 401 && reason is null or "UNAUTHENTICATED") reason = "authError";
        if (status == 429 && reason is null or "RESOURCE_EXHAUSTED") reason = "rateLimitExceeded";
        var errorClass = BigQueryErrorClassifier.Classify(reason, status);
        var detail = message ?? (text.Length > 300 ? text[..300] : text);
        return new BigQueryException(
            $"BigQuery refused {what}: {BigQueryErrorClassifier.Explain(reason)}. {detail} (HTTP {status}{(reason is null ? "" : ", reason " + reason)})",
            reason, errorClass, status, detail);
    }

    private static BigQueryJobReference? ReadJobReference(JsonElement response)
    {
        if (!response.TryGetProperty("jobReference", out var j) || !j.TryGetProperty("jobId", out var id))
            return null;
        return new BigQueryJobReference(
            j.GetProperty("projectId").GetString()!,
            id.GetString()!,
            j.TryGetProperty("location", out var l) ? l.GetString() : null);
    }

    private static IReadOnlyList<BigQueryField> ReadSchema(JsonElement response) =>
        response.ValueKind == JsonValueKind.Object && response.TryGetProperty("schema", out var s) && s.TryGetProperty("fields", out var f)
            ? ReadFields(f)
            : [];

    private static List<BigQueryField> ReadFields(JsonElement fields) =>
        fields.EnumerateArray().Select(f => new BigQueryField(
            f.GetProperty("name").GetString()!,
            f.GetProperty("type").GetString()!,
            f.TryGetProperty("mode", out var m) ? m.GetString() ?? "NULLABLE" : "NULLABLE",
            f.TryGetProperty("fields", out var sub) ? ReadFields(sub) : [])).ToList();

    private static long ReadLong(JsonElement e, string name, long fallback = 0) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetInt64() : long.Parse(v.GetString()!, CultureInfo.InvariantCulture)
            : fallback;

    private string ProjectId => O.ProjectId is { Length: > 0 } p
        ? p
        : throw new BigQueryException("Warehouse:BigQuery:ProjectId is not set: name the Google Cloud project that runs the queries.",
            "configuration", BigQueryErrorClass.Fatal);

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private Uri BaseUri => new(O.BaseUrl.EndsWith('/') ? O.BaseUrl : O.BaseUrl + "/");

    private Deadline StartDeadline() => new(clock, O.Deadline);

    private sealed class Deadline(TimeProvider clock, TimeSpan budget)
    {
        private readonly DateTimeOffset _start = clock.GetUtcNow();

        public TimeSpan Remaining => _start + budget - clock.GetUtcNow();

        public BigQueryException Expired(int attempts, BigQueryException? last) => new(
            $"Gave up on BigQuery after {attempts} attempt(s): the deadline of {budget} (Warehouse:BigQuery:Deadline) passed." +
            (last is null ? "" : $" Last error: {last.Message}"),
            last?.Reason ?? "deadlineExceeded", BigQueryErrorClass.Fatal, last?.StatusCode, last?.Detail, last?.JobId);
    }

    private sealed record QueryRequestJson(
        string Query,
        bool UseLegacySql,
        string? ParameterMode,
        IReadOnlyList<QueryParameterJson>? QueryParameters,
        string? Location,
        IReadOnlyDictionary<string, string>? Labels,
        string MaximumBytesBilled,
        bool DryRun,
        bool? UseQueryCache,
        string RequestId,
        FormatOptionsJson FormatOptions,
        long TimeoutMs,
        int MaxResults);

    private sealed record FormatOptionsJson(bool UseInt64Timestamp);
}
