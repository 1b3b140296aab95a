using System.Globalization;

namespace OpsConsole.Cli.ConsoleBench;

/// <summary>The <c>bench console</c> sub-command of <see cref="BenchVerb"/>: arguments in, a table out.</summary>
public static class ConsoleBenchReport
{
    public static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var connection = args.Get("connection");
        if (string.IsNullOrWhiteSpace(connection))
            throw new CliUsageException("--connection is required: a PostgreSQL server, e.g. Host=127.0.0.1;Username=postgres.");
        var payments = args.GetInt("payments", 10_000_000);
        var findings = args.GetInt("findings", 1_000_000);
        var samples = args.GetInt("samples", 200);
        var warmup = args.GetInt("warmup", 20);
        if (payments is < 1 or > 100_000_000) throw new CliUsageException("--payments must be between 1 and 100,000,000.");
        if (findings < 1 || findings > payments) throw new CliUsageException("--findings must be between 1 and --payments.");
        if (samples is < 1 or > 100_000 || warmup is < 0 or > 100_000)
            throw new CliUsageException("--samples must be between 1 and 100,000 and --warmup between 0 and 100,000.");

        var r = await ConsoleBenchmark.RunAsync(connection, payments, findings, samples, warmup, args.Has("keep"),
            context.Error, cancellationToken, args.Get("database"));
        Write(context.Out, r, await Core.Data.BenchEnvironment.ReadAsync(connection, cancellationToken));
        return r.Passed ? 0 : 1;
    }

    public static void Write(TextWriter o, ConsoleBenchResult r, Core.Data.BenchEnvironment.ServerSettings? server = null)
    {
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ci, $"bench console  PostgreSQL  {r.Data.Payments:N0} payments, {r.Data.Findings:N0} findings over {r.Data.Days} business dates"));
        foreach (var (table, count) in r.Rows)
            o.WriteLine(string.Create(ci, $"  {table,-22} {count,14:N0} rows"));
        if (r.Rows.Count > 0)
            o.WriteLine(string.Create(ci, $"  migrate {r.Migrate.TotalSeconds:F1} s, load (COPY + indexes + VACUUM ANALYZE) {r.Load.TotalSeconds:F0} s"));
        else
            o.WriteLine($"  measured again on kept database {r.Database} (loaded by an earlier run; indexes checked against the migration)");
        o.WriteLine($"  machine: {Core.Data.BenchEnvironment.Machine()}");
        if (server is not null) o.WriteLine($"  server: {server.Describe()}");
        o.WriteLine();
        var baseline = r.Baseline.P50Ms;
        o.WriteLine(string.Create(ci, $"  {"query",-52} {"p50 ms",8} {"p95 ms",8} {"p50/base",9} {"p95/base",9} {"target",7}  result"));
        foreach (var k in r.Kinds)
        {
            var target = k.TargetP95Ms is { } t ? string.Create(ci, $"{t,7:F0}") : "      -";
            var verdict = k.Wrong > 0 ? $"WRONG ({k.Wrong} of {k.Samples})" : k.TargetP95Ms is null ? "" : k.Passed ? "PASS" : "FAIL";
            o.WriteLine(string.Create(ci,
                $"  {k.Group + " · " + k.Name,-52} {k.P50Ms,8:F2} {k.P95Ms,8:F2} {k.P50Ms / baseline,9:F1} {k.P95Ms / baseline,9:F1} {target}  {verdict}"));
        }
        o.WriteLine(string.Create(ci, $"  ratios against the p50 of '{ConsoleBenchmark.RatioBase}' ({baseline:F2} ms); {r.Kinds[0].Samples} samples per query after warm-up"));
        o.WriteLine(r.Passed ? "  result: all targets met" : "  result: TARGET MISSED");
    }
}
