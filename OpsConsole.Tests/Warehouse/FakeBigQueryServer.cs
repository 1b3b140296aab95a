using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

/// <summary>What the client sent: the tests assert these, not just the results.</summary>
public sealed record RecordedRequest(string Kind, string Method, string Path, IReadOnlyDictionary<string, string> Query,
    JsonObject? Body, string? Authorization, string? RawBody)
{
    public string? RequestId => Body?["requestId"]?.GetValue<string>();
}

public sealed record ScriptedResponse(int Status, string Body);

/// <summary>
/// A real Kestrel server on 127.0.0.1 that speaks the BigQuery REST v2 protocol as scripted by a test: each
/// request kind (query, results, job, token) answers from its queue, or from a default when the queue is empty.
/// </summary>
public sealed class FakeBigQueryServer : IAsyncDisposable
{
    public const string Project = "ops-proj";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<RecordedRequest, ScriptedResponse>>> _scripts = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private FakeBigQueryServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    public IReadOnlyList<RecordedRequest> Of(string kind) => _requests.Where(r => r.Kind == kind).ToList();

    /// <summary>
    /// When set, queries and result pages nothing is scripted for are executed on this SQL engine (a PostgreSQL database
    /// holding the warehouse's tables) instead of failing with notFound.
    /// </summary>
    public FakeBigQuerySql? Executor { get; set; }

    /// <summary>Tests: answers a request before the executor does (null: let it through), e.g. a failure of one job.</summary>
    public Func<RecordedRequest, ScriptedResponse?>? Intercept { get; set; }

    /// <summary>Answers of kind "job" when nothing is scripted: DONE with these statistics.</summary>
    public long DefaultBytesProcessed { get; set; } = 1_000;

    public static async Task<FakeBigQueryServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeBigQueryServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/bigquery/v2/";
        return server;
    }

    public string TokenUrl => BaseUrl.Replace("/bigquery/v2/", "/token", StringComparison.Ordinal);

    public void Script(string kind, params Func<RecordedRequest, ScriptedResponse>[] responses)
    {
        var queue = _scripts.GetOrAdd(kind, _ => new ConcurrentQueue<Func<RecordedRequest, ScriptedResponse>>());
        foreach (var r in responses) queue.Enqueue(r);
    }

    public void Script(string kind, params ScriptedResponse[] responses) =>
        Script(kind, responses.Select(r => (Func<RecordedRequest, ScriptedResponse>)(_ => r)).ToArray());

    /// <summary>A client with fast backoff pointed at this server.</summary>
    public BigQueryClient Client(Action<BigQueryOptions>? configure = null, IBigQueryTokenSource? tokens = null)
    {
        var o = new BigQueryOptions
        {
            ProjectId = Project,
            Dataset = "ledger",
            Location = "asia-northeast3",
            BaseUrl = BaseUrl,
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(8),
            Deadline = TimeSpan.FromSeconds(30),
            HttpTimeout = TimeSpan.FromSeconds(10),
            PollWait = TimeSpan.FromSeconds(2),
            PageSize = 2,
        };
        configure?.Invoke(o);
        return new BigQueryClient(new HttpClient(), tokens ?? new StaticTokenSource("test-token"), Options.Create(o),
            TimeProvider.System, NullLogger<BigQueryClient>.Instance);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        string? raw = null;
        JsonObject? body = null;
        if (ctx.Request.ContentLength is > 0 || ctx.Request.Method == "POST")
        {
            raw = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
            if (ctx.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true && raw.Length > 0)
                body = JsonNode.Parse(raw) as JsonObject;
        }
        var kind = path switch
        {
            "/token" => "token",
            _ when path.EndsWith("/queries", StringComparison.Ordinal) => "query",
            _ when path.EndsWith("/cancel", StringComparison.Ordinal) => "cancel",
            _ when path.Contains("/queries/", StringComparison.Ordinal) => "results",
            _ when path.Contains("/jobs/", StringComparison.Ordinal) => "job",
            _ => "unknown",
        };
        var request = new RecordedRequest(kind, ctx.Request.Method, path,
            ctx.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()), body,
            ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, raw);
        _requests.Enqueue(request);

        var response = _scripts.TryGetValue(kind, out var queue) && queue.TryDequeue(out var next)
            ? next(request)
            : Intercept?.Invoke(request) ?? (Executor is { } sql && kind is "query" or "results" ? await sql.AnswerAsync(request) : Default(request));
        ctx.Response.StatusCode = response.Status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        await ctx.Response.WriteAsync(response.Body);
    }

    private ScriptedResponse Default(RecordedRequest r) => r.Kind switch
    {
        "job" => Bq.Job(r.Path.Split('/').Last(), DefaultBytesProcessed, DefaultBytesProcessed),
        "token" => new ScriptedResponse(200, """{"access_token":"ya29.default","expires_in":3600,"token_type":"Bearer"}"""),
        "cancel" => new ScriptedResponse(200, """{"kind":"bigquery#jobCancelResponse"}"""),
        _ => Bq.Error(404, "notFound", $"Nothing scripted for {r.Method} {r.Path}"),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class StaticTokenSource(string token) : IBigQueryTokenSource
{
    public int Calls;

    public Task<string> GetAccessTokenAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult(token);
    }
}

