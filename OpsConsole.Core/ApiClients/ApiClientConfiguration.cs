using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.ApiClients;

internal sealed class ApiClientConfiguration : IEntityTypeConfiguration<ApiClient>
{
    public void Configure(EntityTypeBuilder<ApiClient> b)
    {
        b.ToTable("api_clients");
        b.HasKey(c => c.Id);
        b.Property(c => c.Name).HasMaxLength(64);
        b.Property(c => c.Scopes).HasMaxLength(200);
        b.Property(c => c.KeyHash).HasMaxLength(64);
        b.Property(c => c.KeyHint).HasMaxLength(16);
        b.Property(c => c.CreatedBy).HasMaxLength(100);
        b.Property(c => c.RevokedBy).HasMaxLength(100);
        b.Ignore(c => c.IsRevoked);
        b.Ignore(c => c.ScopeList);
        b.HasIndex(c => c.Name).IsUnique();
        b.HasIndex(c => c.KeyHash).IsUnique();
    }
}
