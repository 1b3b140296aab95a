using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.Benchmark;

public sealed record ReconBenchResult(
    int Payments, DatabaseProvider Provider, long TransactionRows, long LineRows, TimeSpan Load, TimeSpan Pass1,
    TimeSpan Pass2, TimeSpan Persist, TimeSpan Total, int Pass1Candidates, int Confirmed, int Transient,
    IReadOnlyDictionary<FindingType, int> FoundByType, IReadOnlyDictionary<FindingType, int> ExpectedByType,
    long PeakWorkingSetBytes, TimeSpan BareJoin, long BareJoinRows, IReadOnlyList<TimeSpan> EngineTurns,
    IncrementalBenchResult? Incremental = null, IReadOnlyList<TimeSpan>? EnginePersists = null,
    IReadOnlyList<TimeSpan>? Verifications = null)
{
    public double Ratio => Total.TotalMilliseconds / Math.Max(1, BareJoin.TotalMilliseconds);
    public bool FoundExactlyTheInjectedFaults => ExpectedByType.All(e => FoundByType.GetValueOrDefault(e.Key) == e.Value)
                                                 && FoundByType.Values.Sum() == ExpectedByType.Values.Sum();
}

/// <summary><c>bench recon --late K</c>: K late PG lines after the full runs, and the incremental re-run of the date.</summary>
/// <param name="EqualsFull">The findings after the incremental run equal those after a full run that followed it.</param>
public sealed record IncrementalBenchResult(int LateKeys, TimeSpan Elapsed, int ComparedKeys, RunScope Scope,
    long Pass1Ms, long Pass2Ms, long PersistMs, bool EqualsFull, TimeSpan SeenRead, int SeenConfirmed);

/// <summary>
/// <c>bench recon</c>: a fresh database, bulk-loaded with <see cref="ReconBenchData"/>, reconciled by the real
/// engine (settle delay 0, warmed by one run of an empty day), and — on the same data, in the same process — a
/// bare FULL OUTER JOIN of the two ledgers as the yardstick. The two take turns, <see cref="Rounds"/> times each
/// (yardstick, engine, yardstick, engine, …), so both meet the same moments of a noisy machine, and the fastest
/// of each counts. The engine's later runs re-find the same findings, so they update them instead of inserting;
/// its first reads freshly built indexes, partly from disk. Every timing is logged.
/// </summary>
public static class ReconBenchmark
{
    public static readonly DateOnly BusinessDate = new(2026, 3, 15);

    /// <summary>How many times the yardstick and the engine each run by default, taking turns (the engine's turns are
    /// full re-runs of the same date: the fifth must stay within 10 % of the first); <c>--reruns N</c> changes it.</summary>
    public const int Rounds = 5;

    /// <summary>The engine's options for the benchmark: no settle delay; <paramref name="partitions"/> key ranges
    /// (<see cref="ReconciliationOptions.Pass1Partitions"/>; 0: one per processor, the default).</summary>
    private static ReconciliationOptions ConfiguredOptions(bool carry, int partitions)
    {
        var o = new ReconciliationOptions { SettleDelay = TimeSpan.Zero, CarryUnchangedFindings = carry };
        if (partitions > 0) o.Pass1Partitions = partitions;
        return o;
    }

