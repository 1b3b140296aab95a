using System.Text.Json.Nodes;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

public sealed class BigQueryClientTests : IAsyncLifetime
{
    private FakeBigQueryServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeBigQueryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static BigQueryQuery SampleQuery() => new(
        "SELECT transaction_key, amount FROM t WHERE d = @d",
        [
            BigQueryParameter.String("method", "카드"),
            BigQueryParameter.Int64("min_amount", 1000),
            BigQueryParameter.Numeric("tolerance", 0.005m),
            BigQueryParameter.Date("d", new DateOnly(2026, 11, 24)),
            BigQueryParameter.Timestamp("from_ts", new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero)),
            BigQueryParameter.StringArray("keys", ["tx-1", "tx-2"]),
        ])
    {
        Labels = new Dictionary<string, string> { ["pass"] = "1" },
        MaximumBytesBilled = 5_000_000,
    };

    [Fact]
    public async Task Query_WhenJobCompletesLater_PollsGetQueryResultsUntilComplete_AndSendsTheFullRequestBody()
    {
        _server.Script("query", Bq.Query("job-1", complete: false));
        _server.Script("results",
            Bq.Query("job-1", complete: false),
            Bq.Query("job-1", complete: true, rows: [["tx-1", "1000"]]));
        _server.Script("job", Bq.Job("job-1", processed: 2048, billed: 10_485_760));
        var client = _server.Client(o => o.Labels["app"] = "opsconsole");

        var result = await client.QueryAsync(SampleQuery());

        Assert.Equal("job-1", result.Job.JobId);
        Assert.Equal("asia-northeast3", result.Job.Location);
        Assert.Equal(2048, result.TotalBytesProcessed);
        Assert.Equal(10_485_760, result.TotalBytesBilled);
        Assert.Equal("tx-1", Assert.Single(result.Rows).GetString("transaction_key"));
        Assert.Equal(1, result.JobAttempts);

        var post = Assert.Single(_server.Of("query"));
        Assert.Equal("Bearer test-token", post.Authorization);
        Assert.Equal($"/bigquery/v2/projects/{FakeBigQueryServer.Project}/queries", post.Path);
        var expected = JsonNode.Parse("""
            {
              "query": "SELECT transaction_key, amount FROM t WHERE d = @d",
              "useLegacySql": false,
              "parameterMode": "NAMED",
              "queryParameters": [
                {"name":"method","parameterType":{"type":"STRING"},"parameterValue":{"value":"카드"}},
                {"name":"min_amount","parameterType":{"type":"INT64"},"parameterValue":{"value":"1000"}},
                {"name":"tolerance","parameterType":{"type":"NUMERIC"},"parameterValue":{"value":"0.005"}},
                {"name":"d","parameterType":{"type":"DATE"},"parameterValue":{"value":"2026-11-24"}},
                {"name":"from_ts","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2026-11-23 15:00:00.000000+00:00"}},
                {"name":"keys","parameterType":{"type":"ARRAY","arrayType":{"type":"STRING"}},
                 "parameterValue":{"arrayValues":[{"value":"tx-1"},{"value":"tx-2"}]}}
              ],
              "location": "asia-northeast3",
              "labels": {"app":"opsconsole","pass":"1"},
              "maximumBytesBilled": "5000000",
              "dryRun": false,
              "requestId": "REQUEST_ID",
              "formatOptions": {"useInt64Timestamp": true},
              "timeoutMs": 2000,
              "maxResults": 2
            }
            """)!.AsObject();
        expected["requestId"] = post.RequestId;
        Assert.True(Guid.TryParse(post.RequestId, out _), $"requestId should be a fresh GUID, was {post.RequestId}");
        Assert.True(JsonNode.DeepEquals(expected, post.Body), $"request body was {post.RawBody}");

        var polls = _server.Of("results");
        Assert.Equal(2, polls.Count);
        Assert.All(polls, p =>
        {
            Assert.Equal("GET", p.Method);
            Assert.EndsWith("/queries/job-1", p.Path);
            Assert.Equal("true", p.Query["formatOptions.useInt64Timestamp"]);
            Assert.Equal("asia-northeast3", p.Query["location"]);
            Assert.Equal("2000", p.Query["timeoutMs"]);
            Assert.False(p.Query.ContainsKey("pageToken"));
        });
        var job = Assert.Single(_server.Of("job"));
        Assert.EndsWith("/jobs/job-1", job.Path);
        Assert.Equal("asia-northeast3", job.Query["location"]);
    }

    [Fact]
    public async Task Query_WithSeveralPages_FollowsPageTokens_AndDecodesEveryType()
    {
        object[] schema =
        [
            new { name = "s", type = "STRING", mode = "NULLABLE" },
            new { name = "i", type = "INTEGER", mode = "NULLABLE" },
            new { name = "n", type = "NUMERIC", mode = "NULLABLE" },
            new { name = "d", type = "DATE", mode = "NULLABLE" },
            new { name = "ts", type = "TIMESTAMP", mode = "NULLABLE" },
            new { name = "b", type = "BOOLEAN", mode = "NULLABLE" },
            new { name = "f", type = "FLOAT", mode = "NULLABLE" },
            new { name = "keys", type = "STRING", mode = "REPEATED" },
            new { name = "rec", type = "RECORD", mode = "NULLABLE", fields = new object[] { new { name = "x", type = "INTEGER", mode = "NULLABLE" } } },
        ];
        object? Rep(params string[] v) => v.Select(x => new { v = x }).ToArray();
        object Rec(string x) => new { f = new[] { new { v = x } } };
        _server.Script("query", Bq.Query("job-p", true, schema,
            [["a", "9007199254740993", "123456789012345678.123456789", "2026-11-24", "1764001799999999", "true", "1.5", Rep("k1", "k2"), Rec("7")],
             [null, null, null, null, null, null, null, Rep(), null]], pageToken: "page-2"));
        _server.Script("results",
            Bq.Query("job-p", true, schema, [["c", "-1", "0", "2026-01-01", "0", "false", "-0.25", Rep("k3"), Rec("8")]], pageToken: "page-3"),
            Bq.Query("job-p", true, schema, [["d", "3", "1", "2026-12-31", "1", "false", "0", Rep(), Rec("9")]]));

        var result = await _server.Client().QueryAsync(new BigQueryQuery("SELECT 1", []));

        Assert.Equal(["a", null, "c", "d"], result.Rows.Select(r => r.GetString("s")));
        var first = result.Rows[0];
        Assert.Equal(9007199254740993L, first.GetInt64("i"));
        Assert.Equal(123456789012345678.123456789m, first.GetNumeric("n"));
        Assert.Equal(new DateOnly(2026, 11, 24), first.GetDate("d"));
        Assert.Equal(new DateTimeOffset(2025, 11, 24, 16, 29, 59, TimeSpan.Zero).AddTicks(9_999_990), first.GetTimestamp("ts"));
        Assert.True(first.GetBool("b"));
        Assert.Equal(1.5, first["f"]);
        Assert.Equal(["k1", "k2"], first.GetArray("keys"));
        Assert.Equal(7L, ((BigQueryRow)first["rec"]!).GetInt64("x"));
        var nulls = result.Rows[1];
        Assert.Null(nulls.GetInt64("i"));
        Assert.Null(nulls.GetTimestamp("ts"));
        Assert.Empty(nulls.GetArray("keys"));
        Assert.Null(nulls["rec"]);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(10), result.Rows[3].GetTimestamp("ts"));

        var pages = _server.Of("results");
        Assert.Equal(["page-2", "page-3"], pages.Select(p => p.Query["pageToken"]));
        Assert.All(pages, p => Assert.Equal("true", p.Query["formatOptions.useInt64Timestamp"]));
    }

    [Fact]
    public async Task Query_WhenCallsAreRateLimitedOrBackendFails_ResendsTheSameRequestWithTheSameRequestId()
    {
        _server.Script("query",
            Bq.Error(403, "rateLimitExceeded", "Exceeded rate limits: too many api requests per user per method"),
            Bq.Error(500, "backendError", "Backend error"),
            Bq.Error(503, null, "Service Unavailable"),
            Bq.Error(502, null, "<html>Bad Gateway</html>"),
            Bq.Query("job-r", true, rows: [["tx-1", "5"]]));
        _server.Script("results", Bq.Error(500, "internalError", "Internal error"));
        _server.Script("job", Bq.Error(504, null, "Gateway Timeout"));

        var result = await _server.Client().QueryAsync(SampleQuery());

        Assert.Equal("job-r", result.Job.JobId);
        Assert.Single(result.Rows);
        var posts = _server.Of("query");
        Assert.Equal(5, posts.Count);
        Assert.Single(posts.Select(p => p.RawBody).Distinct());
        Assert.Single(posts.Select(p => p.RequestId).Distinct());
        Assert.Equal(1, result.JobAttempts);
        Assert.Equal(2, _server.Of("job").Count);
    }

    [Fact]
    public async Task Query_When5xxHidesAJobThatSucceeded_TheRetryWithTheSameRequestIdReturnsThatJob()
    {
        // The server is idempotent by requestId, as BigQuery is: the first POST starts the job but the answer is lost.
        var jobsByRequestId = new Dictionary<string, string>();
        ScriptedResponse Start(RecordedRequest r, bool loseAnswer)
        {
            if (!jobsByRequestId.TryGetValue(r.RequestId!, out var jobId))
                jobsByRequestId[r.RequestId!] = jobId = $"job-{jobsByRequestId.Count + 1}";
            return loseAnswer ? Bq.Error(503, "backendError", "Visibility check was unavailable") : Bq.Query(jobId, true, rows: [["tx-9", "900"]]);
        }
        _server.Script("query", r => Start(r, loseAnswer: true), r => Start(r, loseAnswer: false));

        var result = await _server.Client().QueryAsync(SampleQuery());

        Assert.Equal("job-1", result.Job.JobId);
        Assert.Single(jobsByRequestId);
        Assert.Equal(900L, Assert.Single(result.Rows).GetInt64("amount"));
        Assert.Single(_server.Of("query").Select(p => p.RequestId).Distinct());
    }

    [Theory]
    [InlineData("jobRateLimitExceeded")]
    [InlineData("jobBackendError")]
    [InlineData("jobInternalError")]
    public async Task Query_WhenTheJobFailsTransiently_RunsItAgainUnderANewRequestId(string reason)
    {
        _server.Script("query", Bq.Error(400, reason, "Job failed"), Bq.Query("job-2", true, rows: [["tx-1", "1"]]));

        var result = await _server.Client().QueryAsync(SampleQuery());

        Assert.Equal("job-2", result.Job.JobId);
        Assert.Equal(2, result.JobAttempts);
        var posts = _server.Of("query");
        Assert.Equal(2, posts.Count);
        Assert.NotEqual(posts[0].RequestId, posts[1].RequestId);
        // Apart from the requestId the two attempts send the same query.
        posts[1].Body!["requestId"] = posts[0].RequestId;
        Assert.True(JsonNode.DeepEquals(posts[0].Body, posts[1].Body));
    }

    [Fact]
    public async Task Query_WhenTheFinishedJobReportsAJobBackendError_RunsItAgain()
    {
        _server.Script("query", Bq.Query("job-a", true, rows: [["tx-1", "1"]]), Bq.Query("job-b", true, rows: [["tx-1", "1"]]));
        _server.Script("job", Bq.Job("job-a", 1, 1, errorReason: "jobBackendError"), Bq.Job("job-b", 1, 10));

        var result = await _server.Client().QueryAsync(SampleQuery());

        Assert.Equal("job-b", result.Job.JobId);
        Assert.Equal(10, result.TotalBytesBilled);
        Assert.Equal(2, _server.Of("query").Select(p => p.RequestId).Distinct().Count());
    }

    [Fact]
    public async Task Query_WhenTheJobKeepsFailingTransiently_GivesUpAfterMaxJobAttempts()
    {
        _server.Script("query", Enumerable.Range(0, 5).Select(_ => Bq.Error(400, "jobRateLimitExceeded", "Exceeded rate limits: too many table update operations")).ToArray());

        var e = await Assert.ThrowsAsync<BigQueryException>(() => _server.Client(o => o.MaxJobAttempts = 3).QueryAsync(SampleQuery()));

        Assert.Equal(3, _server.Of("query").Count);
        Assert.Equal(3, _server.Of("query").Select(p => p.RequestId).Distinct().Count());
        Assert.Contains("failed 3 times", e.Message);
        Assert.Contains("rate-limiting jobs", e.Message);
    }

    [Theory]
    [InlineData(403, "quotaExceeded", "a BigQuery quota of the project is used up")]
    [InlineData(400, "invalidQuery", "BigQuery rejected the SQL")]
    [InlineData(403, "accessDenied", "BigQuery Job User")]
    [InlineData(404, "notFound", "check Warehouse:BigQuery:ProjectId")]
    [InlineData(400, "bytesBilledLimitExceeded", "MaximumBytesBilled")]
    [InlineData(400, "resourcesExceeded", "more resources than BigQuery allows")]
    [InlineData(500, "invalidQuery", "BigQuery rejected the SQL")] // the reason decides, not the status
    public async Task Query_WhenTheErrorIsFinal_FailsAtOnceInPlainWords(int status, string reason, string plainWords)
    {
        _server.Script("query", Bq.Error(status, reason, $"Details of {reason}"), Bq.Query("never", true));

        var e = await Assert.ThrowsAsync<BigQueryException>(() => _server.Client().QueryAsync(SampleQuery()));

        Assert.Single(_server.Requests);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(BigQueryErrorClass.Fatal, e.ErrorClass);
        Assert.Contains(plainWords, e.Message);
        Assert.Contains($"Details of {reason}", e.Message);
    }

    [Fact]
    public async Task Query_WithCredentialsBigQueryRejects_FailsAtOnceSayingSo()
    {
        _server.Script("query", Bq.Error(401, "authError", "Request had invalid authentication credentials."));
        var tokens = new StaticTokenSource("expired-token");

        var e = await Assert.ThrowsAsync<BigQueryException>(() => _server.Client(tokens: tokens).QueryAsync(SampleQuery()));

        Assert.Equal("Bearer expired-token", Assert.Single(_server.Requests).Authorization);
        Assert.Equal("authError", e.Reason);
        Assert.Contains("rejected the credentials", e.Message);
    }

    [Fact]
    public async Task Query_WhenBigQueryNeverRecovers_GivesUpAtTheDeadline()
    {
        _server.Script("query", Enumerable.Range(0, 1000).Select(_ => Bq.Error(503, "backendError", "Backend error")).ToArray());
        var client = _server.Client(o =>
        {
            o.InitialRetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(40);
            o.Deadline = TimeSpan.FromSeconds(2); // long enough for a cold, busy machine to get the first 503 back
        });

        var e = await Assert.ThrowsAsync<BigQueryException>(() => client.QueryAsync(SampleQuery()));

        Assert.Contains("deadline", e.Message);
        // The last error is BigQuery's 503 — or, on a loaded machine, a connection the loopback server dropped
        // during the final attempt: either way it is named, and nothing but the deadline ended the retries.
        Assert.Matches("Last error: .*(temporary internal error|Could not reach BigQuery)", e.Message);
        var posts = _server.Of("query");
        Assert.InRange(posts.Count, 2, 200);
        Assert.Single(posts.Select(p => p.RequestId).Distinct());
    }

    [Fact]
    public async Task Query_CancelledWhileTheJobRuns_CancelsTheJobInBigQuery()
    {
        using var cts = new CancellationTokenSource();
        _server.Script("query", Bq.Query("job-long", complete: false));
        _server.Script("results", _ =>
        {
            cts.Cancel(); // the operator gives up while BigQuery is still working
            return Bq.Query("job-long", complete: false);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _server.Client().QueryAsync(SampleQuery(), cts.Token));

        var cancel = Assert.Single(_server.Of("cancel"));
        Assert.Equal("POST", cancel.Method);
        Assert.EndsWith("/jobs/job-long/cancel", cancel.Path);
        Assert.Equal("asia-northeast3", cancel.Query["location"]);
    }

    [Fact]
    public async Task DryRun_SendsDryRunWithoutCache_AndReportsTheBytesItWouldScan()
    {
        _server.Script("query", Bq.DryRun(123_456_789));

        var dry = await _server.Client().DryRunAsync(SampleQuery());

        Assert.Equal(123_456_789, dry.TotalBytesProcessed);
        var post = Assert.Single(_server.Requests);
        Assert.True(post.Body!["dryRun"]!.GetValue<bool>());
        Assert.False(post.Body!["useQueryCache"]!.GetValue<bool>());
        Assert.Equal("5000000", post.Body!["maximumBytesBilled"]!.GetValue<string>());
    }

    [Fact]
    public void Backoff_DoublesFromOneSecondToThirtyTwo_WithJitterBelowOneSecond()
    {
        var initial = TimeSpan.FromSeconds(1);
        var max = TimeSpan.FromSeconds(32);

        var noJitter = Enumerable.Range(0, 8).Select(i => BigQueryBackoff.Delay(i, initial, max, 0).TotalSeconds);
        var fullJitter = Enumerable.Range(0, 8).Select(i => BigQueryBackoff.Delay(i, initial, max, 0.999).TotalSeconds);

        Assert.Equal([1, 2, 4, 8, 16, 32, 32, 32], noJitter);
        Assert.Equal([1.999, 2.999, 4.999, 8.999, 16.999, 32, 32, 32], fullJitter.Select(s => Math.Round(s, 3)));
    }

    [Theory]
    [InlineData("rateLimitExceeded", 403, BigQueryErrorClass.RetryCall)]
    [InlineData("backendError", 500, BigQueryErrorClass.RetryCall)]
    [InlineData("internalError", 500, BigQueryErrorClass.RetryCall)]
    [InlineData(null, 502, BigQueryErrorClass.RetryCall)]
    [InlineData(null, 503, BigQueryErrorClass.RetryCall)]
    [InlineData(null, 504, BigQueryErrorClass.RetryCall)]
    [InlineData("jobRateLimitExceeded", 403, BigQueryErrorClass.RerunJob)]
    [InlineData("jobBackendError", 400, BigQueryErrorClass.RerunJob)]
    [InlineData("jobInternalError", 400, BigQueryErrorClass.RerunJob)]
    [InlineData("quotaExceeded", 403, BigQueryErrorClass.Fatal)]
    [InlineData("invalidQuery", 400, BigQueryErrorClass.Fatal)]
    [InlineData("accessDenied", 403, BigQueryErrorClass.Fatal)]
    [InlineData("notFound", 404, BigQueryErrorClass.Fatal)]
    [InlineData("bytesBilledLimitExceeded", 400, BigQueryErrorClass.Fatal)]
    [InlineData("resourcesExceeded", 400, BigQueryErrorClass.Fatal)]
    [InlineData("invalidQuery", 503, BigQueryErrorClass.Fatal)]
    [InlineData(null, 400, BigQueryErrorClass.Fatal)]
    public void Classify_DecidesByReasonBeforeStatus(string? reason, int status, BigQueryErrorClass expected) =>
        Assert.Equal(expected, BigQueryErrorClassifier.Classify(reason, status));
}
