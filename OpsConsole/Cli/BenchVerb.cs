using System.Globalization;
using OpsConsole.Cli.ConsoleBench;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation.Benchmark;

namespace OpsConsole.Cli;

/// <summary>
/// <c>bench recon --payments N --provider postgres|sqlite [--connection CS] [--keep]</c>: loads a fresh
/// database and times the reconciliation engine against a bare FULL OUTER JOIN of the same data. A command,
/// not a test. Exit 1 when the engine does not find exactly the injected faults.
/// <c>bench console --connection CS [--payments N] [--findings N] [--samples N]</c>: p50/p95 of the console's
/// grid, trace and text-search queries on a fresh PostgreSQL database; exit 1 when a target is missed.
/// <c>bench import [--mb 50] [--connection CS]</c>: time and peak memory of a settlement CSV import (see <see cref="ImportBenchReport"/>).
/// <c>bench payouts --lines N --connection CS</c>: the payout run against a bare GROUP BY (see <see cref="PayoutBenchReport"/>).
/// </summary>
public sealed class BenchVerb : ICliVerb
{
    public string Name => "bench";
    public string Summary => "Benchmarks: 'bench recon' times the reconciliation engine, 'bench console' the console's queries, on a fresh, bulk-loaded database; 'bench import' a settlement CSV import's time and peak memory; 'bench payouts' the payout run against a bare GROUP BY on PostgreSQL.";
    public string Usage => "recon --payments N --provider postgres|sqlite [--connection CS] [--late K] [--reruns 5] [--partitions N] [--no-carry] [--trace] [--keep] [--print-sql]  |  " +
                           "console --connection CS [--payments 10000000] [--findings 1000000] [--samples 200] [--warmup 20] [--keep] [--database KEPT]  |  " +
                           "import [--mb 50] [--connection CS] [--provider sqlite|postgres|both]  |  " +
                           "payouts --connection CS [--lines 1000000] [--keep]";
    public bool NeedsServer => false;
    public bool UsesAppDatabase => false;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (context.Arguments.Positionals.Contains("console", StringComparer.OrdinalIgnoreCase))
            return await ConsoleBenchReport.RunAsync(context, cancellationToken);
        if (context.Arguments.Positionals.Contains("import", StringComparer.OrdinalIgnoreCase))
            return await ImportBenchReport.RunAsync(context, cancellationToken);
        if (context.Arguments.Positionals.Contains("payouts", StringComparer.OrdinalIgnoreCase))
            return await PayoutBenchReport.RunAsync(context, cancellationToken);
        if (!context.Arguments.Positionals.Contains("recon", StringComparer.OrdinalIgnoreCase))
            throw new CliUsageException("name the benchmark: 'bench recon', 'bench console', 'bench import' or 'bench payouts'.");
        var payments = context.Arguments.GetInt("payments", 1_000_000);
        if (payments is < 1 or > 100_000_000) throw new CliUsageException("--payments must be between 1 and 100,000,000.");
        var provider = (context.Arguments.Get("provider") ?? "sqlite").ToLowerInvariant() switch
        {
            "postgres" or "postgresql" or "pg" => DatabaseProvider.Postgres,
            "sqlite" => DatabaseProvider.Sqlite,
            var other => throw new CliUsageException($"--provider must be postgres or sqlite (got '{other}')."),
        };
        var connection = context.Arguments.Get("connection");
        if (provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(connection))
            throw new CliUsageException("--connection is required for --provider postgres (a server, e.g. Host=127.0.0.1;Username=postgres).");

        if (context.Arguments.Has("print-sql"))
        {
            var generator = new Core.Reconciliation.ReconciliationSqlGenerator(
                Core.Reconciliation.ReconciliationDefinition.Standard(Core.Reconciliation.FeeSchedule.Default),
                provider == DatabaseProvider.Postgres ? new Core.Reconciliation.PostgresReconDialect() : new Core.Reconciliation.SqliteReconDialect());
            context.Out.WriteLine(generator.Pass1Insert() + ";\n");
            context.Out.WriteLine(generator.Pass2Insert() + ";\n");
            context.Out.WriteLine((provider == DatabaseProvider.Postgres ? generator.UpsertFindingsAndSightings() : generator.UpsertFindings()) + ";");
            return 0;
        }

        var late = context.Arguments.GetInt("late", 0);
        if (late < 0 || late > payments) throw new CliUsageException("--late must be between 0 and --payments.");
        var reruns = context.Arguments.GetInt("reruns", ReconBenchmark.Rounds);
        if (reruns is < 1 or > 50) throw new CliUsageException("--reruns must be between 1 and 50.");
        var partitions = context.Arguments.GetInt("partitions", new Core.Reconciliation.ReconciliationOptions().Pass1Partitions);
        if (partitions is < 0 or > 16) throw new CliUsageException("--partitions must be between 0 (one per processor) and 16.");
        var r = await ReconBenchmark.RunAsync(provider, connection, payments, context.Arguments.Has("keep"),
            context.Error, cancellationToken, late, reruns, carry: !context.Arguments.Has("no-carry"), partitions: partitions,
            trace: context.Arguments.Has("trace"));

