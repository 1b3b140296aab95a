using Microsoft.Extensions.Logging.Console;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Cli;

/// <summary>
/// How a verb's host differs from the web app's. Machine output is for machines: stdout carries only the verb's
/// output (one JSON document with <c>--json</c>, only SQL with <c>--print-sql</c>), every log line goes to stderr.
/// A verb listens on no socket, except when it must call the app's own sandbox PG: then on an ephemeral loopback
/// port (never <c>ASPNETCORE_URLS</c>/<c>Urls</c>). The database is created and upgraded as the app does on start.
/// </summary>
internal sealed record CliHost(bool Listens)
{
    /// <summary>Decides whether the host must listen and, if so, binds it to an ephemeral loopback port.</summary>
    public static CliHost For(ICliVerb verb, CliArguments arguments, WebApplication app, bool explicitUrls)
    {
        // Only the built-in sandbox PG needs the app listening: a configured PG is called over the network.
        var listens = verb.NeedsServerFor(arguments) && app.Services.GetRequiredService<PgEndpoint>().SandboxEnabled &&
                      string.IsNullOrWhiteSpace(app.Configuration["Pg:BaseUrl"]);
        if (listens && !explicitUrls)
        {
            app.Urls.Clear();
            app.Urls.Add("http://127.0.0.1:0");
        }
        return new CliHost(listens);
    }

    public static void Configure(WebApplicationBuilder builder)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The resilience pipeline logs every failed PG attempt with the exception's stack trace; on the CLI the PG
        // client's own one-line warning and the verb's error say what happened.
        builder.Logging.AddFilter("Polly", LogLevel.None);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>What <c>DatabaseStartup</c> does when the app starts (<c>Database:MigrateOnStart</c>, default on for SQLite).</summary>
    /// <summary>Reads <typeparamref name="T"/> so that its start-up validation runs now: a bad setting ends the verb as a
    /// configuration error naming every failure, before the verb touches anything.</summary>
    public static void RequireValidOptions<T>(IServiceProvider services) where T : class
    {
        try
        {
            _ = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<T>>().Value;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            throw new OpsConsole.Core.Common.ConfigurationError(string.Join(" ", e.Failures));
        }
    }

    public static async Task PrepareDatabaseAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetRequiredService<DatabaseOptions>().MigrateOnStart)
            await DatabaseInitializer.MigrateAsync(services.GetRequiredService<OpsDbContextFactory>(), cancellationToken);
    }
}
