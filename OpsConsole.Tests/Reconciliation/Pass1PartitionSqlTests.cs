using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

public sealed class Pass1PartitionSqlTests
{
    private static ReconciliationSqlGenerator Generator(IReconSqlDialect dialect) =>
        new(ReconciliationDefinition.Standard(FeeSchedule.Default), dialect);

    [Fact]
    public void PostgreSql_Pass1InShares_FiltersBothLedgersAndTheGroupedKeysByTheSameKeyHash()
    {
        var sql = Generator(new PostgresReconDialect()).Pass1Insert(parts: 3);

        // Our transactions, the single lines and the grouped repeated keys: a key lands in one share on every side.
        Assert.Equal(1, Count(sql, "(hashtext(t.transaction_key) & 2147483647) % 3 = @part"));
        Assert.Equal(2, Count(sql, "(hashtext(l.transaction_key) & 2147483647) % 3 = @part"));
        Assert.DoesNotContain("@part", Generator(new PostgresReconDialect()).Pass1Insert());
    }

    [Fact]
    public void PostgreSql_Pass2InShares_TakesThePass1KeysOfItsShare()
    {
        var sql = Generator(new PostgresReconDialect()).Pass2Insert(parts: 2);

        // The share's pass-1 keys are taken once; both sides are probed by them.
        Assert.Equal(1, Count(sql, "r.pass = 1 AND (hashtext(r.transaction_key) & 2147483647) % 2 = @part"));
        Assert.DoesNotContain("@part", Generator(new PostgresReconDialect()).Pass2Insert());
    }

    [Fact]
    public void Sqlite_IgnoresShares() =>
        Assert.Equal(Generator(new SqliteReconDialect()).Pass1Insert(), Generator(new SqliteReconDialect()).Pass1Insert(parts: 4));

    private static int Count(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
