using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OpsConsole.Core.Reconciliation;

internal static class DbErrors
{
    /// <summary>True when the save failed on a unique constraint (SQLite 19/2067, PostgreSQL 23505).</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && (s.SqliteExtendedErrorCode is 2067 or 1555 || s.Message.Contains("UNIQUE", StringComparison.Ordinal)),
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
