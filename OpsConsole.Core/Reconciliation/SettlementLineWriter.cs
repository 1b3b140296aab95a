using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Adds settlement lines to a context and keeps <see cref="SettlementLine.KeyRepeated"/> true on every line
/// of a key the PG reported more than once: new lines whose key is already held or appears twice in the
/// batch, and the held lines of those keys (updated in the caller's transaction). Two writers racing on the
/// same new key collide on the unique index of single-line keys, and the caller retries.
/// </summary>
public static class SettlementLineWriter
{
    private const int LookupChunk = 500;

    /// <summary>
    /// The PG's statement for a sold date is the latest report that covered it, whichever channel it came by:
    /// in the caller's transaction, deletes the stored lines of the PG <paramref name="pg"/> (another PG's lines
    /// stay), of any source, whose sold date is one of <paramref name="soldDates"/>, then adds <paramref name="lines"/> (see <see cref="AddAsync"/>, whose
    /// look-up of held keys sees the deletion). Returns how many lines were superseded. On PostgreSQL the
    /// ingestions take turns (a transaction-scoped advisory lock), so one that starts while another is
    /// committing deletes that one's lines instead of adding to them; SQLite's write transactions already do.
    /// A key whose other lines were deleted may stay marked with one line left; reconciliation counts it as one.
    /// </summary>
    public static async Task<int> SupersedeAsync(OpsDbContext db, string pg, IReadOnlyCollection<DateOnly> soldDates,
        IReadOnlyList<SettlementLine> lines, CancellationToken cancellationToken)
    {
        if (lines.FirstOrDefault(l => l.Pg != pg) is { } other)
            throw new InvalidOperationException($"A line of PG '{other.Pg}' cannot supersede the lines of PG '{pg}'.");
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Superseding settlement lines needs the caller's transaction.");
        await TakeTurnAsync(db, cancellationToken);
        var dates = soldDates.Distinct().ToArray();
        // Reconciliation re-compares only the keys whose lines differ from the statement they replace.
        var before = await db.Set<SettlementLine>().AsNoTracking().Where(l => l.Pg == pg && dates.Contains(l.SoldDate))
            .Select(l => new LineFields(l.Pg, l.TransactionKey, l.PaymentKey, l.OrderId, l.Method, l.Amount, l.Fee, l.SoldDate, l.ApprovedAt,
                l.Currency, l.MId, l.Vat, l.FeeBase, l.FeeInstallment, l.CardIssuerCode, l.CardInstallmentPlanMonths,
                l.CardInterestPayer, l.EasyPayProvider))
            .ToListAsync(cancellationToken);
        var superseded = await db.Set<SettlementLine>().Where(l => l.Pg == pg && dates.Contains(l.SoldDate))
            .ExecuteDeleteAsync(cancellationToken);
        await AddUnmarkedAsync(db, lines, cancellationToken);
        var balance = new Dictionary<LineFields, int>();
        foreach (var f in before) balance[f] = balance.GetValueOrDefault(f) - 1;
        foreach (var l in lines)
        {
            var f = LineFields.Of(l);
            balance[f] = balance.GetValueOrDefault(f) + 1;
        }
        var changed = balance.Where(b => b.Value != 0).Select(b => b.Key).ToList();
        await ReconChangeTracking.MarkAsync(db, changed.Select(f => f.TransactionKey),
            changed.Select(f => (f.SoldDate, f.Pg, f.TransactionKey)), null, cancellationToken);
        return superseded;
    }

    /// <summary>What reconciliation reads of a line: two statements with the same multiset of these agree.</summary>
    private readonly record struct LineFields(string Pg, string TransactionKey, string PaymentKey, string OrderId,
        Payments.PaymentMethod Method, long Amount, long Fee, DateOnly SoldDate, DateTimeOffset ApprovedAt, string Currency,
        string? MId, long Vat, long? FeeBase, long? FeeInstallment, string? CardIssuerCode, int? CardInstallmentPlanMonths,
        string? CardInterestPayer, string? EasyPayProvider)
    {
        /// <summary>Every field a rule compares (currency, the contract's inputs, the fee breakdown): a line whose
        /// compared fields did not change does not mark its key.</summary>
        public static LineFields Of(SettlementLine l) =>
            new(l.Pg, l.TransactionKey, l.PaymentKey, l.OrderId, l.Method, l.Amount, l.Fee, l.SoldDate, l.ApprovedAt, l.Currency,
                l.MId, l.Vat, l.FeeBase, l.FeeInstallment, l.CardIssuerCode, l.CardInstallmentPlanMonths,
                l.CardInterestPayer, l.EasyPayProvider);
    }

