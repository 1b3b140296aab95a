using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>How a settlement file is to be imported.</summary>
public enum SettlementImportMode
{
    /// <summary>Validate and compute what the file would change; store nothing.</summary>
    Preview,

    /// <summary>Store the file unless it would remove lines (a date it holds has more stored lines than the file
    /// brings): then store nothing and answer <see cref="ImportOutcome.NeedsConfirmation"/>.</summary>
    Commit,

    /// <summary>Store the file even when it removes lines: the user confirmed the replacement.</summary>
    CommitReplacing,
}

/// <summary>One sold date of a settlement file against what is stored for it.</summary>
/// <param name="NewLines">Lines of the file for the date.</param>
/// <param name="NewAmount">Their signed amount (KRW).</param>
/// <param name="StoredLines">Lines stored for the date now, of any source (all superseded by the file).</param>
/// <param name="StoredAmount">Their signed amount (KRW).</param>
public sealed record SoldDateChange(DateOnly SoldDate, int NewLines, long NewAmount, int StoredLines, long StoredAmount)
{
    /// <summary>The file brings fewer lines than are stored for the date: lines disappear.</summary>
    public bool RemovesLines => StoredLines > NewLines;

    /// <summary>"replaces 147 lines of 2026-12-05 with 1 line" or "adds 12 lines of 2026-12-06".</summary>
    public string Describe() => StoredLines == 0
        ? $"adds {Lines(NewLines)} of {SoldDate:yyyy-MM-dd}"
        : $"replaces {Lines(StoredLines)} of {SoldDate:yyyy-MM-dd} with {Lines(NewLines)}";

    internal static string Lines(int n) => string.Create(CultureInfo.InvariantCulture, $"{n:N0} line{(n == 1 ? "" : "s")}");
}

/// <summary>What a settlement file changes, per sold date, computed from the staging table (set-based, streaming).</summary>
public sealed record SettlementImportPreview(IReadOnlyList<SoldDateChange> Dates)
{
    public bool RemovesLines => Dates.Any(d => d.RemovesLines);

    public int RemovedLines => Dates.Sum(d => Math.Max(0, d.StoredLines - d.NewLines));

    public string Describe() => string.Join("; ", Dates.Select(d => d.Describe()));

    /// <summary>Groups the staged lines by sold date against the stored lines of those dates, in the caller's transaction.</summary>
    /// <summary>The staged file against the stored lines of the PG <paramref name="pg"/> (the ones it would supersede).</summary>
    internal static async Task<SettlementImportPreview> FromStagingAsync(OpsDbContext db, string pg, CancellationToken cancellationToken)
    {
        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("The preview needs the import's transaction.");
        const string staging = SettlementStaging.Table;
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.Transaction = tx.GetDbTransaction();
        cmd.CommandText = $"""
            SELECT s.sold_date, s.n, s.amount, COALESCE(h.n, 0), COALESCE(h.amount, 0)
            FROM (SELECT sold_date, COUNT(*) AS n, SUM(amount) AS amount FROM {staging} GROUP BY sold_date) s
            LEFT JOIN (SELECT sold_date, COUNT(*) AS n, SUM(amount) AS amount FROM settlement_lines
                       WHERE pg = {ReconSql.DialectFor(db.Provider).Text(pg)} AND sold_date IN (SELECT sold_date FROM {staging}) GROUP BY sold_date) h ON h.sold_date = s.sold_date
            ORDER BY s.sold_date
            """;
        var dates = new List<SoldDateChange>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            dates.Add(new SoldDateChange(DateOf(reader, 0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture), Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture),
                Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture)));
        return new SettlementImportPreview(dates);
    }

    private static DateOnly DateOf(DbDataReader reader, int ordinal) => reader.GetValue(ordinal) switch
    {
        DateOnly d => d,
        DateTime t => DateOnly.FromDateTime(t),
        string s => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        var other => throw new InvalidOperationException($"Unexpected sold_date value {other} ({other.GetType().Name})."),
    };
}
