using OpsConsole.Core.Data;

namespace OpsConsole.Cli;

public sealed class MigrateVerb : ICliVerb
{
    public string Name => "migrate";
    public string Summary => "Apply the database migrations (PostgreSQL in production; SQLite upgrades itself on start).";
    public string Usage => "[--Database:Provider=Postgres --ConnectionStrings:OpsConsole=...]";
    public bool NeedsServer => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var factory = context.Services.GetRequiredService<OpsDbContextFactory>();
        await DatabaseInitializer.MigrateAsync(factory, cancellationToken);
        context.Out.WriteLine($"Database is up to date ({factory.Provider}).");
        return 0;
    }
}
