using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Data;

/// <summary>
/// The console's database: the internal ledger, the ingested external ledger, findings, audit and outbox.
/// One model for both providers; each provider has a subclass only so that each keeps its own migrations.
/// Feature folders add their entities through <see cref="IEntityTypeConfiguration{TEntity}"/> classes.
/// </summary>
public abstract class OpsDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentTransaction> PaymentTransactions => Set<PaymentTransaction>();
    public DbSet<PaymentEvent> PaymentEvents => Set<PaymentEvent>();
    public DbSet<CancelAttempt> CancelAttempts => Set<CancelAttempt>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OpsDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<string>().HaveMaxLength(256);
    }
}

public sealed class SqliteOpsDbContext(DbContextOptions<SqliteOpsDbContext> options) : OpsDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite has no timestamp type: store UTC instants as Unix milliseconds so they sort and compare.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }
}

public sealed class PostgresOpsDbContext(DbContextOptions<PostgresOpsDbContext> options) : OpsDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
