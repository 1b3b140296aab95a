using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// A transaction of our ledger as the oracle sees it (amount signed like the PG's). <paramref name="KeyKnown"/> false: an
/// approval booked without a key (the PG's answer did not tell it); <paramref name="Key"/> is then the key its PG line
/// carries, which reconciliation has to learn.
/// </summary>
public sealed record InternalTx(string Key, string PaymentKey, string OrderId, TransactionKind Kind, long Amount,
    PaymentMethod Method, DateTimeOffset OccurredAt, bool KeyKnown = true)
{
    public long SignedAmount => Kind == TransactionKind.CANCEL ? -Amount : Amount;
    public DateOnly BusinessDate => BusinessCalendar.BusinessDateOf(OccurredAt);
}

/// <summary>One PG settlement line as the oracle sees it (our ledger is KRW; a line may report another currency);
/// <see cref="Vat"/> null: amount / 11 (unchecked without a contract), the other details null: not reported.
/// <see cref="Pg"/>: the PG connection that reported it.</summary>
public sealed record ExternalLine(string Key, string PaymentKey, string OrderId, PaymentMethod Method, long Amount,
    long Fee, DateOnly SoldDate, DateTimeOffset ApprovedAt, string? MId = null, string? IssuerCode = null,
    string? Provider = null, int? Months = null, string? InterestPayer = null, long? Vat = null, long? FeeBase = null,
    long? FeeInstallment = null, string Currency = "KRW", string Pg = Ledger.DefaultPg)
{
    public long StoredVat => Vat ?? Amount / 11;
}

/// <summary>A payment of our ledger at the PG connection <see cref="Pg"/>: status plus its transactions (none unless
/// DONE/PARTIAL_CANCELED/CANCELED).</summary>
public sealed record LedgerPayment(string PaymentKey, string OrderId, long Amount, PaymentMethod Method,
    PaymentStatus Status, IReadOnlyList<InternalTx> Transactions, string Pg = Ledger.DefaultPg);

/// <summary>Both ledgers of a test, and how to write them into a database.</summary>
public sealed class Ledger
{
    /// <summary>The PG connection of a configuration without <c>Pgs</c> (every test ledger's unless it says otherwise).</summary>
    public const string DefaultPg = OpsConsole.Core.Gateway.PgConnections.LegacyName;

    public List<LedgerPayment> Payments { get; } = [];
    public List<ExternalLine> Lines { get; } = [];

    public IEnumerable<InternalTx> Transactions => Payments.SelectMany(p => p.Transactions);

    public static async Task ClearAsync(OpsDbContextFactory factory)
    {
        await using var db = factory.CreateDbContext();
        foreach (var table in new[]
                 {
                     "repair_requests", "recon_run_keys", "recon_dirty_keys", "recon_finding_sightings", "recon_finding_notes", "recon_findings", "recon_run_items",
                     "recon_run_totals", "recon_runs", "recon_control_total_deltas", "recon_control_total_verifications", "settlement_lines", "settlement_imports", "payment_transactions",
                     "cancel_attempts", "payment_events", "payments", "audit_log",
                 })
#pragma warning disable EF1002 // table names are constants of this test
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table}");
#pragma warning restore EF1002
    }

    /// <summary>Writes payments through the aggregate (so statuses and transactions are real) and lines as one import.</summary>
    public async Task SaveAsync(OpsDbContextFactory factory)
    {
        await using var db = factory.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        foreach (var p in Payments)
            db.Payments.Add(ToEntity(p, now));
        await db.SaveChangesAsync();
        await AddLinesAsync(factory, Lines);
    }

    public static Payment ToEntity(LedgerPayment p, DateTimeOffset now)
    {
        var payment = Payment.StartConfirm(p.PaymentKey, p.OrderId, p.Amount, "KRW", "trace" + p.PaymentKey, now, p.Pg);
        switch (p.Status)
        {
            case PaymentStatus.ABORTED: payment.MarkAborted("REJECT_CARD_PAYMENT", "refused", now); break;
            case PaymentStatus.EXPIRED: payment.MarkExpired("window passed", now); break;
            case PaymentStatus.UNKNOWN: payment.MarkUnknown("timeout", now, now); break;
            case PaymentStatus.IN_PROGRESS: break;
            default:
                var approval = p.Transactions.Single(t => t.Kind == TransactionKind.APPROVAL);
                payment.MarkApproved(approval.KeyKnown ? approval.Key : null, p.Method, approval.OccurredAt, now);
                foreach (var c in p.Transactions.Where(t => t.Kind == TransactionKind.CANCEL))
                {
                    payment.ReserveCancel(c.Amount, now);
                    payment.CompleteCancel(c.Amount, c.Key, c.OccurredAt, now);
                }
                break;
        }
        return payment;
    }

    /// <summary>Adds the lines as one import per PG connection.</summary>
    public static async Task AddLinesAsync(OpsDbContextFactory factory, IEnumerable<ExternalLine> lines)
    {
        foreach (var ofPg in lines.GroupBy(l => l.Pg).OrderBy(g => g.Key, StringComparer.Ordinal))
            await AddLinesOfPgAsync(factory, ofPg.Key, ofPg.ToList());
    }

    private static async Task AddLinesOfPgAsync(OpsDbContextFactory factory, string pg, List<ExternalLine> list)
    {
        await using var db = factory.CreateDbContext();
        var import = SettlementImport.ForCsv("test.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
            list.Count, "test", DateTimeOffset.UtcNow, pg);
        db.Add(import);
        var n = 1;
        await SettlementLineWriter.AddAsync(db, list.Select(l => SettlementLine.Create(import, ++n, l.PaymentKey, l.Key,
            l.OrderId, l.Method, l.Amount, l.Fee, l.Fee - l.StoredVat, l.StoredVat, l.Amount - l.Fee, l.ApprovedAt,
            l.SoldDate, l.SoldDate.AddDays(2), l.Currency, l.MId, details: new SettlementLineDetails(FeeBase: l.FeeBase,
                FeeInstallment: l.FeeInstallment, CardIssuerCode: l.IssuerCode, CardInstallmentPlanMonths: l.Months,
                CardInterestPayer: l.InterestPayer, EasyPayProvider: l.Provider))).ToList(), CancellationToken.None);
        await db.SaveChangesAsync();
    }
}
