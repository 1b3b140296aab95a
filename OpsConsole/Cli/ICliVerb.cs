namespace OpsConsole.Cli;

/// <summary>
/// A CLI verb of the one binary: <c>OpsConsole &lt;verb&gt; [--option value]...</c>. Verbs are discovered by
/// reflection; add a class implementing this interface and it is listed by <c>--help</c>.
/// </summary>
public interface ICliVerb
{
    string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Summary { get; }

    /// <summary>Options, e.g. <c>--date YYYY-MM-DD [--json]</c>.</summary>
    string Usage { get; }

    /// <summary>
    /// True when the verb needs the app listening (e.g. to call the built-in sandbox PG over HTTP): the host
    /// is then started on a loopback port before <see cref="RunAsync"/>; background jobs stay off.
    /// </summary>
    bool NeedsServer { get; }

    /// <summary>
    /// Whether this invocation needs the server (default <see cref="NeedsServer"/>): e.g. <c>reconcile --print-sql</c>
    /// calls nobody. Even then the host listens only when the PG is the app's own sandbox (on a loopback port).
    /// </summary>
    bool NeedsServerFor(CliArguments arguments) => NeedsServer;

    /// <summary>
    /// False for a verb that works on databases of its own (benchmarks): then the app's database is not created or
    /// upgraded before it runs. Otherwise it is, as on the app's start (<c>Database:MigrateOnStart</c>).
    /// </summary>
    bool UsesAppDatabase => true;

    /// <summary>
    /// Usage checks that need no services, run before the host is built or the database touched: a bad command
    /// line exits 2 and changes nothing. Throw <see cref="CliUsageException"/>.
    /// </summary>
    void ValidateUsage(CliArguments arguments) { }

    Task<int> RunAsync(CliContext context, CancellationToken cancellationToken);
}

public sealed class CliContext(IServiceProvider services, CliArguments arguments, TextWriter output, TextWriter error)
{
    public IServiceProvider Services { get; } = services;
    public CliArguments Arguments { get; } = arguments;
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
}
