using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Cash;

/// <summary>
/// One <c>Cash:*</c> setting as an admin stored it in the console (<c>cash_settings</c>): it overrides the configured
/// value of the same key (<see cref="Key"/> is relative to <c>Cash:</c>, e.g. <c>Pgs:tosspay:PayoutDays:CARD</c>).
/// Stored only after the settings it produces passed <see cref="CashOptionsValidator"/>.
/// </summary>
public sealed class CashSettingRecord
{
    private CashSettingRecord()
    {
        Key = Value = UpdatedBy = "";
    }

    public string Key { get; private set; }
    public string Value { get; private set; }
    public string UpdatedBy { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    internal static CashSettingRecord Create(string key, string value, string by, DateTimeOffset at) =>
        new() { Key = key, Value = value, UpdatedBy = by, UpdatedAt = at, Version = 1 };

    internal void Update(string value, string by, DateTimeOffset at)
    {
        Value = value;
        UpdatedBy = by;
        UpdatedAt = at;
        Version++;
    }
}

internal sealed class CashSettingRecordConfiguration : IEntityTypeConfiguration<CashSettingRecord>
{
    public void Configure(EntityTypeBuilder<CashSettingRecord> b)
    {
        b.ToTable("cash_settings");
        b.HasKey(s => s.Key);
        b.Property(s => s.Key).HasMaxLength(200);
        b.Property(s => s.Value).HasMaxLength(2000);
        b.Property(s => s.UpdatedBy).HasMaxLength(200);
        b.Property(s => s.Version).IsConcurrencyToken();
    }
}
