using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Which findings a run saw, and which runs saw a finding. A sighting row (<see cref="FindingSighting"/>) is written only
/// for a finding a run wrote; a run that carries findings forward (an incremental run, or a full run after a full run:
/// <see cref="ReconciliationOptions.CarryUnchangedFindings"/>) writes none for them and records, on itself, the run it
/// carried them from (<see cref="ReconRun.CarriedFromRunId"/>): it saw every finding that run saw whose key is not among
/// its own keys (<c>recon_run_keys</c>: the keys an incremental run compared, the keys a full run found changed), with
/// the verdict and money at risk that run saw (copy-on-write at run level). A run's <b>chain</b> is the run, the run it
/// carried from, that run's, … down to a run that carried nothing. A finding was seen by a run when it has a sighting in one of
/// the chain's runs and no later run of the chain took its key (a later run that took it and saw it has its own
/// sighting); at most one sighting qualifies, because every run of a chain but the oldest (which carried nothing) has
/// the key of each finding it has a sighting of among its keys.
/// </summary>
public static class RunSightings
{
    /// <summary>The run's chain, newest first (the run itself first). An unknown run: just its id.</summary>
    public static async Task<IReadOnlyList<long>> ChainAsync(OpsDbContext db, long runId, CancellationToken ct = default)
    {
        var run = await db.Set<ReconRun>().AsNoTracking().Where(r => r.Id == runId)
            .Select(r => new { r.BusinessDate, r.Pg, r.CarriedFromRunId }).FirstOrDefaultAsync(ct);
        if (run?.CarriedFromRunId is null) return [runId];
        // A run carries from an earlier run of its own date and PG: one read of those, then the links in memory.
        var links = await db.Set<ReconRun>().AsNoTracking()
            .Where(r => r.BusinessDate == run.BusinessDate && r.Pg == run.Pg && r.Id < runId)
            .Select(r => new { r.Id, r.CarriedFromRunId }).ToDictionaryAsync(r => r.Id, r => r.CarriedFromRunId, ct);
        var chain = new List<long> { runId };
        for (var next = run.CarriedFromRunId; next is { } id && !chain.Contains(id); next = links.GetValueOrDefault(id))
            chain.Add(id);
        return chain;
    }

    /// <summary>The chain of run <paramref name="run"/> (an SQL value, e.g. a parameter) as the recursive CTE <c>chain(id)</c>,
    /// for a <c>WITH RECURSIVE</c> list: <see cref="ChainAsync"/> for set-based statements. <paramref name="runs"/> is the
    /// runs table as the statement names it.</summary>
    internal static string ChainCte(string runs, string run) => $"""
        chain(id) AS (
          SELECT {run}
          UNION ALL SELECT r.carried_from_run_id FROM {runs} r JOIN chain c ON r.id = c.id WHERE r.carried_from_run_id IS NOT NULL
        )
        """;

    /// <summary>True when no run of <c>chain</c> (<see cref="ChainCte"/>) later than run <paramref name="run"/> compared the key
    /// <paramref name="key"/> (SQL values): what <paramref name="run"/> saw of that key still stands for the chain's first run.
    /// <paramref name="runKeys"/> is the run keys table as the statement names it.</summary>
    internal static string NotComparedLaterSql(string runKeys, string run, string key) => $"""
        NOT EXISTS (SELECT 1 FROM {runKeys} k
                    WHERE k.run_id IN (SELECT id FROM chain) AND k.run_id > {run} AND k.transaction_key = {key})
        """;

    /// <summary>The sightings through which the runs of <paramref name="chain"/> (<see cref="ChainAsync"/>) saw their
    /// findings: one per finding the chain's first run saw, carrying the verdict and money at risk it saw.</summary>
    public static IQueryable<FindingSighting> SeenBy(OpsDbContext db, IReadOnlyList<long> chain)
    {
        if (chain.Count == 1)
        {
            var only = chain[0];
            return db.Set<FindingSighting>().Where(s => s.RunId == only);
        }
        var ids = chain.ToList();
        // One NOT EXISTS over the finding joined to the chain's keys, which PostgreSQL plans as an anti-join (a hash of the
        // chain's compared keys): nested as "a key of the chain … for which the finding exists" it cannot, and probed the
        // chain's keys once per sighting — over 30 s for 70,000 findings and five incremental runs of 1,000 keys.
        return db.Set<FindingSighting>().Where(s => ids.Contains(s.RunId)
            && !(from f in db.Set<Finding>()
                 join k in db.Set<ReconRunKey>() on f.TransactionKey equals k.TransactionKey
                 where f.Id == s.FindingId && ids.Contains(k.RunId) && k.RunId > s.RunId
                 select k.RunId).Any());
    }

    /// <summary>The sightings of the findings run <paramref name="runId"/> saw (see <see cref="SeenBy"/>).</summary>
    public static async Task<IQueryable<FindingSighting>> SeenByRunAsync(OpsDbContext db, long runId, CancellationToken ct = default) =>
        SeenBy(db, await ChainAsync(db, runId, ct));

    /// <summary>
    /// Every run that saw the finding, newest first: its sighting rows, and for each the runs that carried it forward from
    /// that run (a run carrying from it that did not compare the finding's key, then the runs carrying from that one, …),
    /// each with the verdict and money at risk of the sighting it carried.
    /// </summary>
    public static async Task<List<FindingSighting>> HistoryAsync(OpsDbContext db, Finding finding, CancellationToken ct = default)
    {
        var rows = await db.Set<FindingSighting>().AsNoTracking().Where(s => s.FindingId == finding.Id).ToListAsync(ct);
        if (rows.Count == 0) return rows;
        var dates = rows.Select(s => s.RunBusinessDate).Distinct().ToList();
        var first = rows.Min(s => s.RunId);
        var carriers = await db.Set<ReconRun>().AsNoTracking()
            .Where(r => r.CarriedFromRunId != null && r.Pg == finding.Pg && dates.Contains(r.BusinessDate) && r.Id > first)
            .Select(r => new { r.Id, From = r.CarriedFromRunId!.Value, r.BusinessDate, r.CarriedAt }).ToListAsync(ct);
        if (carriers.Count == 0) return [.. rows.OrderByDescending(s => s.RunId)];
        var carrierIds = carriers.Select(r => r.Id).ToList();
        var compared = (await db.Set<ReconRunKey>().AsNoTracking()
            .Where(k => carrierIds.Contains(k.RunId) && k.TransactionKey == finding.TransactionKey)
            .Select(k => k.RunId).ToListAsync(ct)).ToHashSet();
        var byBase = carriers.Where(r => !compared.Contains(r.Id)).ToLookup(r => r.From);
        var all = new List<FindingSighting>(rows);
        foreach (var row in rows)
        {
            var pending = new Stack<long>([row.RunId]);
            while (pending.TryPop(out var from))
                foreach (var run in byBase[from])
                {
                    all.Add(FindingSighting.Carried(row, run.Id, run.BusinessDate, run.CarriedAt ?? row.SeenAt));
                    pending.Push(run.Id);
                }
        }
        return [.. all.OrderByDescending(s => s.RunId)];
    }
}