        var ci = CultureInfo.InvariantCulture;
        var o = context.Out;
        o.WriteLine(string.Create(ci, $"bench recon  provider={r.Provider}  N={r.Payments:N0} payments ({r.TransactionRows:N0} transactions, {r.LineRows:N0} PG lines)"));
        o.WriteLine($"  machine: {BenchEnvironment.Machine()} (at the end)");
        if (provider == DatabaseProvider.Postgres)
            o.WriteLine($"  server: {(await BenchEnvironment.ReadAsync(connection!, cancellationToken)).Describe()}");
        o.WriteLine($"  engine: Reconciliation:Pass1Partitions={(partitions > 0 ? partitions : $"0 (one per processor: {Environment.ProcessorCount})")}, SettleDelay=0");
        o.WriteLine(string.Create(ci, $"  load (not timed in total)   {r.Load.TotalSeconds,8:F2} s"));
        o.WriteLine(string.Create(ci, $"  pass 1                      {r.Pass1.TotalSeconds,8:F2} s   ({r.Pass1Candidates:N0} differing keys)"));
        o.WriteLine(string.Create(ci, $"  pass 2                      {r.Pass2.TotalSeconds,8:F2} s"));
        o.WriteLine(string.Create(ci, $"  persist                     {r.Persist.TotalSeconds,8:F2} s"));
        o.WriteLine(string.Create(ci, $"  total                       {r.Total.TotalSeconds,8:F2} s"));
        o.WriteLine(string.Create(ci, $"  bare FULL OUTER JOIN        {r.BareJoin.TotalSeconds,8:F2} s   ({r.BareJoinRows:N0} rows)"));
        o.WriteLine(string.Create(ci, $"  ratio total / bare join     {r.Ratio,8:F2}   (fastest of {reruns} turns each; all in the log)"));
        o.WriteLine(string.Create(ci, $"  persist share of total      {r.Persist.TotalMilliseconds / Math.Max(1, r.Total.TotalMilliseconds) * 100,7:F1} %"));
        var first = r.EngineTurns[0];
        var last = r.EngineTurns[^1];
        o.WriteLine(string.Create(ci, $"  full re-runs of the date    {string.Join(", ", r.EngineTurns.Select(t => t.TotalSeconds.ToString("F2", ci)))} s  (turn {r.EngineTurns.Count} / turn 1: {last / first:F2})"));
        if (r.EnginePersists is { Count: > 0 } persists)
            o.WriteLine(string.Create(ci, $"  persist of each re-run      {string.Join(", ", persists.Select(t => t.TotalSeconds.ToString("F2", ci)))} s  (turn {persists.Count} / turn 1: {persists[^1] / Max(persists[0]):F2})"));
        if (r.Verifications is { Count: > 0 } checks)
            o.WriteLine(string.Create(ci, $"  control totals verification (off the run's path): {checks.Max().TotalSeconds:F2} s  (each full turn's: {string.Join(", ", checks.Select(t => t.TotalSeconds.ToString("F2", ci)))} s; not in total)"));
        if (r.Incremental is { } inc)
        {
            // The run compares the changed keys and the date's open findings again: both counts are said.
            o.WriteLine(string.Create(ci, $"  incremental re-run: {inc.Elapsed.TotalSeconds:F2} s, {inc.Elapsed / r.Total * 100:F1} % of the full run ({inc.LateKeys:N0} keys changed; {inc.ComparedKeys:N0} keys compared; the date's other findings carried forward)"));
            o.WriteLine(string.Create(ci, $"    {inc.Scope}; pass 1 {inc.Pass1Ms} ms, pass 2 {inc.Pass2Ms} ms, persist {inc.PersistMs} ms; findings {(inc.EqualsFull ? "equal" : "DIFFER FROM")} a full run's"));
            o.WriteLine(string.Create(ci, $"    what it saw, read through its carry chain (run filter, Slack summary): {inc.SeenRead.TotalMilliseconds:F0} ms ({inc.SeenConfirmed:N0} confirmed)"));
        }
        o.WriteLine(string.Create(ci, $"  findings                    {r.Confirmed:N0} confirmed, {r.Transient:N0} transient (expected {r.ExpectedByType.Values.Sum():N0} confirmed)"));
        foreach (var (type, expected) in r.ExpectedByType.OrderBy(e => e.Key))
            o.WriteLine(string.Create(ci, $"    {type,-20} {r.FoundByType.GetValueOrDefault(type),8:N0} found {expected,8:N0} injected"));
        o.WriteLine(string.Create(ci, $"  peak memory (this process)  {r.PeakWorkingSetBytes / 1024.0 / 1024.0,8:F0} MB"));
        o.WriteLine(r.FoundExactlyTheInjectedFaults ? "  result: found exactly the injected faults" : "  result: MISMATCH with the injected faults");
        return r.FoundExactlyTheInjectedFaults && r.Incremental is null or { EqualsFull: true } ? 0 : 1;
    }

    private static TimeSpan Max(TimeSpan t) => t > TimeSpan.Zero ? t : TimeSpan.FromMilliseconds(1);
}
