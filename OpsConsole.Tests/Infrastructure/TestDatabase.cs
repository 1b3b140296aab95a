using Npgsql;
using OpsConsole.Core.Data;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// A throwaway, migrated database per test class: a temp SQLite file, or a fresh database on the
/// PostgreSQL server that <c>./test.sh</c> starts (connection string in <c>OPSCONSOLE_TEST_POSTGRES</c>).
/// </summary>
public abstract class TestDatabase : IAsyncLifetime
{
    public abstract DatabaseProvider Provider { get; }
    public OpsDbContextFactory Factory { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";

    protected abstract Task<string> CreateAsync();
    protected abstract Task DropAsync();

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateAsync();
        Factory = new OpsDbContextFactory(Provider, ConnectionString);
        await DatabaseInitializer.MigrateAsync(Factory);
    }

    public Task DisposeAsync() => DropAsync();

    /// <summary>A second, independent database of the same provider (e.g. for the sandbox's store).</summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("OPSCONSOLE_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "OPSCONSOLE_TEST_POSTGRES is not set. Run the tests with ./test.sh, which starts a throwaway " +
                "PostgreSQL 15, or point it at a server: Host=127.0.0.1;Port=5432;Username=postgres");
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private string _path = "";

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateAsync()
    {
        _path = Path.Combine(Path.GetTempPath(), $"opsconsole-test-{Guid.NewGuid():N}.db");
        return Task.FromResult($"Data Source={_path}");
    }

    protected override Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_path + suffix);
        return Task.CompletedTask;
    }
}

public sealed class PostgresTestDatabase : TestDatabase
{
    private string _name = "";

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateAsync()
    {
        _name = $"t_{Guid.NewGuid():N}";
        await using var conn = new NpgsqlConnection(PostgresServer);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_name}", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = _name }.ConnectionString;
    }

    protected override async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(PostgresServer);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