    public static async Task<ReconBenchResult> RunAsync(DatabaseProvider provider, string? connection, int payments,
        bool keep, TextWriter log, CancellationToken ct, int late = 0, int rounds = Rounds, bool carry = true,
        int partitions = 0, bool trace = false)
    {
        var (cs, drop) = await CreateDatabaseAsync(provider, connection, ct);
        log.WriteLine($"bench: fresh {provider} database {Describe(provider, cs)}");
        try
        {
            var factory = new OpsDbContextFactory(provider, cs);
            await DatabaseInitializer.MigrateAsync(factory, ct);
            var data = new ReconBenchData(payments, BusinessDate);

            var sw = Stopwatch.StartNew();
            await ReconBenchLoader.LoadAsync(provider, cs, data, ct, log);
            var load = sw.Elapsed;
            var txRows = await ScalarAsync(provider, cs, "SELECT COUNT(*) FROM payment_transactions", ct);
            var lineRows = await ScalarAsync(provider, cs, "SELECT COUNT(*) FROM settlement_lines", ct);
            log.WriteLine($"bench: loaded {payments:N0} payments, {txRows:N0} transactions, {lineRows:N0} lines in {load.TotalSeconds:F1} s");

            var generator = new ReconciliationSqlGenerator(ReconciliationDefinition.Standard(FeeSchedule.Default),
                ReconSql.DialectFor(provider));
            // Each full turn queues the check of its control totals against the ledgers (off the run's path): the next
            // turn waits for it, so that no turn shares the machine with the previous turn's check, and its time is printed apart.
            using var verifications = new ControlTotals.ControlTotalsVerificationQueue(
                new ControlTotals.ControlTotalsVerifier(factory, TimeProvider.System,
                    logger: trace ? new TraceLogger<ControlTotals.ControlTotalsVerifier>(log) : null));
            var service = new ReconciliationService(factory,
                Options.Create(ConfiguredOptions(carry, partitions)), TimeProvider.System,
                verifications: verifications, logger: trace ? new TraceLogger<ReconciliationService>(log) : null);
            // Warm, as in a long-running console: one run of an empty day first compiles the run's EF queries.
            await service.RunAsync(BusinessDate.AddDays(-30), RunTrigger.CLI, "bench warm-up", cancellationToken: ct);
            await verifications.WhenIdleAsync();
            var verified = new List<TimeSpan>();
            var bares = new List<TimeSpan>();
            long bareRows = 0;
            var runs = new List<(ReconRun Run, TimeSpan Total)>();
            for (var i = 1; i <= rounds; i++)
            {
                var (bare, rows) = await TimeAsync(provider, cs, generator.BareFullJoinCount(), ct);
                bares.Add(bare);
                bareRows = rows;
                log.WriteLine($"bench: bare FULL OUTER JOIN {i}: {bare.TotalSeconds:F2} s ({rows:N0} rows; load average {BenchEnvironment.LoadAverage()})");

                sw.Restart();
                var timed = await service.RunAsync(BusinessDate, RunTrigger.CLI, "bench", cancellationToken: ct, full: true);
                var elapsed = sw.Elapsed;
                runs.Add((timed, elapsed));
                if (timed.Status != RunStatus.SUCCEEDED)
                    throw new InvalidOperationException($"The benchmark run failed: {timed.Error}");
                log.WriteLine($"bench: engine run {i}: {elapsed.TotalSeconds:F2} s (pass 1 {timed.Pass1Ms / 1000.0:F2} s, " +
                              $"pass 2 {timed.Pass2Ms / 1000.0:F2} s, persist {timed.PersistMs / 1000.0:F2} s, {timed.ConfirmedCount:N0} confirmed; load average {BenchEnvironment.LoadAverage()})");
                await verifications.WhenIdleAsync();
                if (verifications.Last is { } v)
                {
                    verified.Add(TimeSpan.FromMilliseconds(v.DurationMs));
                    log.WriteLine($"bench: control totals verification {i} (off the run's path): {v.DurationMs / 1000.0:F2} s ({v.Result}{(v.Drifted ? ": " + v.Drift : "")})");
                    if (v.Drifted) throw new InvalidOperationException($"The control totals drifted from the ledgers: {v.Drift}");
                }
            }
            var incremental = late > 0
                ? await IncrementalAsync(factory, service, data, late, log, ct)
                : null;
            await verifications.WhenIdleAsync();
            var (run, total) = runs.MinBy(r => r.Total);

            using var process = Process.GetCurrentProcess();
            process.Refresh();
            return new ReconBenchResult(payments, provider, txRows, lineRows, load,
                TimeSpan.FromMilliseconds(run.Pass1Ms ?? 0), TimeSpan.FromMilliseconds(run.Pass2Ms ?? 0),
                TimeSpan.FromMilliseconds(run.PersistMs ?? 0), total, run.Pass1Count, run.ConfirmedCount,
                run.TransientCount, run.Totals.ToDictionary(t => t.FindingType, t => t.ConfirmedCount), data.Expected,
                process.PeakWorkingSet64, bares.Min(), bareRows, runs.Select(r => r.Total).ToList(), incremental,
                runs.Select(r => TimeSpan.FromMilliseconds(r.Run.PersistMs ?? 0)).ToList(), verified);
        }
        finally
        {
            if (!keep) await drop();
            else log.WriteLine($"bench: kept database {Describe(provider, cs)}");
        }
    }

