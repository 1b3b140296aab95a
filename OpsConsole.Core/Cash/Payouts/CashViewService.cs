using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>A payout finding with its evidence: the run row (expected payout or deposit) that raised it last.</summary>
public sealed record PayoutFindingView(Finding Finding, PayoutRunItem? Item)
{
    public string PgMid => Item?.PgMid ?? "";
    public string Account => Item?.AccountName ?? "";
    public IReadOnlyList<long> DepositIds => Item?.DepositId is { } id ? [id] : [];
}

/// <summary>
/// What the console, the CLI and the dashboard read about payouts: a run's findings with their evidence, a finding's
/// drill-down (deposits, expected payouts, settlement lines), the calendar of the latest run and the receivables.
/// </summary>
public sealed class CashViewService(IDbContextFactory<OpsDbContext> dbFactory)
{
    /// <summary>The confirmed findings a payout run saw, largest money at risk first.</summary>
    public async Task<IReadOnlyList<PayoutFindingView>> FindingsOfRunAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var findings = await db.Set<Finding>().AsNoTracking()
            .Where(f => f.LastRunId == -runId && f.Verdict == FindingVerdict.CONFIRMED)
            .OrderByDescending(f => f.MoneyAtRisk).ThenBy(f => f.TransactionKey).ToListAsync(ct);
        var items = await db.Set<PayoutRunItem>().AsNoTracking()
            .Where(i => i.RunId == runId && i.Pass == 2 && i.FindingType != null).ToListAsync(ct);
        var byKey = items.ToDictionary(i => (i.ItemKey, i.FindingType!.Value));
        return findings.Select(f => new PayoutFindingView(f, byKey.GetValueOrDefault((f.TransactionKey, f.Type)))).ToList();
    }
}
