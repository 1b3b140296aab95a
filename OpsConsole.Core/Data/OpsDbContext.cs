using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Data;

/// <summary>
/// The console's database: the internal ledger, the ingested external ledger, findings, audit and outbox.
/// One model for both providers; each provider has a subclass only so that each keeps its own migrations.
/// Feature folders add their entities through <see cref="IEntityTypeConfiguration{TEntity}"/> classes.
/// The console's local accounts and roles (ASP.NET Core Identity) live here too, so a deployment has one
/// database to back up and migrate.
/// </summary>
public abstract class OpsDbContext(DbContextOptions options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    /// <summary>The ASP.NET Core data-protection key ring (cookies, antiforgery), shared by every replica.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentTransaction> PaymentTransactions => Set<PaymentTransaction>();
    public DbSet<PaymentEvent> PaymentEvents => Set<PaymentEvent>();
    public DbSet<CancelAttempt> CancelAttempts => Set<CancelAttempt>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Identity maps its tables first; the feature configurations follow and may not touch them.
        base.OnModelCreating(modelBuilder);
        // Identity names its tables explicitly ("AspNetUsers"); keep the database's snake_case convention.
        modelBuilder.Entity<IdentityUser>().ToTable("identity_users");
        modelBuilder.Entity<IdentityRole>().ToTable("identity_roles");
        modelBuilder.Entity<IdentityUserRole<string>>().ToTable("identity_user_roles");
        modelBuilder.Entity<IdentityUserClaim<string>>().ToTable("identity_user_claims");
        modelBuilder.Entity<IdentityUserLogin<string>>().ToTable("identity_user_logins");
        modelBuilder.Entity<IdentityUserToken<string>>().ToTable("identity_user_tokens");
        modelBuilder.Entity<IdentityRoleClaim<string>>().ToTable("identity_role_claims");
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(OpsDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<string>().HaveMaxLength(256);
    }
}

public sealed class SqliteOpsDbContext(DbContextOptions<SqliteOpsDbContext> options) : OpsDbContext(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        Reconciliation.FindingGridIndexConfiguration.ConfigureSqlite(modelBuilder);
    }

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

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        PaymentEventConfiguration.ConfigurePostgres(modelBuilder);
        PaymentTransactionConfiguration.ConfigurePostgres(modelBuilder);
        Reconciliation.SettlementLineConfiguration.ConfigurePostgres(modelBuilder);
        Reconciliation.FindingGridIndexConfiguration.ConfigurePostgres(modelBuilder);
        Reconciliation.FindingConfiguration.ConfigurePostgres(modelBuilder);
        UseByteOrderForKeys(modelBuilder);
    }

    /// <summary>The columns of the PG's identifiers that reconciliation joins and looks up on.</summary>
    private static readonly IReadOnlySet<string> KeyProperties = new HashSet<string>(StringComparer.Ordinal)
    {
        nameof(Payment.PaymentKey), nameof(PaymentTransaction.TransactionKey),
    };

    /// <summary>
    /// The PG's keys are opaque ASCII identifiers, compared for equality and ordered only to be merged: they use
    /// the byte-order collation "C" on PostgreSQL (SQLite's default BINARY is the same). A database created with a
    /// linguistic default (en_US.UTF-8, even C.UTF-8 before PostgreSQL 17) otherwise calls strcoll for every
    /// comparison of reconciliation's merge of the day's two key-ordered indexes and of every B-tree look-up by key
    /// (about 10% of both under C.UTF-8; more under en_US.UTF-8).
    /// </summary>
    private static void UseByteOrderForKeys(ModelBuilder modelBuilder)
    {
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetDeclaredProperties()))
            if (property.ClrType == typeof(string) && KeyProperties.Contains(property.Name))
                property.SetCollation("C");
    }
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
