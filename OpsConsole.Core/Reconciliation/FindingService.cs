using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

public enum FindingSort
{
    MoneyAtRiskDesc,
    LastSeenDesc,
    BusinessDateDesc,
}

/// <summary>
/// Filters for the findings grid. Null means "any"; <see cref="Pg"/> keeps one PG connection's findings. <see cref="Search"/> matches a transaction key, payment
/// key, order id or trace id exactly. By default only CONFIRMED findings are listed.
/// </summary>
public sealed record FindingQuery(
    DateOnly? From = null,
    DateOnly? To = null,
    IReadOnlyCollection<FindingType>? Types = null,
    IReadOnlyCollection<FindingStatus>? Statuses = null,
    FindingVerdict? Verdict = FindingVerdict.CONFIRMED,
    long? RunId = null,
    string? Search = null,
    string? Assignee = null,
    FindingSort Sort = FindingSort.MoneyAtRiskDesc,
    int Skip = 0,
    int Take = 50,
    string? Pg = null);

public sealed record FindingPage(IReadOnlyList<Finding> Items, int TotalCount, long TotalMoneyAtRisk);

/// <summary>A finding with its notes (oldest first) and the runs that saw it (newest first): the runs that compared it and
/// the incremental runs that carried it forward.</summary>
public sealed record FindingDetail(Finding Finding, IReadOnlyList<FindingNote> Notes,
    IReadOnlyList<FindingSighting> Sightings)
{
    /// <summary>How many runs saw the finding, compared or carried forward (a finding without a history: its own count).</summary>
    public int SeenCount => Sightings.Count == 0 ? Finding.SeenCount : Sightings.Count;

    /// <summary>When a run last saw it, compared or carried forward.</summary>
    public DateTimeOffset LastSeenAt => Sightings.Count == 0 ? Finding.LastSeenAt : Sightings.Max(s => s.SeenAt);

    /// <summary>How many runs carried it forward (saw it unchanged) since a run last wrote it (<see cref="Finding.LastRunId"/>).</summary>
    public int CarriedSinceCompared => Sightings.TakeWhile(s => s.IsCarried).Count();
}

