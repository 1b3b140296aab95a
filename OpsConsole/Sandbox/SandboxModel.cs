using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Sandbox;

// The sandbox PG's own store: it is "the outside world", kept apart from the console's database.

public sealed class SandboxPayment
{
    public string PaymentKey { get; set; } = "";
    public string OrderId { get; set; } = "";
    /// <summary>Minor units of <see cref="Currency"/>; Toss's wire shows the currency's units (<see cref="Core.Gateway.TossWire"/>).</summary>
    public long Amount { get; set; }
    public long BalanceAmount { get; set; }
    public string Currency { get; set; } = "KRW";
    public string Method { get; set; } = "CARD";
    public string Status { get; set; } = "READY";
    public string? Fault { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }
    public string? LastTransactionKey { get; set; }

    /// <summary>Card installment months (0 or 1 = lump sum).</summary>
    public int InstallmentPlanMonths { get; set; }

    /// <summary>An interest-free installment promotion (the card company pays the interest).</summary>
    public bool InterestFree { get; set; }

    /// <summary>The persona's merchant id the payment was made under; null: the Toss-like persona (<c>Sandbox:MerchantId</c>).</summary>
    public string? MerchantId { get; set; }
}

public sealed class SandboxTransaction
{
    public string TransactionKey { get; set; } = "";
    public string PaymentKey { get; set; } = "";
    public string Kind { get; set; } = "APPROVAL";
    public long Amount { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset At { get; set; }
}

public sealed class SandboxSettlementLine
{
    public long Id { get; set; }
    public string PaymentKey { get; set; } = "";
    public string TransactionKey { get; set; } = "";
    public string OrderId { get; set; } = "";
    public string Method { get; set; } = "";
    public string Currency { get; set; } = "KRW";
    public long Amount { get; set; }
    public long Fee { get; set; }
    public long SupplyAmount { get; set; }
    public long Vat { get; set; }
    public long PayOutAmount { get; set; }
    public DateTimeOffset ApprovedAt { get; set; }
    public DateOnly SoldDate { get; set; }
    public DateOnly PaidOutDate { get; set; }

    // Toss's fee breakdown (fees[] BASE + INSTALLMENT), card installment and cancel details.
    public long? FeeInstallment { get; set; }
    public int? InstallmentPlanMonths { get; set; }
    public bool? InterestFree { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }

    /// <summary>The payment's <see cref="SandboxPayment.MerchantId"/>: which persona settles the line (null: the Toss-like one).</summary>
    public string? MerchantId { get; set; }
}

public sealed class SandboxIdempotencyRecord
{
    /// <summary>SHA-256 of secret key + HTTP method + path + Idempotency-Key (Toss's scope).</summary>
    public string Scope { get; set; } = "";
    public bool Completed { get; set; }
    public int StatusCode { get; set; }
    public string? Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class SandboxDbContext(DbContextOptions<SandboxDbContext> options) : DbContext(options)
{
    public DbSet<SandboxPayment> Payments => Set<SandboxPayment>();
    public DbSet<SandboxTransaction> Transactions => Set<SandboxTransaction>();
    public DbSet<SandboxSettlementLine> SettlementLines => Set<SandboxSettlementLine>();
    public DbSet<SandboxIdempotencyRecord> IdempotencyRecords => Set<SandboxIdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<SandboxPayment>(e =>
        {
            e.ToTable("sandbox_payments");
            e.HasKey(p => p.PaymentKey);
            e.HasIndex(p => p.OrderId).IsUnique();
        });
        b.Entity<SandboxTransaction>(e =>
        {
            e.ToTable("sandbox_transactions");
            e.HasKey(t => t.TransactionKey);
            e.HasIndex(t => t.PaymentKey);
        });
        b.Entity<SandboxSettlementLine>(e =>
        {
            e.ToTable("sandbox_settlement_lines");
            e.HasKey(l => l.Id);
            e.HasIndex(l => l.SoldDate);
        });
        b.Entity<SandboxIdempotencyRecord>(e =>
        {
            e.ToTable("sandbox_idempotency");
            e.HasKey(r => r.Scope);
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder c) =>
        c.Properties<DateTimeOffset>().HaveConversion<Core.Data.UnixMillisecondsConverter>();
}
