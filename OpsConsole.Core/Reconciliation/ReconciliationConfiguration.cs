using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Reconciliation;

internal sealed class SettlementImportConfiguration : IEntityTypeConfiguration<SettlementImport>
{
    public void Configure(EntityTypeBuilder<SettlementImport> b)
    {
        b.ToTable("settlement_imports");
        b.HasKey(i => i.Id);
        b.Property(i => i.Name).HasMaxLength(300);
        b.Property(i => i.Sha256).HasMaxLength(64);
        b.Property(i => i.ImportedBy).HasMaxLength(100);
        b.Property(i => i.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        // The same CSV file is imported once, whoever tries and however often (also concurrently).
        b.HasIndex(i => i.Sha256).IsUnique().HasFilter("source = 'CSV'")
            .HasDatabaseName("ux_settlement_imports_csv_sha256");
        b.HasIndex(i => i.ImportedAt);
    }
}

internal sealed class SettlementLineConfiguration : IEntityTypeConfiguration<SettlementLine>
{
    public void Configure(EntityTypeBuilder<SettlementLine> b)
    {
        b.ToTable("settlement_lines");
        b.HasKey(l => l.Id);
        b.Property(l => l.PaymentKey).HasMaxLength(200);
        b.Property(l => l.TransactionKey).HasMaxLength(200);
        b.Property(l => l.OrderId).HasMaxLength(64);
        b.Property(l => l.Currency).HasMaxLength(3);
        b.Property(l => l.MId).HasMaxLength(64);
        b.Property(l => l.MethodText).HasMaxLength(64);
        b.Property(l => l.CardIssuerCode).HasMaxLength(16);
        b.Property(l => l.CardAcquirerCode).HasMaxLength(16);
        b.Property(l => l.CardInterestPayer).HasMaxLength(32);
        b.Property(l => l.CardAcquireStatus).HasMaxLength(32);
        b.Property(l => l.EasyPayProvider).HasMaxLength(64);
        b.Property(l => l.CancelTransactionKey).HasMaxLength(200);
        b.Property(l => l.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        b.HasOne(l => l.Import).WithMany().HasForeignKey(l => l.ImportId).OnDelete(DeleteBehavior.Cascade);
        // Not unique: duplicates are evidence. Lines of keys reported once are unique per key; the lines of
        // keys reported more than once sit in a small partial index (see SettlementLine.KeyRepeated).
        b.HasIndex(l => l.TransactionKey);
        b.HasIndex(l => l.TransactionKey, "single_line_keys").IsUnique().HasFilter("NOT key_repeated")
            .HasDatabaseName("ux_settlement_lines_single_line_keys");
        b.HasIndex(l => l.TransactionKey, "repeated_keys").HasFilter("key_repeated")
            .HasDatabaseName("ix_settlement_lines_repeated_keys");
        // A run reads its PG's lines of a sold date; a PG's statement supersedes that PG's lines of its sold dates only.
        b.HasIndex(l => new { l.SoldDate, l.Pg, l.TransactionKey });
        b.HasIndex(l => l.PaymentKey);
        b.HasIndex(l => l.ImportId);
    }

    /// <summary>
    /// PostgreSQL only: a (day, PG)'s single lines in key order with the columns reconciliation pass 1 compares, so the pass
    /// reads them from the index alone (see <see cref="ReconJoinStrategy.OrderedMergeJoin"/>). Partial, like the
    /// pass's filter: a plain (sold date, key) index that merely included <c>key_repeated</c> would tie on cost with
    /// the single lines' unique key index, whose plan then reads the table at random.
    /// </summary>
    internal static void ConfigurePostgres(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<SettlementLine>().HasIndex(l => new { l.SoldDate, l.Pg, l.TransactionKey }, "day_single_lines")
            .HasFilter("NOT key_repeated").IncludeProperties(l => new { l.Amount, l.Fee, l.Method, l.Currency })
            .HasDatabaseName("ix_settlement_lines_day_single_lines");
}

internal sealed class ReconRunConfiguration : IEntityTypeConfiguration<ReconRun>
{
    public void Configure(EntityTypeBuilder<ReconRun> b)
    {
        b.ToTable("recon_runs");
        b.HasKey(r => r.Id);
        b.Property(r => r.RequestedBy).HasMaxLength(100);
        b.Property(r => r.Error).HasMaxLength(4000);
        b.Property(r => r.Pass1Ms).HasColumnName("pass1_ms");
        b.Property(r => r.Pass2Ms).HasColumnName("pass2_ms");
        b.Property(r => r.Pass1Count).HasColumnName("pass1_count");
        b.Property(r => r.RulesFingerprint).HasMaxLength(64);
        b.Property(r => r.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        // The run lock: one RUNNING run per (business date, PG), enforced by the database across replicas.
        b.HasIndex(r => new { r.BusinessDate, r.Pg }).IsUnique().HasFilter("status = 'RUNNING'")
            .HasDatabaseName("ux_recon_runs_one_running_per_date_pg");
        b.HasIndex(r => new { r.BusinessDate, r.StartedAt }).HasDatabaseName("ix_recon_runs_date_started");
        b.HasIndex(r => r.StartedAt);
        b.HasMany(r => r.Totals).WithOne().HasForeignKey(t => t.RunId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(r => r.Totals).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Ignore(r => r.Duration);
    }
}

internal sealed class ReconRunTotalConfiguration : IEntityTypeConfiguration<ReconRunTotal>
{
    public void Configure(EntityTypeBuilder<ReconRunTotal> b)
    {
        b.ToTable("recon_run_totals");
        b.HasKey(t => new { t.RunId, t.FindingType });
    }
}

internal sealed class ReconRunItemConfiguration : IEntityTypeConfiguration<ReconRunItem>
{
    public void Configure(EntityTypeBuilder<ReconRunItem> b)
    {
        b.ToTable("recon_run_items");
        b.HasKey(i => i.Id);
        b.Property(i => i.TransactionKey).HasMaxLength(200);
        b.Property(i => i.PaymentKey).HasMaxLength(200);
        b.Property(i => i.OrderId).HasMaxLength(64);
        b.Property(i => i.TraceId).HasMaxLength(32);
        b.Property(i => i.DiffFields).HasMaxLength(200);
        b.Property(i => i.PgLiveStatus).HasMaxLength(80);
        b.Property(i => i.Currency).HasMaxLength(3);
        // No foreign key to the run: only the engine writes items, with its own run's id, set-based (tens of thousands of
        // rows a pass), and runs are never deleted. A key's check is a trigger per row, which cost as much as the
        // insert itself (docs/benchmarks.md, "Persist on a durable server").
        b.HasIndex(i => new { i.RunId, i.Pass, i.TransactionKey });
    }
}

internal sealed class FindingConfiguration : IEntityTypeConfiguration<Finding>
{
    /// <summary>The findings' per-run columns (last run id, last seen at, seen count), keyed by <c>finding_id</c>.</summary>
    public const string LastSeenTable = "recon_finding_last_seen";

    /// <summary>
    /// PostgreSQL: the findings table keeps a third of each page free, so that a re-run's update of a finding (its
    /// verdict, evidence and version rewritten with the same indexed values) fits on the same page as a HOT update.
    /// </summary>
    public const int FillFactorPostgres = 70;

    internal static void ConfigurePostgres(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Finding>().HasStorageParameter("fillfactor", FillFactorPostgres);

    public void Configure(EntityTypeBuilder<Finding> b)
    {
        b.ToTable("recon_findings");
        b.HasKey(f => f.Id);
        b.Property(f => f.TransactionKey).HasMaxLength(200);
        b.Property(f => f.PaymentKey).HasMaxLength(200);
        b.Property(f => f.OrderId).HasMaxLength(64);
        b.Property(f => f.TraceId).HasMaxLength(32);
        b.Property(f => f.TransientReason).HasMaxLength(300);
        b.Property(f => f.PgLiveStatus).HasMaxLength(80);
        b.Property(f => f.Currency).HasMaxLength(3);
        b.Property(f => f.Pass1Type).HasColumnName("pass1_type");
        b.Property(f => f.DiffFields).HasMaxLength(200);
        b.Property(f => f.Assignee).HasMaxLength(100);
        b.Property(f => f.AcknowledgedBy).HasMaxLength(100);
        b.Property(f => f.ResolvedBy).HasMaxLength(100);
        b.Property(f => f.Version).IsConcurrencyToken();
        b.Property(f => f.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        // Idempotent re-runs: a finding is its key + type + PG (the key leads: the grid's key prefix filter uses it).
        b.HasIndex(f => new { f.TransactionKey, f.Type, f.Pg }).IsUnique();
        // A run's scope: the findings of its (business date, PG).
        b.HasIndex(f => new { f.BusinessDate, f.Pg, f.Status });
        b.HasIndex(f => new { f.Status, f.Type });
        b.HasIndex(f => f.TraceId);
        // What every run that sees a finding changes (its last run, when, how often) lives in a narrow table of its own
        // (entity splitting: the console's LINQ reads them as the finding's properties). A re-run of a date then leaves
        // an unchanged finding's indexed columns alone, so PostgreSQL updates it in place (a HOT update, given room on
        // the page: FillFactorPostgres) instead of adding an entry to each of the findings' many read indexes; only the
        // narrow table's three indexes change. See docs/benchmarks.md, "Re-runs that touch only what changed".
        b.SplitToTable(LastSeenTable, t =>
        {
            t.Property(f => f.Id).HasColumnName("finding_id");
            t.Property(f => f.LastRunId);
            t.Property(f => f.LastSeenAt);
            t.Property(f => f.SeenCount);
        });
        // One key, two tables: the naming convention would give both primary keys the findings' name (pk_recon_findings),
        // which PostgreSQL refuses (a constraint's index is a relation); without a name each table gets its own default.
        b.Metadata.FindPrimaryKey()!.SetName(null);
        b.HasIndex(f => f.LastRunId);
        // Payment key and order id: per provider (FindingGridIndexConfiguration); assignee: the grid's (assignee, id).
        b.HasMany(f => f.Notes).WithOne().HasForeignKey(n => n.FindingId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(f => f.Notes).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Ignore(f => f.Diff);
        b.Ignore(f => f.IsWorkable);
    }
}

internal sealed class FindingNoteConfiguration : IEntityTypeConfiguration<FindingNote>
{
    public void Configure(EntityTypeBuilder<FindingNote> b)
    {
        b.ToTable("recon_finding_notes");
        b.HasKey(n => n.Id);
        b.Property(n => n.Author).HasMaxLength(100);
        b.Property(n => n.Text).HasMaxLength(4000);
        b.HasIndex(n => new { n.FindingId, n.At });
    }
}

internal sealed class FindingSightingConfiguration : IEntityTypeConfiguration<FindingSighting>
{
    public void Configure(EntityTypeBuilder<FindingSighting> b)
    {
        b.ToTable("recon_finding_sightings");
        b.HasKey(s => s.Id);
        b.Ignore(s => s.IsCarried); // a carried sighting is resolved by RunSightings, never stored
        // No foreign keys: a run writes one sighting per finding it saw, in the statement that writes the finding and with
        // the id that statement returned, and neither runs nor findings are ever deleted. Two checks per row (a trigger
        // each) cost more than the insert itself (docs/benchmarks.md, "Persist on a durable server").
        b.HasIndex(s => new { s.FindingId, s.RunId }).IsUnique();
        b.HasIndex(s => new { s.RunId, s.Verdict });
    }
}

internal sealed class ReconDirtyKeyConfiguration : IEntityTypeConfiguration<ReconDirtyKey>
{
    public void Configure(EntityTypeBuilder<ReconDirtyKey> b)
    {
        b.ToTable("recon_dirty_keys");
        b.HasKey(k => k.Id);
        b.Property(k => k.TransactionKey).HasMaxLength(200);
        b.Property(k => k.Pg).HasMaxLength(Gateway.PgConnections.MaxNameLength);
        b.HasIndex(k => new { k.BusinessDate, k.Pg, k.TransactionKey });
    }
}

internal sealed class ReconRunKeyConfiguration : IEntityTypeConfiguration<ReconRunKey>
{
    public void Configure(EntityTypeBuilder<ReconRunKey> b)
    {
        b.ToTable("recon_run_keys");
        b.HasKey(k => new { k.RunId, k.TransactionKey });
        b.Property(k => k.TransactionKey).HasMaxLength(200);
        b.HasOne<ReconRun>().WithMany().HasForeignKey(k => k.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
