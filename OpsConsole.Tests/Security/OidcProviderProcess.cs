using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using OpsConsole.Tests.Console;

namespace OpsConsole.Tests.Security;

/// <summary>
/// A real OpenID provider process: <c>oidc-provider</c> from npm with its default settings
/// (<c>OpsConsole.Tests/Oidc/provider.mjs</c>; test.sh runs <c>npm ci</c> there). It prints its issuer when ready.
/// </summary>
public sealed class OidcProviderProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _control = new();

    private OidcProviderProcess(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    public const string ClientId = "opsconsole";
    public const string ClientSecret = "opsconsole-test-secret";

    public static string Directory
    {
        get
        {
            var repo = new DirectoryInfo(BrowserFixture.ScreenshotDirectory).Parent!.Parent!.FullName;
            return Path.Combine(repo, "OpsConsole.Tests", "Oidc");
        }
    }

    /// <summary>A free loopback port for the app, so that the provider knows its redirect URIs before it starts.</summary>
    public static int FreePort() => Infrastructure.AppProcess.FreePort();

    public static async Task<OidcProviderProcess> StartAsync(Uri app)
    {
        Assert.True(System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "oidc-provider")),
            $"oidc-provider is not installed: run `npm ci` in {Directory} (test.sh does)");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("provider.mjs");
        start.ArgumentList.Add(new Uri(app, "signin-oidc").ToString());
        start.ArgumentList.Add(new Uri(app, "signout-callback-oidc").ToString());
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        Assert.False(string.IsNullOrEmpty(line), "the OpenID provider did not start");
        var issuer = JsonDocument.Parse(line!).RootElement.GetProperty("issuer").GetString()!;
        return new OidcProviderProcess(process, new Uri(issuer));
    }

    /// <summary>Sets the roles the provider puts in the account's userinfo.</summary>
    public async Task SetRolesAsync(string login, params string[] roles)
    {
        using var response = await _control.PutAsJsonAsync(new Uri(Issuer, $"__test/accounts/{Uri.EscapeDataString(login)}"), new { roles });
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
