using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

public static class ReconTestSupport
{
    public static readonly DateOnly Date = new(2026, 3, 15);

    public static ReconciliationService Service(OpsDbContextFactory factory, IReconAlertSink? alerts = null,
        ReconciliationOptions? options = null, PgConnections? connections = null) =>
        new(factory, Options.Create(options ?? new ReconciliationOptions { SettleDelay = TimeSpan.Zero }),
            TimeProvider.System, alerts: alerts, connections: connections);

    /// <summary>The file PG of <see cref="Infrastructure.TwoPgs"/> (the other is <see cref="Ledger.DefaultPg"/>, by API).</summary>
    public const string FilePg = "inicis";

    /// <summary>A DONE payment of our ledger with its approval and cancels (keys tx-{id}, tx-{id}-c1 …).</summary>
    public static LedgerPayment Done(string id, long amount, DateTimeOffset at, params (long Amount, DateTimeOffset At)[] cancels)
    {
        var txs = new List<InternalTx> { new($"tx-{id}", $"pay-{id}", $"order-{id}", TransactionKind.APPROVAL, amount, PaymentMethod.CARD, at) };
        var n = 0;
        foreach (var (a, t) in cancels)
            txs.Add(new($"tx-{id}-c{++n}", $"pay-{id}", $"order-{id}", TransactionKind.CANCEL, a, PaymentMethod.CARD, t));
        return new LedgerPayment($"pay-{id}", $"order-{id}", amount, PaymentMethod.CARD, PaymentStatus.DONE, txs);
    }

    /// <summary>The PG's line of our transaction, optionally with another amount, sold date or fee.</summary>
    public static ExternalLine LineFor(InternalTx tx, long? amount = null, DateOnly? sold = null, long feeDelta = 0)
    {
        var a = amount ?? tx.SignedAmount;
        return new ExternalLine(tx.Key, tx.PaymentKey, tx.OrderId, tx.Method, a,
            FeeSchedule.Default.ExpectedFee(tx.Method, a)!.Value + feeDelta, sold ?? tx.BusinessDate, tx.OccurredAt);
    }

    /// <summary>What a run reported: one entry per finding it saw (compared or carried forward: <see cref="RunSightings"/>),
    /// as the oracle describes findings.</summary>
    public static async Task<List<ExpectedFinding>> FindingsOfRunAsync(OpsDbContextFactory factory, long runId)
    {
        await using var db = factory.CreateDbContext();
        var rows = await (await RunSightings.SeenByRunAsync(db, runId))
            .Join(db.Set<Finding>(), s => s.FindingId, f => f.Id, (s, f) => new { f.TransactionKey, f.Type, s.Verdict, f.MoneyAtRisk, f.DiffFields })
            .ToListAsync();
        return rows.Select(r => new ExpectedFinding(r.TransactionKey, r.Type, r.Verdict, r.MoneyAtRisk, r.DiffFields))
            .OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Runs a callback synchronously when the run reaches a phase (e.g. to change data between passes).</summary>
    public sealed class OnPhase(RunPhase phase, Func<RunProgress, Task> action) : IProgress<RunProgress>
    {
        public int Calls { get; private set; }

        public void Report(RunProgress value)
        {
            if (value.Phase != phase) return;
            Calls++;
            action(value).GetAwaiter().GetResult();
        }
    }
}
