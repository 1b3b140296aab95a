using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// Sets a test's findings into a state no domain method reaches (a currency, a live answer, a resolution time) through
/// the change tracker: EF cannot ExecuteUpdate/ExecuteDelete a <see cref="Finding"/>, which is split over two tables
/// (recon_findings and recon_finding_last_seen).
/// </summary>
public static class FindingEdits
{
    public static async Task SetAsync(OpsDbContext db, Expression<Func<Finding, bool>> which, Action<EntityEntry<Finding>> set)
    {
        foreach (var finding in await db.Set<Finding>().Where(which).ToListAsync()) set(db.Entry(finding));
        await db.SaveChangesAsync();
    }
}
