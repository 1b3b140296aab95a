using OpsConsole.Sandbox;

namespace OpsConsole.Cli;

public sealed class SeedVerb : ICliVerb
{
    public string Name => "seed";
    public string Summary => "Generate demo payments through the sandbox PG, with injected faults and their ground truth.";
    public string Usage => "[--days 7] [--per-day 2000] [--seed 42] [--last-day YYYY-MM-DD] [--truth truth.json]";
    public bool NeedsServer => true;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var a = context.Arguments;
        var spec = new SeedSpec(a.GetInt("days", 7), a.GetInt("per-day", 2000), a.GetInt("seed", 42), LastDay: a.GetDate("last-day"));
        var config = context.Services.GetRequiredService<IConfiguration>();
        if (!SandboxSetup.IsEnabled(config, context.Services.GetRequiredService<IHostEnvironment>()))
        {
            context.Error.WriteLine("seed: the sandbox PG is off (Sandbox:Enabled=false); seeding needs it.");
            return 1;
        }
        var seeder = context.Services.GetRequiredService<DemoSeeder>();
        var started = DateTimeOffset.UtcNow;
        var truth = await seeder.SeedAsync(spec, cancellationToken);
        if (await seeder.ImportFilePgAsync(truth, cancellationToken) is { } file)
            context.Out.WriteLine($"Imported the {DemoPgConnections.FilePgName} settlement file: {file.RowCount} lines ({file.FileName}).");
        if (a.Get("truth") is { } path)
            await DemoSeeder.WriteTruthAsync(truth, path);
        context.Out.WriteLine($"Seeded {truth.Payments} payments ({truth.Cancels} cancels, {truth.Faults.Count} injected faults) " +
                              $"for {truth.FirstDay:yyyy-MM-dd}..{truth.LastDay:yyyy-MM-dd} in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s" +
                              (a.Get("truth") is { } p ? $"; truth written to {p}" : "") + ".");
        return 0;
    }
}
