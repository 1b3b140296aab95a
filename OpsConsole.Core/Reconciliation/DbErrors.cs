using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OpsConsole.Core.Reconciliation;

internal static class DbErrors
{
    /// <summary>True when the save failed on a unique constraint (SQLite 19/2067, PostgreSQL 23505).</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => IsUniqueViolation(e.InnerException);

    /// <summary>The same for raw SQL (the exception itself) or a save (its inner exception).</summary>
    public static bool IsUniqueViolation(Exception? e) => e switch
    {
        DbUpdateException u => IsUniqueViolation(u.InnerException),
        SqliteException s => s.SqliteErrorCode == 19 && (s.SqliteExtendedErrorCode is 2067 or 1555 || s.Message.Contains("UNIQUE", StringComparison.Ordinal)),
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
