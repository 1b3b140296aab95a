using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Benchmark;

namespace OpsConsole.Core.Cash.Payouts.Benchmark;

/// <param name="Turns">The payout runs' times, in order.</param>
/// <param name="Unexplained">Findings and quiet items that differ from the planted ones (empty: exactly as planted).</param>
public sealed record PayoutBenchResult(int Lines, long LineRows, int Deposits, TimeSpan Load, TimeSpan Run, long Pass1Ms,
    long Pass2Ms, TimeSpan Bare, long BareRows, IReadOnlyList<TimeSpan> Turns, IReadOnlyList<TimeSpan> BareTurns,
    IReadOnlyDictionary<FindingType, int> FoundByType, IReadOnlyList<string> Unexplained)
{
    public double Ratio => Run.TotalMilliseconds / Math.Max(1, Bare.TotalMilliseconds);
    public bool FoundExactlyThePlantedFaults => Unexplained.Count == 0;
}

/// <summary>
/// <c>bench payouts</c>: a fresh PostgreSQL database bulk-loaded (COPY) with <see cref="PayoutBenchData"/>, reconciled by
/// the real payout engine, and — on the same data, in the same process, taking turns — a bare GROUP BY of the lines by
/// merchant id and paidOutDate joined to the deposits as the yardstick. The fastest of <see cref="Rounds"/> turns each
/// counts; every turn is logged with the load average.
/// </summary>
public static class PayoutBenchmark
{
    public const int Rounds = 3;

    private const string LineColumns = "id, import_id, source, line_number, payment_key, transaction_key, order_id, method, amount, fee, supply_amount, vat, pay_out_amount, approved_at, sold_date, paid_out_date, currency, key_repeated, m_id, pg";

    /// <summary>The yardstick: what any payout check must at least do — aggregate the lines per merchant id and day, and look the deposits up.</summary>
    public static string BareGroupBy(DateOnly lookback) => $"""
        SELECT COUNT(*) FROM (
          SELECT l.m_id, l.paid_out_date, SUM(l.pay_out_amount) AS s FROM settlement_lines l
          WHERE l.m_id IN ({string.Join(", ", PayoutBenchData.MIds.Select(m => $"'{m}'"))})
            AND l.paid_out_date >= DATE '{lookback:yyyy-MM-dd}' AND l.paid_out_date <= DATE '{PayoutBenchData.To:yyyy-MM-dd}'
          GROUP BY l.m_id, l.paid_out_date) g
        LEFT JOIN bank_transactions t ON t.booking_date = g.paid_out_date AND t.amount = g.s AND t.direction = 'CREDIT'
        """;

