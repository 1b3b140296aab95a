using System.Globalization;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Benchmark;

namespace OpsConsole.Cli;

/// <summary>
/// <c>bench import [--mb 50] [--connection CS] [--provider sqlite|postgres|both]</c>: generates a settlement CSV of
/// the given size (decimal MB) and imports it into a fresh SQLite database and, with <c>--connection</c>, a fresh
/// PostgreSQL database, printing time and peak memory of each import. Exit 1 when an import did not store every line.
/// </summary>
public static class ImportBenchReport
{
    public static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var mb = context.Arguments.GetInt("mb", 50);
        if (mb is < 1 or > 10_000) throw new CliUsageException("--mb must be between 1 and 10,000.");
        var connection = context.Arguments.Get("connection");
        var providers = (context.Arguments.Get("provider") ?? (string.IsNullOrWhiteSpace(connection) ? "sqlite" : "both"))
            .ToLowerInvariant() switch
            {
                "sqlite" => new[] { DatabaseProvider.Sqlite },
                "postgres" or "postgresql" or "pg" => [DatabaseProvider.Postgres],
                "both" => [DatabaseProvider.Postgres, DatabaseProvider.Sqlite],
                var other => throw new CliUsageException($"--provider must be sqlite, postgres or both (got '{other}')."),
            };
        if (providers.Contains(DatabaseProvider.Postgres) && string.IsNullOrWhiteSpace(connection))
            throw new CliUsageException("--connection is required for PostgreSQL (a server, e.g. Host=127.0.0.1;Username=postgres).");

        var path = Path.Combine(Path.GetTempPath(), $"opsconsole-bench-import-{Guid.NewGuid():N}.csv");
        try
        {
            var lines = ImportBenchmark.WriteCsv(path, mb * 1_000_000L);
            var ci = CultureInfo.InvariantCulture;
            var o = context.Out;
            o.WriteLine(string.Create(ci, $"bench import  file={new FileInfo(path).Length / 1_000_000.0:F1} MB  {lines:N0} lines"));
            o.WriteLine($"  machine: {BenchEnvironment.Machine()}");
            if (providers.Contains(DatabaseProvider.Postgres))
                o.WriteLine($"  server: {(await BenchEnvironment.ReadAsync(connection!, cancellationToken)).Describe()}");
            var ok = true;
            foreach (var provider in providers)
            {
                var r = await ImportBenchmark.RunAsync(provider, provider == DatabaseProvider.Postgres ? connection : null, path, lines,
                    context.Error, cancellationToken);
                static double Mb(long b) => b / 1024.0 / 1024.0;
                o.WriteLine(string.Create(ci, $"  {r.Provider,-9} import {r.Import.TotalSeconds,7:F1} s  ({r.Outcome}, {r.StoredLines:N0} lines stored)"));
                o.WriteLine(string.Create(ci, $"            peak working set {Mb(r.PeakWorkingSetBytes),7:F0} MB{(r.PeakIsHighWaterMark ? " (VmHWM)" : " (sampled)")}  (before the import {Mb(r.BaselineWorkingSetBytes):F0} MB)"));
                o.WriteLine(string.Create(ci, $"            peak GC heap     {Mb(r.PeakGcHeapBytes),7:F0} MB (sampled every 10 ms)"));
                o.WriteLine(string.Create(ci, $"            same file again  {r.ImportAgain.TotalSeconds,7:F1} s  ({r.AgainOutcome})"));
                ok &= r.Outcome == ImportOutcome.Imported && r.StoredLines == lines && r.AgainOutcome == ImportOutcome.AlreadyImported;
            }
            return ok ? 0 : 1;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
