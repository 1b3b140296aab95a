using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Payments;

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.ToTable("payments", t =>
        {
            t.HasCheckConstraint("ck_payments_balance", "balance_amount >= 0 AND balance_amount <= amount");
            t.HasCheckConstraint("ck_payments_pending_cancel",
                "pending_cancel_amount >= 0 AND pending_cancel_amount <= balance_amount");
        });
        b.HasKey(p => p.Id);
        b.Property(p => p.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        b.Property(p => p.PaymentKey).HasMaxLength(200);
        b.Property(p => p.OrderId).HasMaxLength(64);
        b.Property(p => p.MethodText).HasMaxLength(64);
        b.Property(p => p.Currency).HasMaxLength(3);
        b.Property(p => p.TraceId).HasMaxLength(32);
        b.Property(p => p.FailureMessage).HasMaxLength(1000);
        b.Property(p => p.Version).IsConcurrencyToken();
        b.HasIndex(p => p.PaymentKey).IsUnique();
        b.HasIndex(p => p.OrderId).IsUnique();
        b.HasIndex(p => p.TraceId);
        b.HasIndex(p => new { p.Status, p.NextJanitorAt });
        b.HasMany(p => p.Transactions).WithOne().HasForeignKey(t => t.PaymentId);
        b.Navigation(p => p.Transactions).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Ignore(p => p.CancelableAmount);
        b.Ignore(p => p.IsUnresolved);
    }
}

