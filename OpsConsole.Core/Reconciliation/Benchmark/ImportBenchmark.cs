using System.Diagnostics;
using System.Globalization;
using System.Text;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation.Benchmark;

/// <param name="PeakWorkingSetBytes">The process's peak resident set (Linux VmHWM, reset before the import) — or,
/// where it cannot be reset, the highest working set sampled during the import.</param>
/// <param name="PeakGcHeapBytes">The highest managed heap size sampled (every 10 ms) during the import.</param>
public sealed record ImportBenchResult(DatabaseProvider Provider, long FileBytes, int Lines, TimeSpan Import,
    TimeSpan ImportAgain, long PeakWorkingSetBytes, long PeakGcHeapBytes, long BaselineWorkingSetBytes,
    bool PeakIsHighWaterMark, ImportOutcome Outcome, ImportOutcome AgainOutcome, long StoredLines);

/// <summary>
/// <c>bench import</c>: writes a settlement CSV of the requested size (unique keys over ten sold dates), then
/// imports it into a fresh database with the real <see cref="SettlementImporter"/> and records the time and the
/// process's peak memory during the import; then imports it again (the same file: nothing changes).
/// A command, not a test.
/// </summary>
public static class ImportBenchmark
{
    public static readonly DateOnly FirstDate = new(2026, 3, 1);

    /// <summary>Writes about <paramref name="bytes"/> bytes of valid settlement CSV; returns the line count.</summary>
    public static int WriteCsv(string path, long bytes)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write("paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId\n");
        var n = 0;
        var ci = CultureInfo.InvariantCulture;
        while (w.BaseStream.Position < bytes)
        {
            for (var k = 0; k < 1000; k++)
            {
                n++;
                var sold = FirstDate.AddDays(n % 10);
                var amount = 1_000L + n * 37L % 1_000_000;
                var fee = amount / 40;
                var at = sold.ToDateTime(new TimeOnly(0, 0)).AddSeconds(n % 86_400);
                w.Write(string.Create(ci,
                    $"tgen_{n:D10}_payment_key_abcdef,tx_{n:D10}_transaction_key_abcdef,order-{n:D10},카드,{amount},{fee},{amount - amount / 11},{amount / 11},{amount - fee},{at:yyyy-MM-ddTHH:mm:ss}+09:00,{sold:yyyy-MM-dd},{sold.AddDays(2):yyyy-MM-dd},KRW,mid_bench\n"));
            }
            w.Flush();
        }
        return n;
    }

    public static async Task<ImportBenchResult> RunAsync(DatabaseProvider provider, string? connection, string csvPath,
        int lines, TextWriter log, CancellationToken ct)
    {
        var (cs, drop) = await ReconBenchmark.CreateDatabaseAsync(provider, connection, ct);
        log.WriteLine($"bench: fresh {provider} database {ReconBenchmark.Describe(provider, cs)}");
        try
        {
            var factory = new OpsDbContextFactory(provider, cs);
            await DatabaseInitializer.MigrateAsync(factory, ct);
            var importer = new SettlementImporter(factory, TimeProvider.System);

            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var baseline = Environment.WorkingSet;
            var hwm = ResetHighWaterMark();
            using var sampler = new Sampler();
            var sw = Stopwatch.StartNew();
            SettlementImportResult result;
            await using (var file = File.OpenRead(csvPath))
                result = await importer.ImportCsvAsync(file, Path.GetFileName(csvPath), "bench", ct);
            var elapsed = sw.Elapsed;
            var (peakGc, peakWs) = sampler.Stop();
            var peak = hwm ? ReadHighWaterMark() ?? peakWs : peakWs;
            log.WriteLine($"bench: import {result.Outcome} in {elapsed.TotalSeconds:F1} s ({result.RowCount:N0} lines)");
            if (!result.Succeeded)
                foreach (var e in result.Errors.Take(5)) log.WriteLine($"bench:   {e}");

            sw.Restart();
            SettlementImportResult again;
            await using (var file = File.OpenRead(csvPath))
                again = await importer.ImportCsvAsync(file, Path.GetFileName(csvPath), "bench", ct);
            var againElapsed = sw.Elapsed;

            await using var db = await factory.CreateDbContextAsync(ct);
            var stored = db.Set<SettlementLine>().LongCount();
            return new ImportBenchResult(provider, new FileInfo(csvPath).Length, lines, elapsed, againElapsed, peak, peakGc,
                baseline, hwm, result.Outcome, again.Outcome, stored);
        }
        finally
        {
            await drop();
        }
    }

    /// <summary>Linux: writing 5 to clear_refs resets the peak resident set (VmHWM) to the current one.</summary>
    private static bool ResetHighWaterMark()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ReadHighWaterMark() is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? ReadHighWaterMark()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is null) return null;
            var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kb * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Samples the managed heap and the working set every 10 ms on its own thread.</summary>
    private sealed class Sampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peakGc;
        private long _peakWs;

        public Sampler()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    _peakGc = Math.Max(_peakGc, GC.GetTotalMemory(false));
                    _peakWs = Math.Max(_peakWs, Environment.WorkingSet);
                    Thread.Sleep(10);
                }
            }) { IsBackground = true, Name = "bench-memory-sampler" };
            _thread.Start();
        }

        public (long PeakGc, long PeakWorkingSet) Stop()
        {
            _stop = true;
            _thread.Join();
            return (_peakGc, _peakWs);
        }

        public void Dispose()
        {
            _stop = true;
        }
    }
}
