using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>PostgreSQL's plan of an EF query, with sequential scans priced out: does an index answer it?</summary>
public static class PostgresPlan
{
    /// <summary>
    /// EXPLAINs <paramref name="query"/> with every parameter replaced by <paramref name="parameterValue"/> (a SQL
    /// literal) and returns the plan's text.
    /// </summary>
    public static async Task<string> ExplainAsync<T>(DbContext db, IQueryable<T> query, string parameterValue)
    {
        var sql = query.ToQueryString();
        var select = Regex.Replace(sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..], @"@\w+", parameterValue);
        await db.Database.OpenConnectionAsync();
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = "SET enable_seqscan = off; EXPLAIN " + select;
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        return string.Join("\n", plan);
    }
}
