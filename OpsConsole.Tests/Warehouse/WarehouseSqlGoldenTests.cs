using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Tests.Warehouse;

public sealed class WarehouseSqlGoldenTests
{
    private static readonly ReconciliationDefinition Definition = ReconciliationDefinition.Standard(FeeSchedule.Default);

    private static WarehouseReconciliationSql BigQuerySql(WarehouseTableLayout? layout = null) =>
        new(Definition, new BigQueryReconDialect("acme-warehouse", "payments_ledger"), layout ?? new WarehouseTableLayout());

    [Fact]
    public void BigQueryPass1_MatchesGoldenFile() =>
        Golden.AssertMatches("bigquery-pass1.sql", BigQuerySql().Pass1());

    /// <summary>Two merchants' contracts (issuer and provider rates, installment fees, a minimum fee, VAT): the same
    /// rules (ReconRules) as the console's engines, rendered for BigQuery.</summary>
    [Fact]
    public void BigQueryPass1_WithContracts_MatchesGoldenFile() =>
        Golden.AssertMatches("bigquery-pass1-contracts.sql",
            new WarehouseReconciliationSql(
                ReconciliationDefinition.Standard(FeeSchedule.Default.WithContracts(
                    OpsConsole.Tests.Reconciliation.RandomLedger.ContractSettings().Build())),
                new BigQueryReconDialect("acme-warehouse", "payments_ledger"), new WarehouseTableLayout()).Pass1());

    /// <summary>Contracts over time (a rate change, a contract for one date only): each merchant id's contract is picked by
    /// the line's approval instant against the KST day bounds of its periods, rendered for BigQuery.</summary>
    [Fact]
    public void BigQueryPass1_WithContractsOverTime_MatchesGoldenFile() =>
        Golden.AssertMatches("bigquery-pass1-contracts-over-time.sql",
            new WarehouseReconciliationSql(
                ReconciliationDefinition.Standard(FeeSchedule.Default.WithContracts(
                    OpsConsole.Tests.Reconciliation.RandomLedger.ContractsOverTime(new DateOnly(2026, 3, 1)))),
                new BigQueryReconDialect("acme-warehouse", "payments_ledger"), new WarehouseTableLayout()).Pass1());

    [Fact]
    public void BigQueryPass2_WithRecheckWindow_MatchesGoldenFile() =>
        Golden.AssertMatches("bigquery-pass2.sql", BigQuerySql().Pass2(recheckWindow: true));

    [Fact]
    public void BigQueryPass2_WithoutRecheckWindow_ReadsEveryPartitionOfTheKeys()
    {
        var sql = BigQuerySql().Pass2(recheckWindow: false);

        Assert.DoesNotContain("@recheck_from", sql);
        Assert.DoesNotContain("@date", sql);
        Assert.Contains("WHERE (t.transaction_key IN UNNEST(@keys) OR (t.transaction_key IS NULL AND t.payment_key IN (SELECT lk.payment_key FROM lk)))", sql);
        Assert.Contains("WHERE l.transaction_key IN UNNEST(@keys) AND l.pg = @pg\n", sql);
    }

    [Fact]
    public void PostgresRendering_OfPass1_MatchesGoldenFile() =>
        Golden.AssertMatches("postgres-pass1.sql",
            new WarehouseReconciliationSql(Definition, new PostgresWarehouseDialect(), WarehouseEquivalenceTests.ConsoleLayout).Pass1());

    [Fact]
    public void PrintSql_ShowsBothPassesAndTheirParameters_MatchesGoldenFile()
    {
        var engine = WarehouseTestSupport.Engine(new BigQueryOptions
        {
            ProjectId = "acme-recon",
            DataProjectId = "acme-warehouse",
            Dataset = "payments_ledger",
            Location = "asia-northeast3",
            MaximumBytesBilled = 50L * 1024 * 1024 * 1024,
        });

        Golden.AssertMatches("print-sql.txt", engine.Describe(Definition, new DateOnly(2026, 11, 24), "toss"));
    }

    [Fact]
    public void ColumnMapping_IsUsedForEveryColumnOfBothTables()
    {
        var layout = new WarehouseTableLayout
        {
            Transactions = "ledger_tx",
            SettlementLines = "toss_lines",
            Payments = "pay",
            TransactionColumns = new TransactionColumns
            {
                PaymentKey = "tx_pk", OrderId = "tx_oid", TransactionKey = "tx_key", Kind = "tx_kind", Amount = "tx_amt",
                Method = "tx_method", OccurredAt = "tx_at", BusinessDate = "tx_day", Pg = "tx_pg",
            },
            SettlementColumns = new SettlementColumns
            {
                PaymentKey = "sl_pk", TransactionKey = "sl_key", OrderId = "sl_oid", Method = "sl_method", Amount = "sl_amt",
                Fee = "sl_fee", ApprovedAt = "sl_at", SoldDate = "sl_day", Pg = "sl_pg",
            },
            PaymentColumns = new PaymentColumns { PaymentKey = "p_pk", Status = "p_status", TraceId = "p_trace", Pg = "p_pg" },
        };

        var sql = BigQuerySql(layout).Pass1() + BigQuerySql(layout).Pass2(true);

        foreach (var column in new[] { "tx_pk", "tx_oid", "tx_key", "tx_kind", "tx_amt", "tx_method", "tx_at", "tx_day",
                     "sl_pk", "sl_key", "sl_oid", "sl_method", "sl_amt", "sl_fee", "sl_at", "sl_day", "p_pk", "p_status", "p_trace",
                     "tx_pg", "sl_pg", "p_pg" })
            Assert.Contains(column, sql);
        Assert.Contains("`acme-warehouse.payments_ledger.ledger_tx`", sql);
        Assert.Contains("`acme-warehouse.payments_ledger.toss_lines`", sql);
        Assert.Contains("`acme-warehouse.payments_ledger.pay`", sql);
        foreach (var unmapped in new[] { "t.payment_key", "t.occurred_at", "l.sold_date", "l.fee", "p.status", "p.trace_id", "t.business_date",
                     "t.pg", "l.pg", "p.pg" })
            Assert.DoesNotContain(unmapped, sql);
    }
}
