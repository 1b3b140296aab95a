using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// The built app as a separate operating-system process (<c>dotnet OpsConsole.dll</c>), as a replica runs in
/// production: its own port, its own HOME (no key ring or other state shared through the file system) and the
/// given settings (<c>--Key=value</c>). <see cref="Kill"/> is <c>kill -9</c>. Output is kept for diagnostics.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, string home, Uri baseUri)
    {
        _process = process;
        _home = home;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output => string.Join('\n', _output);

    /// <summary>The app's build output next to this test build (same configuration).</summary>
    public static string AppDll
    {
        get
        {
            var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var tfm = testDir.Name;
            var configuration = testDir.Parent!.Name;
            var root = testDir;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "OpsConsole.sln")))
                root = root.Parent;
            if (root is null) throw new InvalidOperationException($"No OpsConsole.sln above {AppContext.BaseDirectory}.");
            var dll = Path.Combine(root.FullName, "OpsConsole", "bin", configuration, tfm, "OpsConsole.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build the solution first.");
        }
    }

    /// <summary>Starts the app on a free loopback port and waits (polling, with a deadline) until it answers.</summary>
    public static async Task<AppProcess> StartAsync(IDictionary<string, string?> settings, string readyPath = "signin")
    {
        var port = FreePort();
        var home = Path.Combine(Path.GetTempPath(), $"opsconsole-proc-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = $"http://127.0.0.1:{port}",
            ["DataDirectory"] = Path.Combine(home, "data"),
            ["Demo:SeedOnFirstStart"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings) all[k] = v;

        var dll = AppDll;
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var (k, v) in all.Where(kv => kv.Value is not null))
            psi.ArgumentList.Add($"--{k}={v}");
        psi.Environment["HOME"] = home;
        psi.Environment["DOTNET_CLI_HOME"] = home;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment.Remove("ASPNETCORE_URLS");

        var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        var app = new AppProcess(process, home, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) app._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) app._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = app.BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        await app.WaitUntilAsync(async () =>
        {
            try
            {
                using var response = await http.GetAsync(readyPath);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "the app answers");
        return app;
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with the app's output after <paramref name="deadline"/>.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (_process.HasExited && !what.Contains("exit", StringComparison.Ordinal))
                throw new InvalidOperationException($"app process {Id} exited ({_process.ExitCode}) before: {what}\n{Output}");
            if (sw.Elapsed > deadline)
                throw new TimeoutException($"not within {deadline}: {what}\n{Output}");
            await Task.Delay(100); // polling interval, not synchronisation
        }
    }

    /// <summary>kill -9: the process dies at once, holding whatever it held.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        await Task.CompletedTask;
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // the OS temp cleaner gets it
        }
    }

    /// <summary>A free loopback port (for an app, or for a peer that must know the app's address before it starts).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
