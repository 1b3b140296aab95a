using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Audit;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.HasKey(a => a.Id);
        b.Property(a => a.Actor).HasMaxLength(100);
        b.Property(a => a.Action).HasMaxLength(64);
        b.Property(a => a.TargetType).HasMaxLength(64);
        b.Property(a => a.TargetId).HasMaxLength(300);
        b.Property(a => a.Before).HasMaxLength(4000);
        b.Property(a => a.After).HasMaxLength(4000);
        b.Property(a => a.Reason).HasMaxLength(1000);
        b.Property(a => a.Outcome).HasMaxLength(1000);
        b.Property(a => a.TraceId).HasMaxLength(32);
        b.Property(a => a.PaymentKey).HasMaxLength(200);
        b.HasIndex(a => a.At);
        b.HasIndex(a => new { a.TargetType, a.TargetId });
        b.HasIndex(a => a.TargetId); // the payment timeline and the audit filter look up by id, whatever the type
        b.HasIndex(a => a.Actor);
        b.HasIndex(a => new { a.PaymentKey, a.At }); // the audit filter "everything about this payment", newest first
    }
}
