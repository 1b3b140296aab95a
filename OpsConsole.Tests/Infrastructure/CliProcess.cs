using System.Diagnostics;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// Runs <c>OpsConsole &lt;verb&gt;</c> as a real process (<c>dotnet OpsConsole.dll</c> from the test's output
/// directory, where its appsettings.json lives), with stdout and stderr captured apart.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _out;
    private readonly Task<string> _err;

    private CliProcess(Process process)
    {
        _process = process;
        _out = process.StandardOutput.ReadToEndAsync();
        _err = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    /// <summary>Starts the verb. <paramref name="environment"/>: variables to set (null removes one); the
    /// environment is Production unless given, and no inherited ASPNETCORE_URLS leaks in.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OpsConsole.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        }
        return new CliProcess(Process.Start(info)!);
    }

    public static async Task<(int Code, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string?>? environment,
        params string[] args)
    {
        await using var process = Start(environment, args);
        return await process.WaitAsync(TimeSpan.FromSeconds(120));
    }

    public async Task<(int Code, string Out, string Err)> WaitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return (_process.ExitCode, await _out, await _err);
    }

    /// <summary>The TCP ports this process listens on (its socket descriptors matched against /proc/net/tcp{,6}).</summary>
    public IReadOnlyList<int> ListeningPorts() => ListeningPortsOf(_process.Id);

    /// <summary>The TCP ports process <paramref name="pid"/> listens on (Linux /proc).</summary>
    public static IReadOnlyList<int> ListeningPortsOf(int pid)
    {
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                inodes.Add(target["socket:[".Length..^1]);
        }
        var ports = new List<int>();
        foreach (var table in new[] { "tcp", "tcp6" })
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/net/{table}").Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == "0A" && inodes.Contains(f[9]))
                    ports.Add(Convert.ToInt32(f[1].Split(':')[1], 16));
            }
        }
        return ports;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
