using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

public static class ReconTestSupport
{
    public static readonly DateOnly Date = new(2026, 3, 15);

    public static ReconciliationService Service(OpsDbContextFactory factory, IReconAlertSink? alerts = null,
        ReconciliationOptions? options = null) =>
        new(factory, Options.Create(options ?? new ReconciliationOptions { SettleDelay = TimeSpan.Zero }),
            TimeProvider.System, alerts: alerts);

    /// <summary>What a run reported: one entry per finding it saw, as the oracle describes findings.</summary>
    public static async Task<List<ExpectedFinding>> FindingsOfRunAsync(OpsDbContextFactory factory, long runId)
    {
        await using var db = factory.CreateDbContext();
        var rows = await db.Set<FindingSighting>().Where(s => s.RunId == runId)
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
