using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Checks a date's and PG's recorded control totals against both ledgers, off the runs' path: runs record their totals
/// as the last recorded totals plus the deltas of the write paths (<see cref="ControlTotalsRecorder"/>), so a row changed
/// outside those paths (edited by hand, no delta) would stay out of them. In one snapshot (PostgreSQL repeatable read;
/// SQLite's transaction holds the write lock) it sums the day (<see cref="ControlTotalsRecorder.SumDayAsync"/>) and
/// compares it with the last recorded totals plus the deltas still pending. On a difference it writes the correcting
/// delta (sums − (recorded + pending)), so the next run's totals are the sums again, then logs a warning, writes an
/// audit entry and sends an alert. Each verification is recorded (<see cref="ControlTotalsVerification"/>).
/// <para>A run that consumes the pending deltas meanwhile does not double-count the correction: the correction is what
/// the snapshot's ledgers have beyond what the snapshot's totals and deltas say, and every later write has its own delta.</para>
/// </summary>
public sealed class ControlTotalsVerifier(
    IDbContextFactory<OpsDbContext> dbFactory,
    TimeProvider clock,
    AuditLog? audit = null,
    IReconAlertSink? alerts = null,
    ILogger<ControlTotalsVerifier>? logger = null)
{
    /// <summary>The audit entry of a corrected drift (actor <see cref="Actor"/>, target <see cref="AuditTarget"/> "date/PG").</summary>
    public const string AuditAction = "control-totals.drift-corrected";
    public const string AuditTarget = "control_totals";
    public const string Actor = "system:control-totals";

    private readonly ILogger _log = logger ?? NullLogger<ControlTotalsVerifier>.Instance;

    /// <returns>The recorded verification; null when the date and PG have no recorded totals yet (nothing to check: the
    /// first run sums the day).</returns>
    public async Task<ControlTotalsVerification?> VerifyAsync(DateOnly date, string pg, VerificationTrigger trigger,
        CancellationToken ct = default)
    {
        var sw = Stopwatch.StartNew();
        ControlTotalsVerification verification;
        Dictionary<string, (LedgerSide Ours, PgSide Pg)> expected, derived;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await ReconSql.OpenAsync(db, ct);
            await using var tx = db.Provider == DatabaseProvider.Postgres
                ? await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct)
                : await db.Database.BeginTransactionAsync(ct);
            var recorded = await ControlTotalsRecorder.LastRecordedAsync(db, date, pg, ct);
            if (recorded.Count == 0) return null;
            var pending = (await ReconSql.RowsAsync(db, ControlTotalsDelta.PendingSql(),
                    new Dictionary<string, object?> { ["date"] = ReconSql.DialectFor(db.Provider).DateValue(date), ["pg"] = pg }, ct))
                .Select(ControlTotalsDelta.Read).ToList();
            expected = ControlTotalsRecorder.Plus(recorded, pending);
            derived = await ControlTotalsRecorder.SumDayAsync(db, date, pg, ct, dbFactory);

            var drifts = Differences(expected, derived);
            foreach (var (currency, ours, theirs) in drifts)
                ControlTotalsDelta.AddCorrection(db, date, pg, currency, ours, theirs);
            var krw = drifts.FirstOrDefault(d => d.Currency == Money.LedgerCurrency);
            verification = ControlTotalsVerification.Create(date, pg, clock.GetUtcNow(), trigger, recorded[0].RunId,
                pending.Count, krw.Ours?.Net ?? 0, krw.Pg?.Gross ?? 0, drifts.Count == 0 ? null : Describe(drifts), sw.ElapsedMilliseconds);
            db.Add(verification);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        if (!verification.Drifted)
        {
            _log.LogInformation("Control totals of {BusinessDate} and PG {Pg} verified in {Ms} ms: run {RunId}'s totals and {Pending} pending change(s) equal the ledgers' sums",
                date, pg, verification.DurationMs, verification.RunId, verification.PendingDeltas);
            return verification;
        }
        _log.LogWarning("Control totals of {BusinessDate} and PG {Pg} drifted from the ledgers (a write bypassed the write paths): {Drift}. A correcting change was recorded; the next run's totals are the ledgers' sums",
            date, pg, verification.Drift);
        var target = $"{date:yyyy-MM-dd}/{pg}";
        try
        {
            if (audit is not null)
                await audit.WriteAsync(Actor, AuditAction, AuditTarget, target, before: Text(expected), after: Text(derived),
                    reason: "The ledgers changed outside the write paths (no delta): the recorded totals plus the pending changes differed from the sums of the day.",
                    outcome: verification.Drift);
            if (alerts is not null)
                await alerts.SendTextAsync(
                    $":warning: *Control totals of {date:yyyy-MM-dd} (PG {pg}) drifted from the ledgers* — a row was changed outside the console's write paths. " +
                    $"Corrected (the next run's totals are the ledgers' sums): {verification.Drift}", ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The correction is committed; a failing audit or alert is logged, never undone.
            _log.LogError(e, "The drift of the control totals of {BusinessDate} and PG {Pg} was corrected but could not be audited or alerted", date, pg);
        }
        return verification;
    }

    /// <summary>Per currency, what the sums have beyond the expected totals (only currencies that differ).</summary>
    internal static List<(string Currency, LedgerSide Ours, PgSide Pg)> Differences(
        Dictionary<string, (LedgerSide Ours, PgSide Pg)> expected, Dictionary<string, (LedgerSide Ours, PgSide Pg)> derived)
    {
        var result = new List<(string, LedgerSide, PgSide)>();
        foreach (var currency in expected.Keys.Union(derived.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var (eo, ep) = expected.GetValueOrDefault(currency, (LedgerSide.Empty, PgSide.Empty));
            var (@do, dp) = derived.GetValueOrDefault(currency, (LedgerSide.Empty, PgSide.Empty));
            // Our ledger is in the ledger currency only, as the recorder stores it.
            var ours = currency == Money.LedgerCurrency ? @do.Minus(eo) : LedgerSide.Empty;
            var theirs = dp.Minus(ep);
            if (ours != LedgerSide.Empty || theirs != PgSide.Empty) result.Add((currency, ours, theirs));
        }
        return result;
    }

    private static string Describe(IEnumerable<(string Currency, LedgerSide Ours, PgSide Pg)> drifts) =>
        string.Join("; ", drifts.Select(d => $"{d.Currency}: " + string.Join(", ", Fields(d.Currency, d.Ours, d.Pg)
            .Where(f => f.Value != 0).Select(f => $"{f.Name} {(f.Value > 0 ? "+" : "")}{f.Text}"))));

    private static IEnumerable<(string Name, long Value, string Text)> Fields(string currency, LedgerSide o, PgSide p)
    {
        string M(long v) => MinorUnits.Format(v, currency);
        string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);
        yield return ("our approvals", o.ApprovalCount, N(o.ApprovalCount));
        yield return ("our approval amount", o.ApprovalAmount, M(o.ApprovalAmount));
        yield return ("our cancels", o.CancelCount, N(o.CancelCount));
        yield return ("our cancel amount", o.CancelAmount, M(o.CancelAmount));
        yield return ("PG approval lines", p.ApprovalLineCount, N(p.ApprovalLineCount));
        yield return ("PG approval amount", p.ApprovalAmount, M(p.ApprovalAmount));
        yield return ("PG cancel lines", p.CancelLineCount, N(p.CancelLineCount));
        yield return ("PG cancel amount", p.CancelAmount, M(p.CancelAmount));
        yield return ("PG fee", p.Fee, M(p.Fee));
        yield return ("PG VAT", p.Vat, M(p.Vat));
        yield return ("PG payout", p.Payout, M(p.Payout));
    }

    private static string Text(Dictionary<string, (LedgerSide Ours, PgSide Pg)> totals) =>
        string.Join("; ", totals.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}: ours {t.Value.Ours}, PG {t.Value.Pg}"));
}
