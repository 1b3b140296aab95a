using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Gateway;

/// <summary>
/// Where the PG lives: <c>Pg:BaseUrl</c> when set; otherwise, with the sandbox on, the app's own sandbox
/// at the address the app actually listens on (also with <c>--urls</c> on another port or port 0).
/// </summary>
public sealed class PgEndpoint(IOptions<PgOptions> options, IServiceProvider services)
{
    public const string SandboxPath = "sandbox/pg/";
    private Uri? _resolved;

    public bool SandboxEnabled { get; set; }

    /// <summary>The PG API client talks to the app's own sandbox (no <c>Pg:BaseUrl</c>), which plays every sandbox persona.</summary>
    public bool IsSandbox => SandboxEnabled && string.IsNullOrWhiteSpace(options.Value.BaseUrl);

    public Uri BaseUri => _resolved ??= Resolve();

    private Uri Resolve()
    {
        var configured = options.Value.BaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
            return new Uri(configured.EndsWith('/') ? configured : configured + "/");
        if (!SandboxEnabled)
            throw new ConfigurationError("Pg:BaseUrl is not set and the sandbox PG is off (Sandbox:Enabled=false).");

        var addresses = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                      ?? addresses?.FirstOrDefault()
                      ?? throw new InvalidOperationException("The sandbox PG is on but the app is not listening yet.");
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1"));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost")
            uri.Host = "127.0.0.1";
        uri.Path = "/" + SandboxPath;
        return uri.Uri;
    }
}
