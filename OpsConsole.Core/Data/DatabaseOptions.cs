using OpsConsole.Core.Common;

namespace OpsConsole.Core.Data;

/// <summary>Settings <c>Database:*</c>, <c>ConnectionStrings:OpsConsole</c> and <c>DataDirectory</c>.</summary>
public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>When empty and the provider is SQLite: <c>Data Source={DataDirectory}/opsconsole.db</c>.</summary>
    public string? ConnectionString { get; set; }

    public string DataDirectory { get; set; } = "data";

    /// <summary>Apply migrations when the app starts. Default: on for SQLite, off for PostgreSQL (use the migrate verb).</summary>
    public bool MigrateOnStart { get; set; }

    public string ResolveConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString)) return ConnectionString;
        if (Provider == DatabaseProvider.Postgres)
            throw new ConfigurationError(
                "Database:Provider is Postgres but ConnectionStrings:OpsConsole is not set.");
        Directory.CreateDirectory(DataDirectory);
        return $"Data Source={Path.Combine(DataDirectory, "opsconsole.db")}";
    }
}
