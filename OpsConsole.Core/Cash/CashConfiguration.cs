using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Cash;

internal sealed class BankStatementImportConfiguration : IEntityTypeConfiguration<BankStatementImport>
{
    public void Configure(EntityTypeBuilder<BankStatementImport> b)
    {
        b.ToTable("bank_statement_imports");
        b.HasKey(i => i.Id);
        b.Property(i => i.FileName).HasMaxLength(300);
        b.Property(i => i.Sha256).HasMaxLength(64);
        b.Property(i => i.ProfileName).HasMaxLength(100);
        b.Property(i => i.AccountName).HasMaxLength(300);
        b.Property(i => i.ImportedBy).HasMaxLength(100);
        // The same file is imported once, whoever tries and however often (also concurrently).
        b.HasIndex(i => i.Sha256).IsUnique();
        b.HasIndex(i => i.ImportedAt);
    }
}

internal sealed class BankTransactionConfiguration : IEntityTypeConfiguration<BankTransaction>
{
    public void Configure(EntityTypeBuilder<BankTransaction> b)
    {
        b.ToTable("bank_transactions");
        b.HasKey(t => t.Id);
        b.Property(t => t.AccountName).HasMaxLength(64);
        b.Property(t => t.Currency).HasMaxLength(3);
        b.Property(t => t.Counterparty).HasMaxLength(200);
        b.Property(t => t.Memo).HasMaxLength(1000);
        b.Property(t => t.AccountServicerRef).HasMaxLength(100);
        b.Ignore(t => t.SignedAmount);
        b.HasOne(t => t.Import).WithMany().HasForeignKey(t => t.ImportId).OnDelete(DeleteBehavior.Cascade);
        // The payout matching reads an account's deposits by booking date.
        b.HasIndex(t => new { t.AccountName, t.BookingDate, t.Direction });
        b.HasIndex(t => t.ImportId);
    }
}