    /// <summary>
    /// Adds <paramref name="late"/> late PG lines through the ingestion path (which marks their keys), re-runs the date
    /// (incremental: only those keys), then checks the findings against a full run that follows.
    /// </summary>
    private static async Task<IncrementalBenchResult> IncrementalAsync(OpsDbContextFactory factory,
        ReconciliationService service, ReconBenchData data, int late, TextWriter log, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var import = SettlementImport.ForCsv("bench-late.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                late, "bench", DateTimeOffset.UtcNow, Gateway.PgConnections.LegacyName);
            db.Add(import);
            var n = 0;
            await SettlementLineWriter.AddAsync(db, data.LateLines(late).Select(l => SettlementLine.Create(import, ++n,
                l.PaymentKey, l.TransactionKey, l.OrderId, l.Method, l.Amount, l.Fee, l.Amount - l.Amount / 11, l.Amount / 11,
                l.Amount - l.Fee, l.ApprovedAt, l.SoldDate, l.SoldDate.AddDays(2), "KRW", null)).ToList(), ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        log.WriteLine($"bench: {late:N0} late PG lines ingested");
        var sw = Stopwatch.StartNew();
        var run = await service.RunAsync(BusinessDate, RunTrigger.CLI, "bench late", cancellationToken: ct);
        var elapsed = sw.Elapsed;
        if (run.Status != RunStatus.SUCCEEDED) throw new InvalidOperationException($"The incremental run failed: {run.Error}");
        log.WriteLine($"bench: incremental run: {elapsed.TotalSeconds:F2} s ({run.Scope}, {run.ComparedKeys:N0} keys; pass 1 " +
                      $"{run.Pass1Ms} ms, pass 2 {run.Pass2Ms} ms, persist {run.PersistMs} ms; {run.ConfirmedCount:N0} confirmed; load average {BenchEnvironment.LoadAverage()})");
        // What the run saw — compared or carried — is read through its carry chain (RunSightings) by the grid's run filter,
        // the Slack summary and `reconcile --json`: timed here, as the console reads it, and checked against its totals.
        sw.Restart();
        int seenConfirmed;
        await using (var db = await factory.CreateDbContextAsync(ct))
            seenConfirmed = await (await RunSightings.SeenByRunAsync(db, run.Id, ct))
                .CountAsync(s => s.Verdict == FindingVerdict.CONFIRMED, ct);
        var summary = await service.SummaryAsync(run, ct);
        var seenRead = sw.Elapsed;
        log.WriteLine($"bench: what the incremental run saw, read through its carry chain: {seenConfirmed:N0} confirmed, " +
                      $"{summary.LargestFindings.Count} largest, in {seenRead.TotalMilliseconds:F0} ms");
        if (seenConfirmed != run.ConfirmedCount)
            throw new InvalidOperationException($"The incremental run's totals say {run.ConfirmedCount:N0} confirmed, its sightings {seenConfirmed:N0}.");
        var afterIncremental = await FindingStateAsync(factory, ct);
        var full = await service.RunAsync(BusinessDate, RunTrigger.CLI, "bench check", cancellationToken: ct, full: true);
        var afterFull = await FindingStateAsync(factory, ct);
        log.WriteLine($"bench: full run after it: {(full.FinishedAt - full.StartedAt)?.TotalSeconds:F2} s ({full.ConfirmedCount:N0} confirmed)");
        return new IncrementalBenchResult(late, elapsed, run.ComparedKeys ?? 0, run.Scope, run.Pass1Ms ?? 0, run.Pass2Ms ?? 0,
            run.PersistMs ?? 0, afterIncremental.SequenceEqual(afterFull), seenRead, seenConfirmed);
    }

    private static async Task<List<string>> FindingStateAsync(OpsDbContextFactory factory, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Set<Finding>().AsNoTracking()
            .Select(f => new { f.TransactionKey, f.Type, f.Status, f.Verdict, f.MoneyAtRisk, f.DiffFields })
            .ToListAsync(ct);
        return rows.Select(f => $"{f.TransactionKey}|{f.Type}|{f.Status}|{f.Verdict}|{f.MoneyAtRisk}|{f.DiffFields}")
            .Order(StringComparer.Ordinal).ToList();
    }

    internal static string Describe(DatabaseProvider provider, string cs) => provider == DatabaseProvider.Postgres
        ? new NpgsqlConnectionStringBuilder(cs).Database ?? cs
        : new SqliteConnectionStringBuilder(cs).DataSource;

    internal static async Task<(string Cs, Func<Task> Drop)> CreateDatabaseAsync(DatabaseProvider provider,
        string? connection, CancellationToken ct)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var path = connection is { Length: > 0 }
                ? new SqliteConnectionStringBuilder(connection).DataSource
                : Path.Combine(Path.GetTempPath(), $"opsconsole-bench-{Guid.NewGuid():N}.db");
            if (File.Exists(path))
                throw new InvalidOperationException($"{path} exists; the benchmark needs a fresh database.");
            return ($"Data Source={path}", () =>
            {
                SqliteConnection.ClearAllPools();
                foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
                return Task.CompletedTask;
            });
        }

        if (string.IsNullOrWhiteSpace(connection))
            throw new InvalidOperationException("--connection (a PostgreSQL server connection string) is required for --provider postgres.");
        var name = $"opsconsole_bench_{Guid.NewGuid():N}";
        await using (var conn = new NpgsqlConnection(connection))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var cs = new NpgsqlConnectionStringBuilder(connection) { Database = name, CommandTimeout = 0 }.ConnectionString;
        return (cs, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(connection);
            await conn.OpenAsync(CancellationToken.None);
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        });
    }

    internal static async Task<(TimeSpan Elapsed, long Rows)> TimeAsync(DatabaseProvider provider, string cs, string sql,
        CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var rows = await ScalarAsync(provider, cs, sql, ct);
        return (sw.Elapsed, rows);
    }

    internal static async Task<long> ScalarAsync(DatabaseProvider provider, string cs, string sql, CancellationToken ct)
    {
        await using System.Data.Common.DbConnection conn = provider == DatabaseProvider.Postgres
            ? new NpgsqlConnection(cs)
            : new SqliteConnection(cs);
        await conn.OpenAsync(ct);
        if (ReconSql.DialectFor(provider).SessionSetup is { } setup)
        {
            // The yardstick runs with the engine's session settings, so the ratio compares like with like.
            await using var set = conn.CreateCommand();
            set.CommandText = setup;
            await set.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}

/// <summary><c>bench recon --trace</c>: the engine's log lines (information and above) in the benchmark's log, each with the
/// milliseconds since the first traced line (<see cref="TraceClock"/>), to see where a run's time goes between its timed phases.</summary>
internal sealed class TraceLogger<T>(TextWriter log) : Microsoft.Extensions.Logging.ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
        Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (log) log.WriteLine($"trace {TraceClock.Elapsed.TotalMilliseconds,9:F0} ms  {typeof(T).Name}: {formatter(state, exception)}");
    }
}

/// <summary>The one clock of every <see cref="TraceLogger{T}"/>: started with the benchmark's first traced line.</summary>
internal static class TraceClock
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();
    public static TimeSpan Elapsed => Clock.Elapsed;
}
