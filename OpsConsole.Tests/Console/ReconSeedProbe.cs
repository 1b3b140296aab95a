using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public sealed class ReconSeedProbe(SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    [Fact]
    public async Task Seed_ProducesOneFindingOfEachType()
    {
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(database.Factory, new DateOnly(2026, 11, 20));
        await using var db = database.Factory.CreateDbContext();
        var types = await db.Set<Finding>().Where(f => f.PaymentKey.EndsWith(seeded.Suffix))
            .Select(f => new { f.Type, f.Verdict, f.PaymentKey }).ToListAsync();
        Assert.Equal(
            [(FindingType.AMOUNT_MISMATCH, "b"), (FindingType.CHARGED_BUT_FAILED, "e"), (FindingType.MISSING_EXTERNAL, "c"), (FindingType.MISSING_INTERNAL, "d")],
            types.Select(t => (t.Type, t.PaymentKey.Split('_')[1])).OrderBy(t => t.Item1.ToString()));
        Assert.All(types, t => Assert.Equal(FindingVerdict.CONFIRMED, t.Verdict));
    }
}