/// <summary>Builders of BigQuery REST answers.</summary>
public static class Bq
{
    public static readonly object[] DefaultSchema =
    [
        new { name = "transaction_key", type = "STRING", mode = "NULLABLE" },
        new { name = "amount", type = "INTEGER", mode = "NULLABLE" },
    ];

    public static ScriptedResponse Query(string jobId, bool complete, object[]? schema = null, object?[][]? rows = null,
        string? pageToken = null, string location = "asia-northeast3") =>
        new(200, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["kind"] = "bigquery#queryResponse",
            ["jobReference"] = new { projectId = FakeBigQueryServer.Project, jobId, location },
            ["jobComplete"] = complete,
            ["schema"] = complete ? new { fields = schema ?? DefaultSchema } : null,
            ["rows"] = complete && rows is not null ? rows.Select(Row).ToList() : null,
            ["totalRows"] = complete ? (rows?.Length ?? 0).ToString() : null,
            ["pageToken"] = pageToken,
        }.Where(kv => kv.Value is not null).ToDictionary()));

    public static object Row(object?[] values) => new { f = values.Select(v => new { v }).ToList() };

    public static ScriptedResponse Error(int status, string? reason, string message) =>
        new(status, JsonSerializer.Serialize(new
        {
            error = new
            {
                code = status,
                message,
                errors = reason is null ? [] : new[] { new { message, domain = "global", reason } },
                status = status switch { 400 => "INVALID_ARGUMENT", 401 => "UNAUTHENTICATED", 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", 503 => "UNAVAILABLE", _ => "INTERNAL" },
            },
        }));

    public static ScriptedResponse Job(string jobId, long processed, long billed, string? errorReason = null) =>
        new(200, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["kind"] = "bigquery#job",
            ["jobReference"] = new { projectId = FakeBigQueryServer.Project, jobId, location = "asia-northeast3" },
            ["status"] = errorReason is null
                ? new { state = "DONE" }
                : new { state = "DONE", errorResult = new { reason = errorReason, message = $"The job failed: {errorReason}" } },
            ["statistics"] = new
            {
                totalBytesProcessed = processed.ToString(),
                query = new { totalBytesProcessed = processed.ToString(), totalBytesBilled = billed.ToString(), cacheHit = false },
            },
        }));

    public static ScriptedResponse DryRun(long bytes) =>
        new(200, JsonSerializer.Serialize(new
        {
            kind = "bigquery#queryResponse",
            jobReference = new { projectId = FakeBigQueryServer.Project, location = "asia-northeast3" },
            jobComplete = true,
            totalBytesProcessed = bytes.ToString(),
            schema = new { fields = DefaultSchema },
        }));
}
