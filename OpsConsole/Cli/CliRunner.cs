using System.Data.Common;
using System.Reflection;
using OpsConsole.Core.Common;
using OpsConsole.Hosting;

namespace OpsConsole.Cli;

public static class CliRunner
{
    public static IReadOnlyList<ICliVerb> Verbs { get; } = typeof(CliRunner).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICliVerb).IsAssignableFrom(t))
        .Select(t => (ICliVerb)Activator.CreateInstance(t)!)
        .OrderBy(v => v.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>True when the first argument names a verb or asks for help.</summary>
    public static bool IsVerb(string[] args) =>
        args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) || args.Contains("--help") || args.Contains("-h");

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            PrintHelp(output);
            return 0;
        }

        var verb = Verbs.FirstOrDefault(v => string.Equals(v.Name, args[0], StringComparison.OrdinalIgnoreCase));
        if (verb is null)
        {
            error.WriteLine($"Unknown verb '{args[0]}'.");
            PrintHelp(error);
            return 2;
        }

        var verbArgs = args.Skip(1).ToArray();
        if (verbArgs.Contains("--help") || verbArgs.Contains("-h"))
        {
            output.WriteLine($"{verb.Name} {verb.Usage}");
            output.WriteLine($"  {verb.Summary}");
            return 0;
        }

        // Configuration keys (--Key=Value) go to the host; everything else is the verb's.
        var configArgs = verbArgs.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=')).ToList();
        configArgs.Add("--Jobs:Enabled=false");

        try
        {
            var arguments = new CliArguments(verbArgs);
            verb.ValidateUsage(arguments);
            if (verb is IHostlessCliVerb hostless)
                return await hostless.RunAsync(arguments, output, error, CancellationToken.None);
            await using var app = ConsoleHost.Build([.. configArgs], b =>
            {
                CliHost.Configure(b);
                configure?.Invoke(b);
            });
            var host = CliHost.For(verb, arguments, app, explicitUrls: configArgs.Any(a => a.StartsWith("--urls=", StringComparison.OrdinalIgnoreCase)));
            using var cts = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
            if (host.Listens)
                await app.StartAsync(cts.Token);
            else if (verb.UsesAppDatabase)
                await CliHost.PrepareDatabaseAsync(app.Services, cts.Token);
            var code = await verb.RunAsync(new CliContext(app.Services, arguments, output, error), cts.Token);
            if (host.Listens)
                await app.StopAsync();
            return code;
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"{verb.Name}: {e.Message}");
            error.WriteLine($"usage: {verb.Name} {verb.Usage}");
            return 2;
        }
        catch (DomainException e)
        {
            error.WriteLine($"{verb.Name}: {e.Message} ({e.Code})");
            return 1;
        }
        catch (ConfigurationError e)
        {
            error.WriteLine($"{verb.Name}: configuration: {e.Message} (see docs/configuration.md)");
            return 2;
        }
        catch (Exception e) when (DatabaseFailure(e) is { } failure)
        {
            // Also when EF's retrying strategy gave up and wrapped the driver's error.
            error.WriteLine($"{verb.Name}: the database failed: {failure.Message}");
            return 1;
        }
    }

    private static DbException? DatabaseFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is DbException db) return db;
        }
        return null;
    }

    private static void PrintHelp(TextWriter w)
    {
        w.WriteLine("OpsConsole — settlement operations console.");
        w.WriteLine();
        w.WriteLine("Run the console:   OpsConsole [--Key=Value ...]");
        w.WriteLine("Run a verb:        OpsConsole <verb> [options] [--Key=Value ...]");
        w.WriteLine();
        w.WriteLine("Verbs:");
        foreach (var v in Verbs)
            w.WriteLine($"  {v.Name,-20} {v.Summary}");
        w.WriteLine();
        w.WriteLine("'OpsConsole <verb> --help' shows a verb's options. Settings are documented in README.md.");
    }
}
