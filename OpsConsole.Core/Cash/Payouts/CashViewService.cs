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

    /// <summary>The BigQuery jobs of a payout run on the warehouse, in the order they ran (none for the database engine).</summary>
    public async Task<List<PayoutRunJob>> JobsOfRunAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<PayoutRunJob>().AsNoTracking().Where(j => j.RunId == runId).OrderBy(j => j.Id).ToListAsync(ct);
    }

    /// <summary>The latest successful payout run (null: none yet).</summary>
    public async Task<PayoutRun?> LatestRunAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<PayoutRun>().AsNoTracking().Where(r => r.Status == Reconciliation.RunStatus.SUCCEEDED)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>A run's full view (pass 2): every expected payout, offset day, unexplained deposit and off-contract date.</summary>
    public async Task<List<PayoutRunItem>> ItemsAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<PayoutRunItem>().AsNoTracking().Where(i => i.RunId == runId && i.Pass == 2)
            .OrderBy(i => i.BusinessDate).ThenBy(i => i.PgMid).ToListAsync(ct);
    }

    /// <summary>
    /// Receivables: what the PGs will pay per day and merchant id over [<paramref name="from"/>, +<paramref name="days"/>),
    /// from the settlement lines' paidOutDate (net of cancels), one GROUP BY in the database.
    /// </summary>
    public async Task<List<CashForecastDay>> ForecastAsync(DateOnly from, int days, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var to = from.AddDays(days - 1);
        var rows = await db.Set<SettlementLine>().AsNoTracking()
            .Where(l => l.MId != null && l.PaidOutDate >= from && l.PaidOutDate <= to)
            .GroupBy(l => new { l.PaidOutDate, l.MId })
            .Select(g => new { g.Key.PaidOutDate, g.Key.MId, Amount = g.Sum(l => l.PayOutAmount), Lines = g.Count() })
            .ToListAsync(ct);
        return rows.Select(r => new CashForecastDay(r.PaidOutDate, r.MId!, r.Amount, r.Lines))
            .OrderBy(r => r.Date).ThenBy(r => r.PgMid, StringComparer.Ordinal).ToList();
    }

    /// <summary>A payout finding's drill-down: its row, the deposit(s), the payouts paid by the same deposit, the lines.</summary>
    public async Task<PayoutFindingDetail?> DetailAsync(long findingId, int maxLines = 500, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var finding = await db.Set<Finding>().AsNoTracking().FirstOrDefaultAsync(f => f.Id == findingId, ct);
        if (finding is null || !FindingTypes.IsPayout(finding.Type)) return null;
        var runId = -finding.LastRunId;
        var item = await db.Set<PayoutRunItem>().AsNoTracking()
            .Where(i => i.RunId == runId && i.ItemKey == finding.TransactionKey && i.FindingType == finding.Type)
            .OrderByDescending(i => i.Pass).FirstOrDefaultAsync(ct);
        var deposits = new List<BankTransaction>();
        var sameDeposit = new List<PayoutRunItem>();
        if (item?.DepositId is { } depositId)
        {
            deposits = await db.Set<BankTransaction>().AsNoTracking().Where(t => t.Id == depositId).ToListAsync(ct);
            sameDeposit = await db.Set<PayoutRunItem>().AsNoTracking()
                .Where(i => i.RunId == runId && i.Pass == 2 && i.DepositId == depositId && i.Kind == PayoutItemKind.EXPECTED)
                .OrderBy(i => i.ExpectedDate).ToListAsync(ct);
        }
        var lines = new List<SettlementLine>();
        var lineCount = 0;
        if (item is { Kind: not PayoutItemKind.DEPOSIT, ExpectedDate: { } date })
        {
            var mid = item.PgMid;
            var q = db.Set<SettlementLine>().AsNoTracking().Where(l => l.MId == mid && l.PaidOutDate == date);
            lineCount = await q.CountAsync(ct);
            lines = await q.OrderBy(l => l.SoldDate).ThenBy(l => l.Id).Take(maxLines).ToListAsync(ct);
        }
        return new PayoutFindingDetail(finding, item, deposits, sameDeposit, lines, lineCount);
    }
}

public sealed record CashForecastDay(DateOnly Date, string PgMid, long Amount, int Lines);

public sealed record PayoutFindingDetail(Finding Finding, PayoutRunItem? Item, IReadOnlyList<BankTransaction> Deposits,
    IReadOnlyList<PayoutRunItem> PaidBySameDeposit, IReadOnlyList<SettlementLine> Lines, int LineCount);
