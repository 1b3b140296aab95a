using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary><c>pull-settlements --from D --to D</c>: supersedes the lines (of any source) of the soldDate range (exit 1 on PG failure).</summary>
public sealed class PullSettlementsVerb : ICliVerb
{
    public string Name => "pull-settlements";
    public string Summary => "Pull settlement lines of a soldDate range from the PG (GET /v1/settlements, paged).";
    public string Usage => "--from YYYY-MM-DD --to YYYY-MM-DD [--by NAME]";
    public bool NeedsServer => true;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var from = context.Arguments.GetDate("from") ?? throw new CliUsageException("--from is required.");
        var to = context.Arguments.GetDate("to") ?? throw new CliUsageException("--to is required.");
        if (to < from) throw new CliUsageException("--to must not be before --from.");
        var by = context.Arguments.Get("by") ?? $"cli:{Environment.UserName}";

        var result = await context.Services.GetRequiredService<SettlementPuller>().PullAsync(from, to, by, cancellationToken);

        context.Out.WriteLine($"pulled {result.LineCount} settlement lines for {from:yyyy-MM-dd}..{to:yyyy-MM-dd} " +
                              $"in {result.Pages} page(s), superseding {result.ReplacedLineCount} earlier lines of the range (import {result.ImportId})");
        foreach (var warning in result.Warnings)
            context.Out.WriteLine($"warning: {warning}");
        return 0;
    }
}