    public static async Task<PayoutBenchResult> RunAsync(string connection, int lines, bool keep, TextWriter log, CancellationToken ct)
    {
        var (cs, drop) = await ReconBenchmark.CreateDatabaseAsync(DatabaseProvider.Postgres, connection, ct);
        log.WriteLine($"bench: fresh PostgreSQL database {ReconBenchmark.Describe(DatabaseProvider.Postgres, cs)}");
        try
        {
            var factory = new OpsDbContextFactory(DatabaseProvider.Postgres, cs);
            await DatabaseInitializer.MigrateAsync(factory, ct);
            var calendar = new KoreanBusinessCalendar();
            var data = new PayoutBenchData(lines, calendar);

            var sw = Stopwatch.StartNew();
            await LoadLinesAsync(cs, data, ct);
            var deposits = data.Deposits();
            await LoadDepositsAsync(factory, deposits, ct);
            var load = sw.Elapsed;
            var lineRows = await ReconBenchmark.ScalarAsync(DatabaseProvider.Postgres, cs, "SELECT COUNT(*) FROM settlement_lines", ct);
            log.WriteLine($"bench: loaded {lineRows:N0} lines and {deposits.Count:N0} deposits in {load.TotalSeconds:F1} s");

            var service = new PayoutReconciliationService(factory, Microsoft.Extensions.Options.Options.Create(PayoutBenchData.Options()),
                calendar, TimeProvider.System);
            // Warm, as in a long-running console: a run of an empty week compiles the run's queries and fills the calendar.
            await service.RunAsync(new DateOnly(2026, 1, 5), new DateOnly(2026, 1, 9), RunTrigger.CLI, "bench warm-up", ct);
            var bare = BareGroupBy(PayoutBenchData.From.AddDays(-PayoutReconciliationService.OffsetLookbackDays));
            var bares = new List<TimeSpan>();
            var runs = new List<(PayoutRun Run, TimeSpan Elapsed)>();
            long bareRows = 0;
            for (var i = 1; i <= Rounds; i++)
            {
                var (b, rows) = await ReconBenchmark.TimeAsync(DatabaseProvider.Postgres, cs, bare, ct);
                bares.Add(b);
                bareRows = rows;
                log.WriteLine($"bench: bare GROUP BY + deposits {i}: {b.TotalSeconds:F2} s ({rows:N0} rows; load average {BenchEnvironment.LoadAverage()})");
                sw.Restart();
                var run = await service.RunAsync(PayoutBenchData.From, PayoutBenchData.To, RunTrigger.CLI, "bench", ct);
                var elapsed = sw.Elapsed;
                if (run.Status != RunStatus.SUCCEEDED) throw new InvalidOperationException($"The benchmark's payout run failed: {run.Error}");
                runs.Add((run, elapsed));
                log.WriteLine($"bench: payout run {i}: {elapsed.TotalSeconds:F2} s (pass 1 {run.Pass1Ms / 1000.0:F2} s, pass 2 {run.Pass2Ms / 1000.0:F2} s, " +
                              $"{run.ConfirmedCount} confirmed; load average {BenchEnvironment.LoadAverage()})");
            }
            var (best, time) = runs.MinBy(r => r.Elapsed);
            var (found, unexplained) = await CheckAsync(factory, runs[^1].Run, data, ct);
            return new PayoutBenchResult(lines, lineRows, deposits.Count, load, time, best.Pass1Ms ?? 0, best.Pass2Ms ?? 0,
                bares.Min(), bareRows, runs.Select(r => r.Elapsed).ToList(), bares, found, unexplained);
        }
        finally
        {
            if (!keep) await drop();
            else log.WriteLine($"bench: kept database {ReconBenchmark.Describe(DatabaseProvider.Postgres, cs)}");
        }
    }

    /// <summary>The last run's confirmed findings and quiet items against the planted ones: what differs, in words.</summary>
    private static async Task<(Dictionary<FindingType, int> Found, List<string> Unexplained)> CheckAsync(OpsDbContextFactory factory,
        PayoutRun run, PayoutBenchData data, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var findings = await db.Set<Finding>().AsNoTracking()
            .Where(f => f.LastRunId == run.FindingRunId && f.Verdict == FindingVerdict.CONFIRMED)
            .Select(f => new { f.Type, f.TransactionKey, f.MoneyAtRisk }).ToListAsync(ct);
        var unexplained = new List<string>();
        var expected = data.Expected().ToList();
        foreach (var f in findings)
        {
            var match = expected.FirstOrDefault(e => e.Type == f.Type && (e.Key ?? f.TransactionKey) == f.TransactionKey && e.MoneyAtRisk == f.MoneyAtRisk);
            if (match is null) unexplained.Add($"found but not planted: {f.Type} {f.TransactionKey} ({f.MoneyAtRisk:N0} at risk)");
            else expected.Remove(match);
        }
        unexplained.AddRange(expected.Select(e => $"planted but not found: {e.Type} {e.Key} ({e.MoneyAtRisk:N0} at risk)"));
        var quietKeys = PayoutBenchData.ExpectedQuietItems.Select(q => q.Key).ToList();
        var quiet = await db.Set<PayoutRunItem>().AsNoTracking()
            .Where(i => i.RunId == run.Id && i.Pass == 2 && quietKeys.Contains(i.ItemKey))
            .Select(i => new { i.ItemKey, i.MatchKind, i.FindingType }).ToListAsync(ct);
        foreach (var (key, match) in PayoutBenchData.ExpectedQuietItems)
        {
            var item = quiet.FirstOrDefault(i => i.ItemKey == key);
            if (item is null || item.MatchKind != match || item.FindingType is not null)
                unexplained.Add($"{key}: expected {match} without a finding, got {(item is null ? "no item" : $"{item.MatchKind} {item.FindingType}")}");
        }
        return (findings.GroupBy(f => f.Type).ToDictionary(g => g.Key, g => g.Count()), unexplained);
    }

