using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Repairs;

internal sealed class RepairRequestConfiguration : IEntityTypeConfiguration<RepairRequest>
{
    public void Configure(EntityTypeBuilder<RepairRequest> b)
    {
        b.ToTable("repair_requests", t =>
        {
            // Maker-checker in the database: nobody approves their own request.
            t.HasCheckConstraint("ck_repair_requests_four_eyes", "approved_by IS NULL OR approved_by <> requested_by");
            t.HasCheckConstraint("ck_repair_requests_amount", "amount >= 0");
        });
        b.HasKey(r => r.Id);
        b.Property(r => r.PaymentKey).HasMaxLength(200);
        b.Property(r => r.OrderId).HasMaxLength(64);
        b.Property(r => r.IdempotencyKey).HasMaxLength(100);
        b.Property(r => r.ReasonCode).HasMaxLength(40);
        b.Property(r => r.Comment).HasMaxLength(1000);
        b.Property(r => r.RequestedBy).HasMaxLength(100);
        b.Property(r => r.ApprovedBy).HasMaxLength(100);
        b.Property(r => r.RejectedBy).HasMaxLength(100);
        b.Property(r => r.RejectReason).HasMaxLength(1000);
        b.Property(r => r.Outcome).HasMaxLength(1000);
        b.Property(r => r.TransactionKey).HasMaxLength(200);
        b.Property(r => r.Version).IsConcurrencyToken();
        b.HasIndex(r => r.IdempotencyKey).IsUnique();
        // One open repair per payment, whatever the code does.
        b.HasIndex(r => r.PaymentKey).IsUnique()
            .HasFilter("status IN ('REQUESTED', 'APPROVED', 'EXECUTING', 'UNKNOWN')")
            .HasDatabaseName("ux_repair_requests_one_open_per_payment");
        b.HasIndex(r => new { r.Status, r.RequestedAt });
        b.HasIndex(r => r.FindingId);
        b.HasIndex(r => r.BatchId);
        b.Ignore(r => r.MovesMoney);
        b.Ignore(r => r.IsOpen);
    }
}
