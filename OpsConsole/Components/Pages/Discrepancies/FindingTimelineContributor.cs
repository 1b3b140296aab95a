using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Timeline;

namespace OpsConsole.Components.Pages.Discrepancies;

/// <summary>Puts a payment's reconciliation findings on its timeline, each linking to its detail page.</summary>
public sealed class FindingTimelineContributor : ITimelineContributor
{
    public async Task<IReadOnlyList<TimelineEntry>> GetEntriesAsync(OpsDbContext db, PaymentSummary payment,
        CancellationToken cancellationToken)
    {
        var findings = await db.Set<Finding>().AsNoTracking()
            .Where(f => f.PaymentKey == payment.PaymentKey || f.OrderId == payment.OrderId)
            .OrderBy(f => f.Id).Take(100).ToListAsync(cancellationToken);
        return findings.Select(f => new TimelineEntry
        {
            At = f.FirstSeenAt,
            Kind = TimelineKind.Finding,
            Title = $"Finding {f.Type} ({f.Verdict}, {f.Status})",
            Detail = $"business date {f.BusinessDate:yyyy-MM-dd} · {Kst.Money(f.MoneyAtRisk)} KRW at risk · " +
                     $"differs: {(f.DiffFields.Length == 0 ? "-" : f.DiffFields)} · last updated by a run {Kst.Short(f.LastSeenAt)} KST" +
                     (f.Assignee is null ? "" : $" · assignee {f.Assignee}"),
            TraceId = f.TraceId,
            Href = $"discrepancies/{f.Id}",
            Sequence = f.Id,
        }).ToList();
    }
}
