using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Warehouse;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>The SQL and parameter declarations of the BigQuery payout engine's jobs (what <c>--engine bigquery</c> runs).</summary>
public sealed class BigQueryPayoutJobsGoldenTests
{
    [Fact]
    public void BigQueryJobs_MatchTheGoldenFile()
    {
        var options = new BigQueryOptions { ProjectId = "ops-jobs", DataProjectId = "ops-project", Dataset = "payments" };
        var engine = new BigQueryPayoutEngine(WarehouseTestSupport.Engine(options), Microsoft.Extensions.Options.Options.Create(options));
        var window = new PayoutWindow(new(2026, 1, 30), new(2026, 2, 16), new(2026, 3, 2), new(2026, 3, 20), new(2026, 3, 25), new(2026, 3, 31));

        var text = engine.Describe(PayoutRules.From(PayoutTestSupport.Options()), window);

        Golden.AssertMatches("bigquery-payout-jobs.sql", text);
        Assert.Contains("FROM `ops-project.payments.settlement_lines` s WHERE s.sold_date BETWEEN @sold_from AND @to", text);
        Assert.DoesNotContain("INSERT", text);
        Assert.DoesNotContain("`ops-project.payments.bank_transactions`", text);
    }
}
