using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary>
/// <c>import-settlements --file F [--pg NAME] [--profile P] [--by NAME] [--preview] [--replace]</c>: exit 0 imported,
/// already imported or previewed; 1 rejected (or an unusable profile); 2 refused because the file would remove stored
/// lines without <c>--replace</c>, or a missing, unknown or contradicted <c>--pg</c> (required when more than one PG
/// connection is configured and the profile names none). Without <c>--profile</c> the file is the settlement CSV; with
/// it, a PG's own CSV or .xlsx read through the mapping profile P (a name in <c>{DataDirectory}/profiles/</c> or
/// shipped, or a path).
/// </summary>
public sealed class ImportSettlementsVerb : ICliVerb
{
    public string Name => "import-settlements";
    public string Summary => "Import a PG settlement CSV, or a PG's own CSV/Excel file through a mapping profile, for one PG connection (--pg, required with several unless the profile names it; all or nothing; supersedes that PG's earlier lines of its sold dates; the same file twice is a no-op; " +
                             "a file that would remove lines needs --replace; --preview shows what it changes and stores nothing).";
    public string Usage => "--file F [--pg NAME] [--profile NAME|PATH] [--by NAME] [--preview] [--replace]";
    public bool NeedsServer => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var path = context.Arguments.Require("file");
        if (!File.Exists(path)) throw new CliUsageException($"--file '{path}' does not exist.");
        var by = context.Arguments.Get("by") ?? $"cli:{Environment.UserName}";
        var importer = context.Services.GetRequiredService<SettlementImporter>();
        MappingProfile? profile = null;
        if (context.Arguments.Get("profile") is { } profileName)
        {
            try
            {
                profile = context.Services.GetRequiredService<SettlementProfileStore>().Resolve(profileName);
            }
            catch (DomainException e)
            {
                context.Error.WriteLine($"import-settlements: {e.Message} ({e.Code})");
                return 1;
            }
        }
        var pgOption = context.Arguments.Get("pg");
        if (!string.IsNullOrWhiteSpace(pgOption) && profile?.Pg is { } named && named != pgOption.Trim())
            throw new CliUsageException($"--pg '{pgOption.Trim()}' contradicts profile '{profile.Name}', which reads files of PG '{named}'.");
        PgConnection pg;
        try
        {
            pg = context.Services.GetRequiredService<PgConnections>().Resolve(
                string.IsNullOrWhiteSpace(pgOption) ? profile?.Pg : pgOption,
                string.IsNullOrWhiteSpace(pgOption) && profile?.Pg is not null ? $"profile '{profile.Name}' names PG" : "--pg");
        }
        catch (DomainException e)
        {
            throw new CliUsageException(e.Message);
        }
        await using var stream = File.OpenRead(path);

        var mode = context.Arguments.Has("preview") ? SettlementImportMode.Preview
            : context.Arguments.Has("replace") ? SettlementImportMode.CommitReplacing
            : SettlementImportMode.Commit;

        var result = await importer.ImportAsync(stream, path, by, mode, profile, pg.Name, cancellationToken);

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
