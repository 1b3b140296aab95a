using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The discrepancy grid's indexes, one per sortable column, each ending in the id tie-breaker of
/// <c>FindingFilter.Sort</c>: a page of 50 reads 50 index entries (forwards or backwards) instead of sorting every
/// matching finding, and the range filters (business date, money at risk) use the same indexes. Kept apart from
/// <see cref="FindingConfiguration"/> (the engine's keys) so the two can change independently; EF applies both.
/// </summary>
internal sealed class FindingGridIndexConfiguration : IEntityTypeConfiguration<Finding>
{
    public void Configure(EntityTypeBuilder<Finding> b)
    {
        b.HasIndex(f => new { f.BusinessDate, f.Id });
        // One business date (the daily review), by money at risk; PostgreSQL counts its matches from the index alone.
        b.HasIndex(f => new { f.BusinessDate, f.MoneyAtRisk, f.Id }).IncludeProperties(f => f.Verdict);
        b.HasIndex(f => new { f.Type, f.Id });
        b.HasIndex(f => new { f.Status, f.Id });
        b.HasIndex(f => new { f.MoneyAtRisk, f.Id });
        b.HasIndex(f => new { f.Assignee, f.Id });
        b.HasIndex(f => new { f.LastSeenAt, f.Id });
    }

    /// <summary>SQLite: the payment key and order id look-ups (equality and the grid's prefix filter) use plain indexes.</summary>
    internal static void ConfigureSqlite(ModelBuilder modelBuilder)
    {
        var b = modelBuilder.Entity<Finding>();
        b.HasIndex(f => f.PaymentKey);
        b.HasIndex(f => f.OrderId);
    }

    /// <summary>
    /// PostgreSQL only: the grid's text filter matches keys by prefix (<c>LIKE 'abc%'</c>), which a plain btree
    /// answers only under the C collation. The transaction key has it (see <c>PostgresOpsDbContext</c>), so the
    /// engine's unique (transaction key, type) index answers the filter and the key needs no index of its own. The
    /// payment key and order id get pattern-ops indexes, which answer the prefix under any collation and equality
    /// too, so they need no plain index beside them (fewer indexes for every run to maintain).
    /// </summary>
    internal static void ConfigurePostgres(ModelBuilder modelBuilder)
    {
        var b = modelBuilder.Entity<Finding>();
        // Named: EF would otherwise give them the names of the plain key indexes and keep only one of each pair.
        foreach (var column in new[] { nameof(Finding.PaymentKey), nameof(Finding.OrderId) })
        {
            var name = $"ix_recon_findings_{JsonNamingPolicy.SnakeCaseLower.ConvertName(column)}_prefix";
            b.HasIndex([column], name).HasDatabaseName(name).HasOperators("varchar_pattern_ops");
        }
    }
}
