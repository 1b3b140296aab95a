using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

public sealed class BigQueryReconciliationEngineTests : IAsyncLifetime
{
    private static readonly DateOnly Day = new(2026, 11, 24);
    private static readonly ReconciliationDefinition Definition = ReconciliationDefinition.Standard(FeeSchedule.Default);
    private FakeBigQueryServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeBigQueryServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private BigQueryReconciliationEngine Engine(Action<BigQueryOptions>? configure = null)
    {
        var o = WarehouseTestSupport.FakeServerOptions(_server);
        configure?.Invoke(o);
        return WarehouseTestSupport.Engine(o);
    }

    public static readonly object[] ItemSchema = WarehouseReconciliationSql.ItemColumns.Select(c => (object)new
    {
        name = c,
        type = c switch
        {
            "internal_amount" or "external_line_count" or "external_amount" or "external_amount_total" or "external_fee"
                or "external_expected_fee" or "money_at_risk" => "INTEGER",
            "internal_business_date" or "external_sold_date" => "DATE",
            "internal_occurred_at" or "external_approved_at" => "TIMESTAMP",
            _ => "STRING",
        },
        mode = "NULLABLE",
    }).ToArray();

    // 2026-11-24 23:59:59.5 KST = 2026-11-24 14:59:59.5 UTC
    private const string LateEveningMicros = "1795532399500000";

