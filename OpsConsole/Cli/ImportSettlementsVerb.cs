using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary><c>import-settlements --file F.csv [--by NAME]</c>: exit 0 imported or already imported, 1 rejected.</summary>
public sealed class ImportSettlementsVerb : ICliVerb
{
    public string Name => "import-settlements";
    public string Summary => "Import a PG settlement CSV (all or nothing; supersedes the earlier lines of its sold dates; the same file twice is a no-op).";
    public string Usage => "--file F.csv [--by NAME]";
    public bool NeedsServer => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var path = context.Arguments.Require("file");
        if (!File.Exists(path)) throw new CliUsageException($"--file '{path}' does not exist.");
        var by = context.Arguments.Get("by") ?? $"cli:{Environment.UserName}";
        var importer = context.Services.GetRequiredService<SettlementImporter>();
        await using var stream = File.OpenRead(path);

        var result = await importer.ImportCsvAsync(stream, path, by, cancellationToken);

        switch (result.Outcome)
        {
            case ImportOutcome.Imported:
                context.Out.WriteLine($"{result.FileName}: {result.ImportedSummary} (import {result.ImportId}, sha256 {result.Sha256})");
                return 0;
            case ImportOutcome.AlreadyImported:
                context.Out.WriteLine($"{result.FileName} was already imported (import {result.ImportId}, {result.RowCount} lines); nothing changed");
                return 0;
            default:
                context.Error.WriteLine($"import-settlements: {result.FileName} rejected, nothing imported ({result.TotalErrorCount} problem(s)):");
                foreach (var e in result.Errors)
                    context.Error.WriteLine($"  {e}");
                if (result.TotalErrorCount > result.Errors.Count)
                    context.Error.WriteLine($"  … and {result.TotalErrorCount - result.Errors.Count} more");
                return 1;
        }
    }
}
