using OpsConsole.Hosting;

namespace OpsConsole.Cli;

/// <summary>
/// <c>healthcheck [--url http://127.0.0.1:8080] [--live]</c>: asks a running OpsConsole's <c>/healthz/ready</c>
/// (or <c>/healthz/live</c>); exit 0 when it answers 200, 1 otherwise. For the container's HEALTHCHECK, where the
/// runtime image has neither curl nor wget. Builds no host: no database, no socket, nothing written.
/// </summary>
public sealed class HealthcheckVerb : ICliVerb, IHostlessCliVerb
{
    public string Name => "healthcheck";
    public string Summary => "Probe a running OpsConsole's /healthz/ready (exit 0 healthy, 1 not); for container HEALTHCHECKs.";
    public string Usage => "[--url http://127.0.0.1:8080] [--live]   (default: the first of ASPNETCORE_URLS / URLS, on the loopback)";
    public bool NeedsServer => false;

    public Task<int> RunAsync(CliContext context, CancellationToken cancellationToken) =>
        RunAsync(context.Arguments, context.Out, context.Error, cancellationToken);

    public async Task<int> RunAsync(CliArguments arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var baseUrl = arguments.Get("url") ?? LocalUrl(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")
                                                        ?? Environment.GetEnvironmentVariable("URLS"));
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliUsageException($"--url must be an http(s) URL (got '{baseUrl}').");
        var target = new Uri(uri, arguments.Has("live") ? HealthSetup.LivePath : HealthSetup.ReadyPath);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(target, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            output.WriteLine(body);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            error.WriteLine($"healthcheck: {target} did not answer: {e.Message}");
            return 1;
        }
    }

    /// <summary>The first URL the app binds, with a wildcard host made the loopback: http://+:8080 → http://127.0.0.1:8080.</summary>
    internal static string LocalUrl(string? urls)
    {
        var first = (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .OrderBy(u => u.StartsWith("https", StringComparison.OrdinalIgnoreCase)).FirstOrDefault();
        if (first is null) return "http://127.0.0.1:8080";
        foreach (var wildcard in new[] { "://+", "://*", "://0.0.0.0", "://[::]", "://localhost" })
            first = first.Replace(wildcard, "://127.0.0.1", StringComparison.OrdinalIgnoreCase);
        return first;
    }
}

/// <summary>A verb that runs without building the app's host (no configuration, database or services).</summary>
public interface IHostlessCliVerb
{
    Task<int> RunAsync(CliArguments arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken);
}