    [Fact]
    public async Task Pass1_DryRunsFirst_ThenRunsTheSameQuery_AndBringsBackTypedItems()
    {
        _server.Script("query",
            Bq.DryRun(5_000_000),
            Bq.Query("job-pass1", true, ItemSchema,
            [
                ["tx-1", "AMOUNT_MISMATCH", "pay-1", "order-1", "trace-1", "DONE", "APPROVAL", "10000", "CARD", "2026-11-24",
                    LateEveningMicros, "1", "9000", "9000", "225", "225", "CARD", "2026-11-24", LateEveningMicros, "amount", "1000", "KRW"],
                ["tx-2", "CHARGED_BUT_FAILED", "pay-2", "order-2", null, "ABORTED", null, null, null, null,
                    null, "1", "5000", "5000", "125", "125", "EASY_PAY", "2026-11-24", LateEveningMicros, "internal", "5000", "KRW"],
            ]));
        _server.Script("job", Bq.Job("job-pass1", processed: 4_900_000, billed: 10_485_760));

        var result = await Engine().RunPass1Async(Definition, Day, "toss");

        var posts = _server.Of("query");
        Assert.Equal(2, posts.Count);
        Assert.True(posts[0].Body!["dryRun"]!.GetValue<bool>());
        Assert.False(posts[1].Body!["dryRun"]!.GetValue<bool>());
        Assert.Equal(posts[0].Body!["query"]!.GetValue<string>(), posts[1].Body!["query"]!.GetValue<string>());
        Assert.Equal(posts[0].Body!["queryParameters"]!.ToJsonString(), posts[1].Body!["queryParameters"]!.ToJsonString());
        Assert.Equal(
            """[{"name":"date","parameterType":{"type":"DATE"},"parameterValue":{"value":"2026-11-24"}},{"name":"from","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2026-11-23 15:00:00.000000\u002B00:00"}},{"name":"to","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2026-11-24 15:00:00.000000\u002B00:00"}}]""",
            posts[1].Body!["queryParameters"]!.ToJsonString());
        Assert.Equal("2026-11-24", posts[1].Body!["labels"]!["business_date"]!.GetValue<string>());
        Assert.Equal("1", posts[1].Body!["labels"]!["pass"]!.GetValue<string>());
        Assert.Equal("10737418240", posts[1].Body!["maximumBytesBilled"]!.GetValue<string>());
        Assert.Contains("`ops-proj.ledger.payment_transactions`", posts[1].Body!["query"]!.GetValue<string>());

        Assert.Equal(new WarehouseJob(1, "job-pass1", "asia-northeast3", 5_000_000, 4_900_000, 10_485_760, 1,
            "https://console.cloud.google.com/bigquery?project=ops-proj&j=bq:asia-northeast3:job-pass1&page=queryresults"), result.Job);
        Assert.Equal(2, result.Items.Count);
        var a = result.Items[0];
        Assert.Equal(FindingType.AMOUNT_MISMATCH, a.FindingType);
        Assert.Equal(PaymentStatus.DONE, a.PaymentStatus);
        Assert.Equal(TransactionKind.APPROVAL, a.InternalKind);
        Assert.Equal(PaymentMethod.CARD, a.InternalMethod);
        Assert.Equal(10000, a.InternalAmount);
        Assert.Equal(new DateOnly(2026, 11, 24), a.InternalBusinessDate);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 14, 59, 59, 500, TimeSpan.Zero), a.InternalOccurredAt);
        Assert.Equal(1000, a.MoneyAtRisk);
        var b = result.Items[1];
        Assert.Equal(FindingType.CHARGED_BUT_FAILED, b.FindingType);
        Assert.Null(b.InternalKind);
        Assert.Null(b.TraceId);
        Assert.Equal(PaymentMethod.EASY_PAY, b.ExternalMethod);
    }

    [Fact]
    public async Task Pass1_WhenTheDryRunExceedsMaximumBytesBilled_RefusesAndRunsNothing()
    {
        _server.Script("query", Bq.DryRun(3L * 1024 * 1024 * 1024 * 1024), Bq.Query("must-not-run", true));

        var e = await Assert.ThrowsAsync<BigQueryException>(() => Engine().RunPass1Async(Definition, Day, "toss"));

        var only = Assert.Single(_server.Requests);
        Assert.True(only.Body!["dryRun"]!.GetValue<bool>());
        Assert.Equal("bytesBilledLimitExceeded", e.Reason);
        Assert.Contains("would scan 3 TiB", e.Message);
        Assert.Contains("(10 GiB)", e.Message);
        Assert.Contains("nothing was run or billed", e.Message);
    }

    [Fact]
    public async Task Pass2_SendsOnlyThePass1KeysAsAnArray_WithinTheRecheckWindow()
    {
        _server.Script("query", Bq.DryRun(1000), Bq.Query("job-pass2", true, ItemSchema, []));

        var result = await Engine(o => o.RecheckWindowDays = 3).RunPass2Async(Definition, Day, "toss", ["tx-1", "tx-2"]);

        Assert.Empty(result.Items);
        Assert.Equal("job-pass2", result.Job.JobId);
        var run = _server.Of("query")[1].Body!;
        Assert.Equal(
            """[{"name":"keys","parameterType":{"type":"ARRAY","arrayType":{"type":"STRING"}},"parameterValue":{"arrayValues":[{"value":"tx-1"},{"value":"tx-2"}]}},{"name":"recheck_from","parameterType":{"type":"DATE"},"parameterValue":{"value":"2026-11-21"}},{"name":"recheck_to","parameterType":{"type":"DATE"},"parameterValue":{"value":"2026-11-27"}}]""",
            run["queryParameters"]!.ToJsonString());
        var sql = run["query"]!.GetValue<string>();
        Assert.Contains("t.transaction_key IN UNNEST(@keys)", sql);
        Assert.Contains("l.sold_date BETWEEN @recheck_from AND @recheck_to", sql);
        Assert.DoesNotContain("@date", sql);
    }

    [Fact]
    public async Task EstimatePass1_DryRunsOnly_AndComparesWithTheLimit()
    {
        _server.Script("query", Bq.DryRun(15L * 1024 * 1024 * 1024));

        var estimate = await Engine().EstimatePass1Async(Definition, Day, "toss");

        Assert.Equal(15L * 1024 * 1024 * 1024, estimate.Bytes);
        Assert.False(estimate.WithinLimit);
        Assert.Equal("15 GiB of 10 GiB allowed — over the limit, a run would be refused", estimate.ToString());
        Assert.True(Assert.Single(_server.Requests).Body!["dryRun"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Pass2_WithoutPass1Keys_CallsNothing()
    {
        var result = await Engine().RunPass2Async(Definition, Day, "toss", []);

        Assert.Empty(result.Items);
        Assert.Empty(_server.Requests);
    }
}
