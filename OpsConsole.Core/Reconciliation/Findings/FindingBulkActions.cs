using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.Findings;

public sealed record BulkResult(int Succeeded, int Skipped, IReadOnlyList<string> Problems)
{
    public string Summary => Skipped == 0
        ? $"{Succeeded} finding(s) updated."
        : $"{Succeeded} finding(s) updated, {Skipped} skipped: {string.Join("; ", Problems.Take(3))}{(Problems.Count > 3 ? " …" : "")}";
}

/// <summary>
/// Acknowledge, assign or annotate many findings: the selected rows or every finding matching a filter.
/// Each finding goes through <see cref="FindingService"/> (its own transaction, version check and audit
/// row), so a bulk action is exactly a series of single actions; findings that cannot take the action
/// (e.g. already resolved) are skipped and reported.
/// </summary>
public sealed class FindingBulkActions(IDbContextFactory<OpsDbContext> dbFactory, FindingService findings)
{
    /// <summary>"All matching" refuses beyond this many findings: narrow the filter first.</summary>
    public const int MaxFindings = 5000;

    public async Task<IReadOnlyList<long>> MatchingIdsAsync(FindingFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = await filter.Apply(db.Set<Finding>().AsNoTracking()).OrderBy(f => f.Id).Select(f => f.Id)
            .Take(MaxFindings + 1).ToListAsync(cancellationToken);
        if (ids.Count > MaxFindings)
            throw DomainException.BadInput("TOO_MANY_FINDINGS",
                $"More than {MaxFindings} findings match: narrow the filter before a bulk action.");
        return ids;
    }

    public Task<BulkResult> AcknowledgeAsync(IReadOnlyCollection<long> ids, string actor, CancellationToken cancellationToken = default) =>
        ForEachAsync(ids, id => findings.AcknowledgeAsync(id, actor, cancellationToken: cancellationToken));

    public Task<BulkResult> AssignAsync(IReadOnlyCollection<long> ids, string? assignee, string actor, CancellationToken cancellationToken = default) =>
        ForEachAsync(ids, id => findings.AssignAsync(id, assignee, actor, cancellationToken: cancellationToken));

    public Task<BulkResult> AddNoteAsync(IReadOnlyCollection<long> ids, string text, string actor, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw DomainException.BadInput("NOTE_EMPTY", "A note needs some text.");
        return ForEachAsync(ids, id => findings.AddNoteAsync(id, actor, text, cancellationToken));
    }

    private static async Task<BulkResult> ForEachAsync(IReadOnlyCollection<long> ids, Func<long, Task> action)
    {
        if (ids.Count > MaxFindings)
            throw DomainException.BadInput("TOO_MANY_FINDINGS", $"At most {MaxFindings} findings at once.");
        var ok = 0;
        var problems = new List<string>();
        foreach (var id in ids.Distinct())
        {
            try
            {
                await action(id);
                ok++;
            }
            catch (DomainException e)
            {
                problems.Add($"#{id}: {e.Message}");
            }
        }
        return new BulkResult(ok, problems.Count, problems);
    }
}
