using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// A merchant id's fee contract as an admin stored it in the console (<c>fee_contracts</c>): it overrides the
/// configured contract of the same merchant id (<c>Pg:Contracts:{mId}</c>). <see cref="Terms"/> is the contract's
/// settings as JSON (<see cref="FeeContractSettings"/>), checked before it is stored.
/// </summary>
public sealed class FeeContractRecord
{
    private FeeContractRecord()
    {
        MId = Terms = UpdatedBy = "";
    }

    public string MId { get; private set; }
    public string Terms { get; private set; }
    public string UpdatedBy { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public int Version { get; private set; }

    internal static FeeContractRecord Create(string mId, string terms, string by, DateTimeOffset at) =>
        new() { MId = mId, Terms = terms, UpdatedBy = by, UpdatedAt = at, Version = 1 };

    internal void Update(string terms, string by, DateTimeOffset at)
    {
        Terms = terms;
        UpdatedBy = by;
        UpdatedAt = at;
        Version++;
    }
}

internal sealed class FeeContractRecordConfiguration : IEntityTypeConfiguration<FeeContractRecord>
{
    public void Configure(EntityTypeBuilder<FeeContractRecord> b)
    {
        b.ToTable("fee_contracts");
        b.HasKey(c => c.MId);
        b.Property(c => c.MId).HasMaxLength(64);
        b.Property(c => c.Terms).HasMaxLength(20_000);
        b.Property(c => c.UpdatedBy).HasMaxLength(200);
        b.Property(c => c.Version).IsConcurrencyToken();
    }
}
