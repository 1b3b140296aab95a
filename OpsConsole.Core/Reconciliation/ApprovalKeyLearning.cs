using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>One approval whose key reconciliation learnt from the PG's settlement line.</summary>
public sealed record LearnedApprovalKey(long TransactionId, string PaymentKey, string OrderId, string TransactionKey);

/// <summary>
/// The first step of every reconciliation run (<see cref="ReconciliationService"/>, whatever the engine): approvals
/// booked without a key — the PG's answer did not tell it, e.g. a payment whose confirm answer was lost and that was
/// partly cancelled at the PG before the janitor looked it up (Toss's <c>lastTransactionKey</c> then names the last
/// cancel) — take the key of their payment's approval line. Set-based, one statement on SQLite and PostgreSQL:
/// an approval without a key whose <c>payment_key</c> has exactly one approval (non-cancel: amount &gt; 0, no cancel
/// time) settlement key of its own PG (another PG's line never names our approval), not already booked on another transaction, gets that key. Each learnt key is a
/// <c>key.learned</c> event on the payment's timeline and the batch one audit entry, in the same transaction. The
/// ordinary passes then match the approval by key. An approval still without a key (no line yet, or several) is not
/// compared by key; the passes skip it and the run names how many remain.
/// </summary>
public static class ApprovalKeyLearning
{
    public const string EventType = "key.learned";

    /// <summary>The UPDATE … RETURNING of the step for the approvals of the PG <c>@pg</c> (table names through
    /// <paramref name="dialect"/>): a run learns only its own PG's keys, so the change that makes it compare the whole
    /// date never reaches another PG's ledger unseen.</summary>
    public static string LearnSql(IReconSqlDialect dialect)
    {
        var t = dialect.Table("payment_transactions");
        var l = dialect.Table("settlement_lines");
        var approvalLine = $"sl.payment_key = {t}.payment_key AND sl.pg = {t}.pg AND sl.amount > 0 AND sl.canceled_at IS NULL";
        return $"""
            UPDATE {t} SET transaction_key = (SELECT MIN(sl.transaction_key) FROM {l} sl WHERE {approvalLine})
            WHERE {t}.transaction_key IS NULL AND {t}.pg = {dialect.Parameter("pg")} AND {t}.kind = {dialect.Text(nameof(TransactionKind.APPROVAL))}
              AND (SELECT COUNT(DISTINCT sl.transaction_key) FROM {l} sl WHERE {approvalLine}) = 1
              AND NOT EXISTS (SELECT 1 FROM {l} sl JOIN {t} o ON o.transaction_key = sl.transaction_key WHERE {approvalLine})
            RETURNING {t}.id, {t}.payment_key, {t}.order_id, {t}.transaction_key
            """;
    }

    /// <summary>How many approvals of the PG <c>@pg</c> are still without a key after the step.</summary>
    public static string RemainingSql(IReconSqlDialect dialect) =>
        $"SELECT COUNT(*) FROM {dialect.Table("payment_transactions")} WHERE transaction_key IS NULL AND pg = {dialect.Parameter("pg")}";

    /// <summary>Runs the step in its own transaction; returns the keys learnt and how many approvals of
    /// <paramref name="pg"/> (the run's PG) remain without one.</summary>
    public static async Task<(IReadOnlyList<LearnedApprovalKey> Learned, long Remaining)> RunAsync(
        IDbContextFactory<OpsDbContext> dbFactory, long runId, string pg, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var dialect = ReconSql.DialectFor(db.Provider);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var learned = new List<LearnedApprovalKey>();
        await using (var cmd = db.Database.GetDbConnection().CreateCommand())
        {
            cmd.CommandText = LearnSql(dialect);
            cmd.CommandTimeout = 3600;
            cmd.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            var parameter = cmd.CreateParameter();
            parameter.ParameterName = "@pg";
            parameter.Value = pg;
            cmd.Parameters.Add(parameter);
            await using DbDataReader reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                learned.Add(new LearnedApprovalKey(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        foreach (var k in learned)
            db.PaymentEvents.Add(PaymentEvent.Note(k.PaymentKey, k.OrderId, EventType,
                $"reconciliation run {runId} learnt the approval's transaction key {k.TransactionKey} from the PG's settlement line " +
                "(the PG's answer had not told it)", Tracing.CurrentTraceId(), Tracing.CurrentSpanId(), now));
        if (learned.Count > 0)
            db.AuditEntries.Add(AuditEntry.Create(now, ReconciliationSqlGenerator.ResolvedBySystem, "payment.approval_key_learned",
                "recon_run", runId.ToString(System.Globalization.CultureInfo.InvariantCulture), null,
                string.Join(", ", learned.Select(k => $"{k.PaymentKey} → {k.TransactionKey}")), null,
                $"{learned.Count} approval key(s) learnt from settlement lines", Tracing.CurrentTraceId()));
        await db.SaveChangesAsync(ct);
        var remaining = await ReconSql.ScalarAsync(db, RemainingSql(dialect), new Dictionary<string, object?> { ["pg"] = pg }, ct);
        await tx.CommitAsync(ct);
        return (learned, remaining);
    }
}