    private static Task LoadLinesAsync(string cs, PayoutBenchData data, CancellationToken ct) =>
        PostgresBulkLoad.RunAsync(cs, ["settlement_lines"], async () =>
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync(ct);
            await using (var cmd = new NpgsqlCommand("INSERT INTO settlement_imports (id, source, name, sha256, row_count, imported_by, imported_at, pg) " +
                                                     $"VALUES (1, 'API', 'bench', 'bench', 0, 'bench', now(), '{PgConnections.LegacyName}'); " +
                                                     "SELECT setval(pg_get_serial_sequence('settlement_imports', 'id'), 1)", conn))
                await cmd.ExecuteNonQueryAsync(ct);
            await PostgresBulkLoad.CopyAsync(conn, "settlement_lines", LineColumns, data.LineRows(), (w, l) =>
            {
                var key = "tx-" + l.Id.ToString(CultureInfo.InvariantCulture);
                var amount = l.PayOut >= 0 ? l.PayOut + l.PayOut / 40 : l.PayOut - 100;
                w.Write(l.Id, NpgsqlDbType.Bigint);
                w.Write(1L, NpgsqlDbType.Bigint);
                w.Write("API", NpgsqlDbType.Varchar);
                w.Write((int)Math.Min(l.Id, int.MaxValue), NpgsqlDbType.Integer);
                w.Write("pk-" + key, NpgsqlDbType.Varchar);
                w.Write(key, NpgsqlDbType.Varchar);
                w.Write("order-" + key, NpgsqlDbType.Varchar);
                w.Write(l.Method.ToString(), NpgsqlDbType.Varchar);
                w.Write(amount, NpgsqlDbType.Bigint);
                w.Write(amount - l.PayOut, NpgsqlDbType.Bigint);
                w.Write(amount - amount / 11, NpgsqlDbType.Bigint);
                w.Write(amount / 11, NpgsqlDbType.Bigint);
                w.Write(l.PayOut, NpgsqlDbType.Bigint);
                w.Write(l.SoldDate.ToDateTime(new TimeOnly(3, 0), DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                w.Write(l.SoldDate, NpgsqlDbType.Date);
                w.Write(l.PaidOutDate, NpgsqlDbType.Date);
                w.Write("KRW", NpgsqlDbType.Varchar);
                w.Write(false, NpgsqlDbType.Boolean);
                w.Write(l.MId, NpgsqlDbType.Varchar);
                w.Write(PgConnections.LegacyName, NpgsqlDbType.Varchar);
            }, ct);
        }, log: null, builders: 2, ct);

    /// <summary>The statement: one import per account, as a bank's export would arrive.</summary>
    private static async Task LoadDepositsAsync(OpsDbContextFactory factory, IReadOnlyList<PayoutBenchDeposit> deposits, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        foreach (var account in deposits.GroupBy(d => d.Account))
        {
            var list = account.ToList();
            var import = BankStatementImport.Create($"bench-{account.Key}.csv", Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
                BankStatementFormat.CSV, "bench", account.Key, list.Count, PayoutBenchData.From, PayoutBenchData.To, "bench", DateTimeOffset.UtcNow);
            db.Add(import);
            db.AddRange(list.Select((d, i) => new ParsedBankTransaction(i + 1, d.Account, d.Date, d.Date, null, d.Amount,
                BankDirection.CREDIT, "KRW", d.Counterparty, "정산대금", null, null).ToEntity(import)));
        }
        await db.SaveChangesAsync(ct);
    }
}
