using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Warehouse;
using OpsConsole.Tests.Warehouse;

namespace OpsConsole.Tests.Cash.Payouts;

/// <summary>The BigQuery rendering of the payout passes, pinned by a golden file (no BigQuery here).</summary>
public sealed class PayoutSqlGoldenTests
{
    [Fact]
    public void BigQueryPasses_MatchTheGoldenFile()
    {
        var gen = new PayoutSqlGenerator(new BigQueryReconDialect("ops-project", "payments"), PayoutSqlFunctions.BigQuery,
            PayoutRules.From(PayoutTestSupport.Options()));

        var sql = string.Join(";\n\n", gen.InsertGroups(), gen.InsertItems(), gen.DeleteFlaggedGroups(), gen.InsertFlaggedGroups()) + ";\n";

        Golden.AssertMatches("bigquery-payouts.sql", sql);
        Assert.DoesNotContain("instr(", sql);
        Assert.Contains("`ops-project.payments.settlement_lines`", sql);
    }
}
