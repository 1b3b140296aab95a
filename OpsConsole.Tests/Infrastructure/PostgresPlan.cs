using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>PostgreSQL's plan of a query (an EF query with sequential scans priced out, or a statement after given settings).</summary>
public static class PostgresPlan
{
    /// <summary>
    /// EXPLAINs <paramref name="query"/> with every parameter replaced by <paramref name="parameterValue"/> (a SQL
    /// literal) and returns the plan's text.
    /// </summary>
    public static Task<string> ExplainAsync<T>(DbContext db, IQueryable<T> query, string parameterValue)
    {
        var sql = query.ToQueryString();
        var select = Regex.Replace(sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..], @"@\w+", parameterValue);
        return ExplainAsync(db, select, "SET enable_seqscan = off");
    }

    /// <summary>EXPLAINs the statement <paramref name="sql"/> after the session <paramref name="settings"/>; the plan's text.</summary>
    public static async Task<string> ExplainAsync(DbContext db, string sql, string settings)
    {
        await db.Database.OpenConnectionAsync();
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = $"{settings}; EXPLAIN {sql}";
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            do
            {
                while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
            } while (await reader.NextResultAsync());
        }
        return string.Join("\n", plan);
    }
}
