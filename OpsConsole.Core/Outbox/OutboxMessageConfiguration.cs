using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Outbox;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages");
        b.HasKey(m => m.Id);
        b.Property(m => m.Type).HasMaxLength(100);
        b.Property(m => m.AggregateKey).HasMaxLength(300);
        b.Property(m => m.Payload).HasMaxLength(8000);
        b.Property(m => m.TraceId).HasMaxLength(32);
        b.Property(m => m.LastError).HasMaxLength(1000);
        b.HasIndex(m => new { m.SentAt, m.NextAttemptAt });
        b.HasIndex(m => m.AggregateKey); // the payment timeline
    }
}
