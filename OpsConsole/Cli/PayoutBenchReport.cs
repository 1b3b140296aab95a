using System.Globalization;
using OpsConsole.Core.Cash.Payouts.Benchmark;
using OpsConsole.Core.Data;

namespace OpsConsole.Cli;

/// <summary>
/// The <c>bench payouts --lines N --connection CS [--keep]</c> sub-command of <see cref="BenchVerb"/>: the payout run's
/// time against a bare GROUP BY of the same lines joined to the deposits, on PostgreSQL. Exit 1 when the run does not
/// report exactly the planted faults.
/// </summary>
public static class PayoutBenchReport
{
    public static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var args = context.Arguments;
        var connection = args.Get("connection");
        if (string.IsNullOrWhiteSpace(connection))
            throw new CliUsageException("--connection is required: a PostgreSQL server, e.g. Host=127.0.0.1;Username=postgres.");
        var lines = args.GetInt("lines", 1_000_000);
        if (lines is < 1_000 or > 100_000_000) throw new CliUsageException("--lines must be between 1,000 and 100,000,000.");

        var r = await PayoutBenchmark.RunAsync(connection, lines, args.Has("keep"), context.Error, cancellationToken);
        var ci = CultureInfo.InvariantCulture;
        var o = context.Out;
        o.WriteLine(string.Create(ci, $"bench payouts  PostgreSQL  N={r.LineRows:N0} settlement lines over 30 days, 3 PGs, {r.Deposits:N0} deposits"));
        o.WriteLine($"  machine: {BenchEnvironment.Machine()} (at the end; shared machines make the figures noisy)");
        o.WriteLine($"  server: {(await BenchEnvironment.ReadAsync(connection, cancellationToken)).Describe()}");
        o.WriteLine(string.Create(ci, $"  load (COPY + indexes + VACUUM ANALYZE, not timed in the ratio) {r.Load.TotalSeconds,8:F2} s"));
        o.WriteLine(string.Create(ci, $"  payout run (both passes, persist)  {r.Run.TotalSeconds,8:F2} s   (pass 1 {r.Pass1Ms / 1000.0:F2} s, pass 2 {r.Pass2Ms / 1000.0:F2} s)"));
        o.WriteLine(string.Create(ci, $"  bare GROUP BY joined to deposits   {r.Bare.TotalSeconds,8:F2} s   ({r.BareRows:N0} rows)"));
        o.WriteLine(string.Create(ci, $"  ratio run / bare                   {r.Ratio,8:F2}   (fastest of {PayoutBenchmark.Rounds} turns each: run {string.Join(", ", r.Turns.Select(t => t.TotalSeconds.ToString("F2", ci)))} s; bare {string.Join(", ", r.BareTurns.Select(t => t.TotalSeconds.ToString("F2", ci)))} s)"));
        foreach (var (type, count) in r.FoundByType.OrderBy(f => f.Key))
            o.WriteLine(string.Create(ci, $"    {type,-26} {count,4} found"));
        foreach (var problem in r.Unexplained) o.WriteLine($"  MISMATCH: {problem}");
        o.WriteLine(r.FoundExactlyThePlantedFaults
            ? "  result: found every planted fault and nothing else (N:1 deposits and the offset day matched quietly)"
            : "  result: MISMATCH with the planted faults");
        return r.FoundExactlyThePlantedFaults ? 0 : 1;
    }
}