    /// <summary>Adds lines (see <see cref="AddUnmarkedAsync"/>) and marks their keys for reconciliation's next run.</summary>
    public static async Task AddAsync(OpsDbContext db, IReadOnlyList<SettlementLine> lines, CancellationToken cancellationToken)
    {
        await AddUnmarkedAsync(db, lines, cancellationToken);
        await ReconChangeTracking.MarkAsync(db, lines.Select(l => l.TransactionKey),
            lines.Select(l => (l.SoldDate, l.Pg, l.TransactionKey)), null, cancellationToken);
    }

    private static async Task AddUnmarkedAsync(OpsDbContext db, IReadOnlyList<SettlementLine> lines, CancellationToken cancellationToken)
    {
        var inBatch = lines.GroupBy(l => l.TransactionKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in inBatch.Keys.Chunk(LookupChunk))
        {
            held.UnionWith(await db.Set<SettlementLine>().AsNoTracking()
                .Where(l => chunk.Contains(l.TransactionKey))
                .Select(l => l.TransactionKey).Distinct().ToListAsync(cancellationToken));
            var heldHere = chunk.Where(held.Contains).ToArray();
            if (heldHere.Length > 0)
                await db.Set<SettlementLine>()
                    .Where(l => heldHere.Contains(l.TransactionKey) && !l.KeyRepeated)
                    .ExecuteUpdateAsync(u => u.SetProperty(l => l.KeyRepeated, true), cancellationToken);
        }
        foreach (var line in lines)
        {
            if (held.Contains(line.TransactionKey) || inBatch[line.TransactionKey] > 1) line.MarkKeyRepeated();
        }
        db.Set<SettlementLine>().AddRange(lines);
    }

    /// <summary>
    /// As <see cref="SupersedeAsync"/>, in set-based SQL for a file streamed into <see cref="SettlementStaging"/>:
    /// deletes the stored lines of <paramref name="soldDates"/>, marks the staged keys that repeat inside the file
    /// or are still held, marks the held lines of the staged keys, and moves the staged rows into
    /// <c>settlement_lines</c> as lines of <paramref name="import"/>. Returns how many lines were superseded.
    /// </summary>
    /// <summary>
    /// Ingestions of settlement lines take turns: a transaction-scoped advisory lock on PostgreSQL (re-entrant, held
    /// to the end of the caller's transaction); SQLite serialises writers by itself.
    /// </summary>
    public static async Task TakeTurnAsync(OpsDbContext db, CancellationToken cancellationToken)
    {
        if (db.Provider == DatabaseProvider.Postgres)
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('settlement_lines'))", cancellationToken);
    }

    public static async Task<int> SupersedeFromStagingAsync(OpsDbContext db, IReadOnlyCollection<DateOnly> soldDates,
        SettlementImport import, CancellationToken cancellationToken)
    {
        var tx = db.Database.CurrentTransaction
                 ?? throw new InvalidOperationException("Superseding settlement lines needs the caller's transaction.");
        await TakeTurnAsync(db, cancellationToken);
        var dates = soldDates.Distinct().ToArray();
        var conn = db.Database.GetDbConnection();
        var dialect = ReconSql.DialectFor(db.Provider);
        if (dates.Length > 0)
            await SettlementStaging.ExecAsync(conn, tx,
                ReconChangeTracking.MarkSupersededSql(dialect, dates, import.Pg), cancellationToken);
        var superseded = await db.Set<SettlementLine>().Where(l => l.Pg == import.Pg && dates.Contains(l.SoldDate))
            .ExecuteDeleteAsync(cancellationToken);
        const string staging = SettlementStaging.Table;
        var columns = SettlementStaging.MovedColumns;
        await SettlementStaging.ExecAsync(conn, tx, $"""
            UPDATE {staging} SET key_repeated = TRUE
            WHERE transaction_key IN (SELECT transaction_key FROM {staging} GROUP BY transaction_key HAVING COUNT(*) > 1)
               OR EXISTS (SELECT 1 FROM settlement_lines h WHERE h.transaction_key = {staging}.transaction_key)
            """, cancellationToken);
        await SettlementStaging.ExecAsync(conn, tx, $"""
            UPDATE settlement_lines SET key_repeated = TRUE
            WHERE NOT key_repeated AND transaction_key IN (SELECT transaction_key FROM {staging} WHERE key_repeated)
            """, cancellationToken);
        await SettlementStaging.ExecAsync(conn, tx, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"""
            INSERT INTO settlement_lines (import_id, source, pg, {columns}, key_repeated)
            SELECT {import.Id}, '{import.Source}', {dialect.Text(import.Pg)}, {columns}, key_repeated FROM {staging} ORDER BY line_number
            """), cancellationToken);
        return superseded;
    }
}
