using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Common;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli;

/// <summary>
/// <c>import-bank-statement --file F [--profile P] [--account NAME] [--by NAME] [--json]</c>: exit 0 imported or
/// already imported, 1 rejected (or refused), 2 bad usage or configuration.
/// </summary>
public sealed class ImportBankStatementVerb : ICliVerb
{
    public string Name => "import-bank-statement";
    public string Summary => "Import a bank statement: camt.053 XML, or a CSV/Excel export through a mapping profile (all or nothing; the same file twice is a no-op).";
    public string Usage => "--file F [--profile NAME|PATH] [--account NAME] [--by NAME] [--json]";
    public bool NeedsServer => false;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var json = args.Has("json");
        var path = args.Require("file");
        if (!File.Exists(path)) throw new CliUsageException($"--file '{path}' does not exist.");
        var by = args.Get("by") ?? $"cli:{Environment.UserName}";
        CliHost.RequireValidOptions<CashOptions>(context.Services);
        var importer = context.Services.GetRequiredService<BankStatementImporter>();

        BankImportResult result;
        try
        {
            await using var stream = File.OpenRead(path);
            result = await importer.ImportAsync(stream, path, args.Get("profile"), args.Get("account"), by, cancellationToken);
        }
        catch (DomainException e) when (json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new { outcome = "REFUSED", code = e.Code, message = e.Message }, Json));
            context.Error.WriteLine($"{Name}: {e.Message} ({e.Code})");
            return 1;
        }

        if (json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new
            {
                outcome = result.Outcome,
                importId = result.ImportId,
                fileName = result.FileName,
                sha256 = result.Sha256,
                format = result.Format,
                accounts = result.Accounts,
                rowCount = result.RowCount,
                creditCount = result.CreditCount,
                debitCount = result.DebitCount,
                periodFrom = result.PeriodFrom,
                periodTo = result.PeriodTo,
                totalErrorCount = result.TotalErrorCount,
                errors = result.Errors.Select(e => new { line = e.Line, field = e.Field, message = e.Message }),
            }, Json));
        }
        switch (result.Outcome)
        {
            case ImportOutcome.Imported:
            case ImportOutcome.AlreadyImported:
                if (!json)
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{result.FileName}: {result.Summary} (import {result.ImportId}, {result.Format}, sha256 {result.Sha256})"));
                return 0;
            default:
                context.Error.WriteLine($"{Name}: {result.FileName} rejected, nothing imported ({result.TotalErrorCount} problem(s)):");
                foreach (var e in result.Errors)
                    context.Error.WriteLine($"  {e}");
                if (result.TotalErrorCount > result.Errors.Count)
                    context.Error.WriteLine($"  … and {result.TotalErrorCount - result.Errors.Count} more");
                return 1;
        }
    }
}
