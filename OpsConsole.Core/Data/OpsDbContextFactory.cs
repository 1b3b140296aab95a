using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace OpsConsole.Core.Data;

/// <summary>
/// Creates one short-lived context per operation for the configured provider. Services and components
/// take <see cref="IDbContextFactory{OpsDbContext}"/>; never a context shared across operations.
/// </summary>
public sealed class OpsDbContextFactory : IDbContextFactory<OpsDbContext>
{
    private readonly Func<OpsDbContext> _create;

    /// <param name="interceptors">Extra EF interceptors (tests use them to inject failures).</param>
    public OpsDbContextFactory(DatabaseProvider provider, string connectionString,
        params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors)
    {
        Provider = provider;
        ConnectionString = connectionString;
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = new DbContextOptionsBuilder<SqliteOpsDbContext>();
                ConfigureSqlite(sqlite, connectionString);
                sqlite.AddInterceptors(interceptors);
                var sqliteOptions = sqlite.Options;
                _create = () => new SqliteOpsDbContext(sqliteOptions);
                break;
            case DatabaseProvider.Postgres:
                var pg = new DbContextOptionsBuilder<PostgresOpsDbContext>();
                ConfigurePostgres(pg, connectionString);
                pg.AddInterceptors(interceptors);
                var pgOptions = pg.Options;
                _create = () => new PostgresOpsDbContext(pgOptions);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider.");
        }
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    public OpsDbContext CreateDbContext() => _create();

    public Task<OpsDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_create());

    internal static void ConfigureSqlite(DbContextOptionsBuilder builder, string connectionString)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString)
        {
            // Writers wait for each other instead of failing at once with SQLITE_BUSY.
            DefaultTimeout = 30,
            Pooling = true,
        };
        builder.UseSqlite(csb.ToString(), o => o.MigrationsAssembly(typeof(OpsDbContext).Assembly.FullName))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(new SqlitePragmaInterceptor(), Reconciliation.ReconChangeTracking.Interceptor);
    }

    internal static void ConfigurePostgres(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString, o => o.MigrationsAssembly(typeof(OpsDbContext).Assembly.FullName))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(Reconciliation.ReconChangeTracking.Interceptor);
}

/// <summary>Design-time factories so <c>dotnet ef</c> can build one migration set per provider.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOpsDbContext>
{
    public SqliteOpsDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<SqliteOpsDbContext>();
        OpsDbContextFactory.ConfigureSqlite(b, "Data Source=design.db");
        return new SqliteOpsDbContext(b.Options);
    }
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOpsDbContext>
{
    public PostgresOpsDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<PostgresOpsDbContext>();
        OpsDbContextFactory.ConfigurePostgres(b, "Host=localhost;Database=design");
        return new PostgresOpsDbContext(b.Options);
    }
}
