using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Data;

/// <summary>The data-protection key ring's rows: a key's XML is a few kilobytes, so it is unbounded text.</summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> b)
    {
        b.ToTable("data_protection_keys");
        b.Property(k => k.FriendlyName).HasMaxLength(256);
        b.Property(k => k.Xml).Metadata.SetMaxLength(null);
    }
}