internal sealed class PaymentTransactionConfiguration : IEntityTypeConfiguration<PaymentTransaction>
{
    public void Configure(EntityTypeBuilder<PaymentTransaction> b)
    {
        b.ToTable("payment_transactions", t => t.HasCheckConstraint("ck_payment_transactions_amount", "amount > 0"));
        b.HasKey(t => t.Id);
        b.Property(t => t.PaymentKey).HasMaxLength(200);
        b.Property(t => t.OrderId).HasMaxLength(64);
        b.Property(t => t.TransactionKey).HasMaxLength(200);
        b.Property(t => t.Currency).HasMaxLength(3);
        b.Property(t => t.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        // NULL (an approval whose key the PG has not told yet) is distinct from every key and from another NULL on
        // SQLite and on PostgreSQL (NULLS DISTINCT, the default): the index keeps keys unique and allows many NULLs.
        b.HasIndex(t => t.TransactionKey).IsUnique();
        b.HasIndex(t => t.PaymentKey);
        // The approvals reconciliation has to learn a key for (ApprovalKeyLearning): usually none, found at once.
        b.HasIndex(t => t.PaymentKey, "keyless").HasFilter("transaction_key IS NULL")
            .HasDatabaseName("ix_payment_transactions_keyless");
        b.HasIndex(t => t.OccurredAt);
        b.Ignore(t => t.SignedAmount);
    }

    /// <summary>
    /// PostgreSQL only: the transaction's KST business date, stored as a generated column, and the index that hands
    /// reconciliation pass 1 a (day, PG)'s transactions in key order with the columns it compares (kind, amount): the
    /// pass merge-joins them with the day's settlement lines read the same way (see
    /// <see cref="Reconciliation.ReconJoinStrategy.OrderedMergeJoin"/>) instead of hashing millions of rows.
    /// </summary>
    internal static void ConfigurePostgres(ModelBuilder modelBuilder)
    {
        var b = modelBuilder.Entity<PaymentTransaction>();
        b.Property<DateOnly>(BusinessDateColumn)
            .HasComputedColumnSql($"({new Reconciliation.PostgresReconDialect().KstDate("occurred_at")})", stored: true);
        b.HasIndex(BusinessDateColumn, nameof(PaymentTransaction.Pg), nameof(PaymentTransaction.TransactionKey))
            .IncludeProperties(t => new { t.Kind, t.Amount, t.Currency })
            .HasDatabaseName("ix_payment_transactions_business_date_key");
    }

    /// <summary>The shadow property of the generated column <c>business_date</c> (PostgreSQL only).</summary>
    internal const string BusinessDateColumn = "BusinessDate";
}

internal sealed class CancelAttemptConfiguration : IEntityTypeConfiguration<CancelAttempt>
{
    public void Configure(EntityTypeBuilder<CancelAttempt> b)
    {
        b.ToTable("cancel_attempts", t => t.HasCheckConstraint("ck_cancel_attempts_amount", "amount > 0"));
        b.HasKey(c => c.Id);
        b.Property(c => c.PaymentKey).HasMaxLength(200);
        b.Property(c => c.IdempotencyKey).HasMaxLength(300);
        b.Property(c => c.Reason).HasMaxLength(200);
        b.Property(c => c.RequestedBy).HasMaxLength(100);
        b.Property(c => c.TransactionKey).HasMaxLength(200);
        b.Property(c => c.FailureMessage).HasMaxLength(1000);
        b.Property(c => c.TraceId).HasMaxLength(32);
        b.HasIndex(c => c.IdempotencyKey).IsUnique();
        // At most one cancel in flight per payment: the database refuses a second, whatever the code does.
        b.HasIndex(c => c.PaymentId).IsUnique().HasFilter("status IN ('PENDING', 'UNKNOWN')")
            .HasDatabaseName("ux_cancel_attempts_one_open_per_payment");
        b.HasIndex(c => new { c.Status, c.NextJanitorAt });
        b.HasIndex(c => c.PaymentKey); // the payment timeline
        b.HasOne<Payment>().WithMany().HasForeignKey(c => c.PaymentId);
        b.Ignore(c => c.IsOpen);
    }
}

internal sealed class PaymentEventConfiguration : IEntityTypeConfiguration<PaymentEvent>
{
    public void Configure(EntityTypeBuilder<PaymentEvent> b)
    {
        b.ToTable("payment_events");
        b.HasKey(e => e.Id);
        b.Property(e => e.PaymentKey).HasMaxLength(200);
        b.Property(e => e.OrderId).HasMaxLength(64);
        b.Property(e => e.Type).HasMaxLength(64);
        b.Property(e => e.Message).HasMaxLength(2000);
        b.Property(e => e.HttpMethod).HasMaxLength(10);
        b.Property(e => e.Path).HasMaxLength(500);
        b.Property(e => e.PgCode).HasMaxLength(100);
        b.Property(e => e.RequestSummary).HasMaxLength(2000);
        b.Property(e => e.ResponseSummary).HasMaxLength(2000);
        b.Property(e => e.TraceId).HasMaxLength(32);
        b.Property(e => e.SpanId).HasMaxLength(16);
        b.HasIndex(e => new { e.PaymentKey, e.OccurredAt });
        b.HasIndex(e => e.TraceId);
        b.HasIndex(e => e.OrderId);
        // Trace search by kind ("timeout" lists the newest pg.timeout events).
        b.HasIndex(e => new { e.Type, e.OccurredAt });
        // Text search returns the newest matches first: a common word is found walking this index backwards.
        b.HasIndex(e => e.OccurredAt);
    }

    /// <summary>
    /// PostgreSQL only: trigram indexes that answer the timeline's case-insensitive "contains" search
    /// (<c>ILIKE '%needle%'</c>) without reading every event. SQLite has no equivalent and keeps scanning.
    /// </summary>
    internal static void ConfigurePostgres(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("pg_trgm");
        var b = modelBuilder.Entity<PaymentEvent>();
        b.HasIndex(e => e.Message).HasMethod("gin").HasOperators("gin_trgm_ops");
        b.HasIndex(e => e.RequestSummary).HasMethod("gin").HasOperators("gin_trgm_ops");
        b.HasIndex(e => e.ResponseSummary).HasMethod("gin").HasOperators("gin_trgm_ops");
    }
}
