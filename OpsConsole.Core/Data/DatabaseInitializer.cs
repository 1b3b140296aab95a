using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Core.Data;

public static class DatabaseInitializer
{
    /// <summary>Applies the provider's EF migrations (creates the database file for SQLite).</summary>
    public static async Task MigrateAsync(OpsDbContextFactory factory, CancellationToken cancellationToken = default)
    {
        await using var db = factory.CreateDbContext();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
