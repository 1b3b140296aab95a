using Microsoft.EntityFrameworkCore;
using OpsConsole.Components.Pages.Audit;
using OpsConsole.Core.Audit;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public abstract class AuditFilterQueryTests(TestDatabase database)
{
    [Fact]
    public async Task Filter_SelectsByActorActionTargetAndKstDates()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        await using (var db = database.Factory.CreateDbContext())
        {
            db.AuditEntries.AddRange(
                // 2026-11-24 23:59 KST: the day before
                AuditEntry.Create(new DateTimeOffset(2026, 11, 24, 14, 59, 0, TimeSpan.Zero), $"admin-{tag}", "auth.signin", "user", "a"),
                // 2026-11-25 00:30 KST
                AuditEntry.Create(new DateTimeOffset(2026, 11, 24, 15, 30, 0, TimeSpan.Zero), $"admin-{tag}", "auth.signin", "user", "b"),
                AuditEntry.Create(new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero), $"admin-{tag}", "finding.ack", "finding", "c"),
                AuditEntry.Create(new DateTimeOffset(2026, 11, 25, 4, 0, 0, TimeSpan.Zero), $"finance-{tag}", "auth.signin", "user", "d"),
                // 2026-11-26 09:00 KST: the day after
                AuditEntry.Create(new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero), $"admin-{tag}", "auth.signout", "user", "e"));
            await db.SaveChangesAsync();
        }

        async Task<string[]> Run(AuditFilter filter)
        {
            await using var db = database.Factory.CreateDbContext();
            return await filter.Apply(db.AuditEntries.Where(a => a.Actor.EndsWith(tag)))
                .OrderBy(a => a.At).Select(a => a.TargetId).ToArrayAsync();
        }

        Assert.Equal(["b", "c", "d"], await Run(new AuditFilter(From: new DateOnly(2026, 11, 25), To: new DateOnly(2026, 11, 25))));
        Assert.Equal(["a", "b", "c", "e"], await Run(new AuditFilter(Actor: $"admin-{tag}")));
        Assert.Equal(["a", "b", "d", "e"], await Run(new AuditFilter(Action: "auth.")));
        Assert.Equal(["c"], await Run(new AuditFilter(Target: "finding")));
        Assert.Equal(["b"], await Run(new AuditFilter($"admin-{tag}", "auth.signin", new DateOnly(2026, 11, 25), null, "b")));
    }
}

public sealed class AuditFilterSqliteTests(SqliteTestDatabase database)
    : AuditFilterQueryTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class AuditFilterPostgresTests(PostgresTestDatabase database)
    : AuditFilterQueryTests(database), IClassFixture<PostgresTestDatabase>;