/// <summary>
/// What people do with findings: list and filter, open one, acknowledge, assign, annotate, resolve. Every
/// change is audited and guarded by the finding's version (a concurrent change yields FINDING_CHANGED).
/// </summary>
public sealed class FindingService(IDbContextFactory<OpsDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    public async Task<FindingPage> ListAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var q = Filtered(db, query, await SeenByAsync(db, query, cancellationToken));
        var total = await q.CountAsync(cancellationToken);
        // KRW only: money of another currency is never summed into KRW (Finding.IsKrw).
        var money = total == 0 ? 0 : await q.Where(Finding.IsKrw).SumAsync(f => f.MoneyAtRisk, cancellationToken);
        var items = await Sorted(q, query.Sort).Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 1000))
            .ToListAsync(cancellationToken);
        return new FindingPage(items, total, money);
    }

    /// <summary>
    /// Every finding the query matches, in its order, in one read without totals (its Skip and Take do not apply;
    /// <paramref name="limit"/> keeps the first ones): for reports, where paging by offset would re-count and
    /// re-sort the whole set once per page.
    /// </summary>
    public async Task<List<Finding>> AllAsync(FindingQuery query, int? limit = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var q = Sorted(Filtered(db, query, await SeenByAsync(db, query, cancellationToken)), query.Sort);
        if (limit is { } n) q = q.Take(Math.Max(0, n));
        return await q.ToListAsync(cancellationToken);
    }

    /// <summary>The sightings of the findings the query's run saw (<see cref="RunSightings"/>); null without a run.</summary>
    private static async Task<IQueryable<FindingSighting>?> SeenByAsync(OpsDbContext db, FindingQuery query, CancellationToken ct) =>
        query.RunId is { } runId ? await RunSightings.SeenByRunAsync(db, runId, ct) : null;

    private static IQueryable<Finding> Filtered(OpsDbContext db, FindingQuery query, IQueryable<FindingSighting>? seenByRun)
    {
        var q = db.Set<Finding>().AsNoTracking();
        if (query.From is { } from) q = q.Where(f => f.BusinessDate >= from);
        if (query.To is { } to) q = q.Where(f => f.BusinessDate <= to);
        if (query.Types is { Count: > 0 } types) q = q.Where(f => types.Contains(f.Type));
        if (query.Statuses is { Count: > 0 } statuses) q = q.Where(f => statuses.Contains(f.Status));
        if (query.Verdict is { } verdict) q = q.Where(f => f.Verdict == verdict);
        if (seenByRun is not null)
            q = q.Where(f => seenByRun.Any(s => s.FindingId == f.Id));
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var s = query.Search.Trim();
            q = q.Where(f => f.TransactionKey == s || f.PaymentKey == s || f.OrderId == s || f.TraceId == s);
        }
        if (!string.IsNullOrWhiteSpace(query.Assignee)) q = q.Where(f => f.Assignee == query.Assignee);
        if (!string.IsNullOrWhiteSpace(query.Pg))
        {
            var pg = query.Pg.Trim();
            q = q.Where(f => f.Pg == pg);
        }
        return q;
    }

    private static IQueryable<Finding> Sorted(IQueryable<Finding> q, FindingSort sort) => sort switch
    {
        FindingSort.LastSeenDesc => q.OrderByDescending(f => f.LastSeenAt).ThenBy(f => f.Id),
        FindingSort.BusinessDateDesc => q.OrderByDescending(f => f.BusinessDate).ThenByDescending(f => f.MoneyAtRisk).ThenBy(f => f.Id),
        _ => q.OrderByDescending(f => f.MoneyAtRisk).ThenBy(f => f.Id),
    };

    public async Task<FindingDetail?> GetAsync(long findingId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var finding = await db.Set<Finding>().AsNoTracking().Include(f => f.Notes)
            .FirstOrDefaultAsync(f => f.Id == findingId, cancellationToken);
        if (finding is null) return null;
        var sightings = await RunSightings.HistoryAsync(db, finding, cancellationToken);
        return new FindingDetail(finding, finding.Notes.OrderBy(n => n.At).ThenBy(n => n.Id).ToList(), sightings);
    }

    /// <summary>
    /// What the runs' passes recorded for <paramref name="transactionKey"/>, newest run first, at most <paramref name="take"/>
    /// rows. The items grow by every differing key of every run and their index leads with the run, so they are read for
    /// the key's own runs: those that saw a finding of the key (every key a pass 1 brings back becomes a finding of that
    /// run, confirmed or transient), at most <paramref name="take"/> of them (a run records a key at most once a pass).
    /// In two reads, so that the items are always found through their runs whatever the tables' statistics say.
    /// </summary>
    public async Task<List<ReconRunItem>> PassesAsync(string transactionKey, int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var runs = await RunsOfKey(db, transactionKey).Take(take).ToListAsync(cancellationToken);
        if (runs.Count == 0) return [];
        return await PassesQuery(db, transactionKey, runs).Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>The runs that may hold items of <paramref name="transactionKey"/>, newest first: the runs with a sighting of one
    /// of its findings, and the later full runs of their date and PG that carried findings forward (they compared every key
    /// and wrote no sighting of an unchanged finding: <see cref="RunSightings"/>).</summary>
    internal static IQueryable<long> RunsOfKey(OpsDbContext db, string transactionKey)
    {
        var sighted = from s in db.Set<FindingSighting>()
                      join f in db.Set<Finding>() on s.FindingId equals f.Id
                      where f.TransactionKey == transactionKey
                      select new { s.RunId, s.RunBusinessDate, f.Pg };
        var carrying = db.Set<ReconRun>()
            .Where(r => r.CarriedFromRunId != null && r.Scope == RunScope.FULL
                        && sighted.Any(x => x.RunBusinessDate == r.BusinessDate && x.Pg == r.Pg && x.RunId < r.Id))
            .Select(r => r.Id);
        return sighted.Select(x => x.RunId).Union(carrying).OrderByDescending(r => r);
    }

    /// <summary>The items of <paramref name="transactionKey"/> in <paramref name="runs"/>, newest run first.</summary>
    internal static IQueryable<ReconRunItem> PassesQuery(OpsDbContext db, string transactionKey, IReadOnlyCollection<long> runs) =>
        db.Set<ReconRunItem>().AsNoTracking()
            .Where(i => runs.Contains(i.RunId) && (i.Pass == 1 || i.Pass == 2) && i.TransactionKey == transactionKey)
            .OrderByDescending(i => i.RunId).ThenByDescending(i => i.Pass);

    /// <summary>OPEN → ACKNOWLEDGED. <paramref name="expectedVersion"/>: the version the user saw (optional).</summary>
    public Task<Finding> AcknowledgeAsync(long findingId, string actor, long? expectedVersion = null,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(findingId, actor, "finding.acknowledge", expectedVersion, null,
            (f, now) => f.Acknowledge(actor, now), cancellationToken);

    /// <summary>OPEN/ACKNOWLEDGED → RESOLVED, with a note saying how.</summary>
    public Task<Finding> ResolveAsync(long findingId, string actor, string note, long? expectedVersion = null,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(findingId, actor, "finding.resolve", expectedVersion, note, (f, now) =>
        {
            f.AddNote(actor, note, now);
            f.Resolve(actor, now);
        }, cancellationToken);

    /// <summary>Sets (or clears with null) the assignee.</summary>
    public Task<Finding> AssignAsync(long findingId, string? assignee, string actor, long? expectedVersion = null,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(findingId, actor, "finding.assign", expectedVersion, null, (f, _) => f.Assign(assignee),
            cancellationToken);

    public Task<Finding> AddNoteAsync(long findingId, string actor, string text,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(findingId, actor, "finding.note", null, text, (f, now) => f.AddNote(actor, text, now),
            cancellationToken);

    private async Task<Finding> ChangeAsync(long findingId, string actor, string action, long? expectedVersion,
        string? reason, Action<Finding, DateTimeOffset> change, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(actor))
            throw DomainException.BadInput("ACTOR_REQUIRED", "Who is acting must be known.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var finding = await db.Set<Finding>().Include(f => f.Notes).FirstOrDefaultAsync(f => f.Id == findingId, ct)
                      ?? throw DomainException.NotFound("FINDING_NOT_FOUND", $"Finding {findingId} does not exist.");
        if (expectedVersion is { } v && v != finding.Version)
            throw DomainException.Conflict("FINDING_CHANGED",
                $"Finding {findingId} changed since you opened it (version {v} → {finding.Version}); reload it.");
        var before = AuditFieldsOf(finding);
        change(finding, clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw DomainException.Conflict("FINDING_CHANGED",
                $"Finding {findingId} was changed by someone else at the same time; reload it.");
        }
        await audit.WriteAsync(actor, action, "recon_finding", findingId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AuditChange.Between(before, AuditFieldsOf(finding)), reason, paymentKey: finding.PaymentKey);
        return finding;
    }

    /// <summary>What a finding's audit rows compare: the fields an operator changes.</summary>
    private static AuditFields AuditFieldsOf(Finding f) => new()
    {
        { "status", f.Status },
        { "assignee", f.Assignee },
        { "notes", f.Notes.Count },
    };
}
