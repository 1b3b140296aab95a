using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// A re-run updates every finding it sees again. For PostgreSQL to make that a HOT update (no new entry in any of the
/// findings' read indexes) when the finding did not change, no index of <c>recon_findings</c> may cover a column every
/// run changes — the last run, last seen time, seen count and version — and the table must leave room on its pages. The
/// run's columns live in <c>recon_finding_last_seen</c> instead, whose indexes serve the Cash pages and the grid's sort.
/// </summary>
public sealed class FindingLastSeenModelTests
{
    private static readonly string[] ChangedByEveryRun =
        [nameof(Finding.LastRunId), nameof(Finding.LastSeenAt), nameof(Finding.SeenCount), nameof(Finding.Version)];

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "Data Source=unused.db")]
    [InlineData(DatabaseProvider.Postgres, "Host=unused")]
    public void NoIndexOfTheFindingsTable_CoversAColumnEveryRunChanges(DatabaseProvider provider, string connection)
    {
        using var db = new OpsDbContextFactory(provider, connection).CreateDbContext();
        // The design-time model: the runtime one drops annotations only migrations read (the storage parameter).
        var finding = db.GetService<IDesignTimeModel>().Model.FindEntityType(typeof(Finding))!;
        var findings = StoreObjectIdentifier.Table("recon_findings");
        var lastSeen = StoreObjectIdentifier.Table("recon_finding_last_seen");

        foreach (var index in finding.GetIndexes().Where(i => i.GetDatabaseName(findings) is not null))
            Assert.DoesNotContain(index.Properties, p => ChangedByEveryRun.Contains(p.Name));
        foreach (var name in new[] { nameof(Finding.LastRunId), nameof(Finding.LastSeenAt), nameof(Finding.SeenCount) })
        {
            Assert.Null(finding.FindProperty(name)!.GetColumnName(findings));
            Assert.NotNull(finding.FindProperty(name)!.GetColumnName(lastSeen));
        }
        // The grid's "last seen" sort and the Cash pages' look-up by run still have their indexes, on the narrow table.
        var narrow = finding.GetIndexes().Where(i => i.GetDatabaseName(lastSeen) is not null)
            .Select(i => string.Join(",", i.Properties.Select(p => p.Name))).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["LastRunId", "LastSeenAt,Id"], narrow);
        if (provider == DatabaseProvider.Postgres)
            Assert.Equal(FindingConfiguration.FillFactorPostgres, finding.FindAnnotation("Npgsql:StorageParameter:fillfactor")?.Value);
    }
}
