using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary>
/// <c>import-settlements --file F.csv [--pg NAME] [--by NAME] [--preview] [--replace]</c>: exit 0 imported, already
/// imported or previewed; 1 rejected; 2 refused because the file would remove stored lines without <c>--replace</c>,
/// or a missing or unknown <c>--pg</c> (required when more than one PG connection is configured).
/// </summary>
public sealed class ImportSettlementsVerb : ICliVerb
{
    public string Name => "import-settlements";
    public string Summary => "Import a PG settlement CSV of one PG connection (--pg, required with several; all or nothing; supersedes that PG's earlier lines of its sold dates; the same file twice is a no-op; " +
                             "a file that would remove lines needs --replace; --preview shows what it changes and stores nothing).";
    public string Usage => "--file F.csv [--pg NAME] [--by NAME] [--preview] [--replace]";
    public bool NeedsServer => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var path = context.Arguments.Require("file");
        if (!File.Exists(path)) throw new CliUsageException($"--file '{path}' does not exist.");
        PgConnection pg;
        try
        {
            pg = context.Services.GetRequiredService<PgConnections>().Resolve(context.Arguments.Get("pg"));
        }
        catch (DomainException e)
        {
            throw new CliUsageException(e.Message);
        }
        var by = context.Arguments.Get("by") ?? $"cli:{Environment.UserName}";
        var importer = context.Services.GetRequiredService<SettlementImporter>();
        await using var stream = File.OpenRead(path);

        var mode = context.Arguments.Has("preview") ? SettlementImportMode.Preview
            : context.Arguments.Has("replace") ? SettlementImportMode.CommitReplacing
            : SettlementImportMode.Commit;

        var result = await importer.ImportCsvAsync(stream, path, by, mode, pg.Name, cancellationToken);

        if (result.Preview is { } preview)
            foreach (var date in preview.Dates)
                context.Out.WriteLine($"  {date.SoldDate:yyyy-MM-dd}: {date.Describe()}{(date.RemovesLines ? "  ← removes lines" : "")}");
        switch (result.Outcome)
        {
            case ImportOutcome.Imported:
                context.Out.WriteLine($"{result.FileName}: {result.ImportedSummary} (PG {pg.Name}, import {result.ImportId}, sha256 {result.Sha256})");
                return 0;
            case ImportOutcome.Previewed:
                context.Out.WriteLine($"{result.FileName}: preview only, nothing imported ({result.RowCount} lines valid)" +
                                      (result.Preview is { RemovesLines: true } ? "; importing it needs --replace" : ""));
                return 0;
            case ImportOutcome.NeedsConfirmation:
                context.Error.WriteLine($"import-settlements: {result.NeedsConfirmationMessage} Run again with --replace to replace them.");
                return 2;
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
