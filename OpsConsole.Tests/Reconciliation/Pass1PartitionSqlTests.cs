using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

public sealed class Pass1PartitionSqlTests
{
    private static ReconciliationSqlGenerator Generator(IReconSqlDialect dialect) =>
        new(ReconciliationDefinition.Standard(FeeSchedule.Default), dialect);

    [Fact]
    public void PostgreSql_Pass1InKeyRanges_FiltersBothLedgersAndTheGroupedKeysByTheSameRange()
    {
        var sql = Generator(new PostgresReconDialect()).Pass1Insert(new KeyRange(HasLower: true, HasUpper: true));

        // Our transactions (read, and checked for the repeated keys), the single lines and the grouped repeated keys:
        // a key lands in one range on every side.
        Assert.Equal(2, Count(sql, "t.business_date = @date AND t.pg = @pg AND t.transaction_key >= @lo AND t.transaction_key < @hi"));
        Assert.Equal(2, Count(sql, "l.sold_date = @date AND l.pg = @pg AND l.transaction_key >= @lo AND l.transaction_key < @hi"));
        Assert.Contains("i FULL OUTER JOIN s ON s.sold_date = i.d AND s.pg = i.pg AND s.k = i.k", sql);
    }

    [Fact]
    public void PostgreSql_Pass1KeyRanges_OpenEndsHaveNoBound()
    {
        var generator = Generator(new PostgresReconDialect());

        Assert.DoesNotContain("@lo", generator.Pass1Insert(new KeyRange(HasLower: false, HasUpper: true)));
        Assert.DoesNotContain("@hi", generator.Pass1Insert(new KeyRange(HasLower: true, HasUpper: false)));
        // The hash shares are for pass 2 only: pass 1 in one piece is the whole key range.
        Assert.Equal(generator.Pass1Insert(KeyRange.All), generator.Pass1Insert(parts: 3));
        Assert.DoesNotContain("@part", generator.Pass1Insert(parts: 3));
    }

    [Fact]
    public void Sqlite_HasNoKeyRanges() =>
        Assert.Throws<NotSupportedException>(() => Generator(new SqliteReconDialect()).Pass1Insert(KeyRange.All));

    [Fact]
    public void PostgreSql_Pass2InShares_TakesThePass1KeysOfItsShare()
    {
        var sql = Generator(new PostgresReconDialect()).Pass2Insert(parts: 2);

        // The share's pass-1 keys are taken once; both sides are probed by them.
        Assert.Equal(1, Count(sql, "r.pass = 1 AND (hashtext(r.transaction_key) & 2147483647) % 2 = @part"));
        Assert.DoesNotContain("@part", Generator(new PostgresReconDialect()).Pass2Insert());
    }

    /// <summary>After a full pass 1 in key ranges, pass 2 takes each range's pass-1 keys from its part of the items' index:
    /// the ranges' conditions on the items' key, not a hash of every item's key.</summary>
    [Fact]
    public void PostgreSql_Pass2InKeyRanges_TakesThePass1KeysOfItsRange()
    {
        var generator = Generator(new PostgresReconDialect());
        var sql = generator.Pass2Insert(new KeyRange(HasLower: true, HasUpper: true));

        Assert.Equal(1, Count(sql, "r.run_id = @run AND r.pass = 1 AND r.transaction_key >= @lo AND r.transaction_key < @hi"));
        Assert.DoesNotContain("hashtext", sql);
        Assert.DoesNotContain("@lo", generator.Pass2Insert(new KeyRange(HasLower: false, HasUpper: true)));
        Assert.DoesNotContain("@hi", generator.Pass2Insert(new KeyRange(HasLower: true, HasUpper: false)));
        Assert.Equal(generator.Pass2Insert(), generator.Pass2Insert(KeyRange.All));
        Assert.Throws<NotSupportedException>(() => Generator(new SqliteReconDialect()).Pass2Insert(KeyRange.All));
    }

    [Fact]
    public void Sqlite_Pass1InKeyRanges_FiltersEveryReadByTheSameRange_WithoutIndexingTheKey()
    {
        var generator = Generator(new SqliteReconDialect());
        var sql = generator.Pass1Select(new KeyRange(HasLower: true, HasUpper: true));

        // Our transactions (read, and probed for the lines and repeated keys without one), the single lines read and
        // the grouped repeated keys: a key lands in one range on every side. "+": the scans stay scans.
        Assert.Equal(3, Count(sql, "t.transaction_key IS NOT NULL AND +t.transaction_key >= @lo AND +t.transaction_key < @hi"));
        Assert.Equal(2, Count(sql, "l.pg = @pg AND +l.transaction_key >= @lo AND +l.transaction_key < @hi"));
        Assert.DoesNotContain("INSERT", sql);
        Assert.StartsWith("WITH em AS", sql);
        Assert.DoesNotContain("@lo", generator.Pass1Select(new KeyRange(HasLower: false, HasUpper: true)));
        Assert.DoesNotContain("@hi", generator.Pass1Select(new KeyRange(HasLower: true, HasUpper: false)));
        // The query is the statement's SELECT: the same columns, in the order of the one-row insert.
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(generator.Pass1Insert(), @"INSERT INTO recon_run_items \([^)]*\)\n", ""),
            generator.Pass1Select(KeyRange.All));
        Assert.Equal(ReconciliationSqlGenerator.ItemColumnCount, Count(generator.ItemValuesInsert(), "@v"));
        Assert.Throws<NotSupportedException>(() => Generator(new PostgresReconDialect()).Pass1Select(KeyRange.All));
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
