using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsConsole.Components.Pages.Dashboard;
using OpsConsole.Components.Pages.Discrepancies;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Core.Timeline;

namespace OpsConsole.Cli.ConsoleBench;

/// <summary>Latencies of one query kind, in milliseconds; <see cref="Wrong"/> counts answers that were not the expected rows.</summary>
public sealed record ConsoleBenchKind(string Group, string Name, double? TargetP95Ms, double P50Ms, double P95Ms,
    int Samples, int Wrong)
{
    public bool Passed => Wrong == 0 && (TargetP95Ms is not { } target || P95Ms <= target);
}

public sealed record ConsoleBenchResult(string Database, ConsoleBenchData Data, IReadOnlyDictionary<string, long> Rows,
    TimeSpan Migrate, TimeSpan Load, IReadOnlyList<ConsoleBenchKind> Kinds)
{
    public ConsoleBenchKind Baseline => Kinds.Single(k => k.Group == ConsoleBenchmark.BaselineGroup && k.Name == ConsoleBenchmark.RatioBase);
    public bool Passed => Kinds.All(k => k.Passed);
}

/// <summary>
/// <c>bench console</c>: a fresh PostgreSQL database with the production schema, bulk-loaded with
/// <see cref="ConsoleBenchData"/>, then each query kind of the console run through the console's own code
/// (<see cref="FindingGridQuery"/> for the discrepancy grid, <see cref="DashboardQueries"/> for the dashboard with its
/// control totals, <see cref="PaymentTimeline"/> for trace and text search) with random keys and filters: warm-up, then timed samples, one new DbContext per sample as the
/// pages do. Baselines measured in the same run: a <c>SELECT 1</c> round trip and a primary-key look-up.
/// </summary>
public static class ConsoleBenchmark
{
    public const string BaselineGroup = "baseline";
    public const string RatioBase = "payment by primary key (EF)";
    public const double GridTargetMs = 150, TraceTargetMs = 50, TextTargetMs = 500, DashboardTargetMs = 300;
    public static readonly DateOnly LastDate = new(2026, 3, 31);
    private const int PageSize = 50;

    public static async Task<ConsoleBenchResult> RunAsync(string server, int payments, int findings, int samples,
        int warmup, bool keep, TextWriter log, CancellationToken ct, string? existingDatabase = null)
    {
        if (existingDatabase is not null)
            return await RemeasureAsync(server, existingDatabase, payments, findings, samples, warmup, log, ct);
        var name = $"opsconsole_console_{Guid.NewGuid():N}";
        await AdminAsync(server, $"CREATE DATABASE {name}", ct);
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = 0 }.ConnectionString;
        log.WriteLine($"bench: fresh PostgreSQL database {name}");
        try
        {
            var factory = new OpsDbContextFactory(DatabaseProvider.Postgres, cs);
            var sw = Stopwatch.StartNew();
            await DatabaseInitializer.MigrateAsync(factory, ct);
            var migrate = sw.Elapsed;
            var data = new ConsoleBenchData(payments, findings, LastDate);
            sw.Restart();
            var rows = await ConsoleBenchLoader.LoadAsync(cs, data, log, ct);
            var load = sw.Elapsed;
            log.WriteLine($"bench: loaded in {load.TotalSeconds:F0} s: " +
                          string.Join(", ", rows.Select(r => $"{r.Value:N0} {r.Key}")));
            var kinds = await MeasureAsync(factory, cs, data, samples, warmup, log, ct);
            return new ConsoleBenchResult(name, data, rows, migrate, load, kinds);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (keep) log.WriteLine($"bench: kept database {name}");
            else await AdminAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)", CancellationToken.None);
        }
    }

    /// <summary>
    /// Measures again on a database an earlier run kept (<c>--database</c>), after checking that it holds the
    /// same data set and the same indexes as a database freshly migrated from the current model.
    /// </summary>
    private static async Task<ConsoleBenchResult> RemeasureAsync(string server, string database, int payments,
        int findings, int samples, int warmup, TextWriter log, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = database, CommandTimeout = 0 }.ConnectionString;
        var scratch = $"opsconsole_console_ref_{Guid.NewGuid():N}";
        await AdminAsync(server, $"CREATE DATABASE {scratch}", ct);
        try
        {
            var reference = new NpgsqlConnectionStringBuilder(server) { Database = scratch }.ConnectionString;
            await DatabaseInitializer.MigrateAsync(new OpsDbContextFactory(DatabaseProvider.Postgres, reference), ct);
            await ConsoleBenchLoader.EnsureSameIndexesAsync(cs, reference, ct);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync(server, $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)", CancellationToken.None);
        }
        var factory = new OpsDbContextFactory(DatabaseProvider.Postgres, cs);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if (await db.Payments.CountAsync(ct) != payments || await db.Set<Finding>().CountAsync(ct) != findings)
                throw new InvalidOperationException($"{database} does not hold {payments:N0} payments and {findings:N0} findings.");
        }
        log.WriteLine($"bench: measuring again on kept database {database} (indexes checked against the current migration)");
        var data = new ConsoleBenchData(payments, findings, LastDate);
        var kinds = await MeasureAsync(factory, cs, data, samples, warmup, log, ct);
        return new ConsoleBenchResult(database, data, new Dictionary<string, long>(), TimeSpan.Zero, TimeSpan.Zero, kinds);
    }

    private static async Task AdminAsync(string server, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(server);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<ConsoleBenchKind>> MeasureAsync(OpsDbContextFactory factory, string cs,
        ConsoleBenchData data, int samples, int warmup, TextWriter log, CancellationToken ct)
    {
        var random = new Random(20260331);
        var timeline = new PaymentTimeline(factory, [new FindingTimelineContributor()]);
        var kinds = new List<ConsoleBenchKind>();

        async Task Measure(string group, string name, double? target, Func<Task<bool>> sample)
        {
            var times = new List<double>(samples);
            var wrong = 0;
            for (var n = 0; n < warmup + samples; n++)
            {
                var sw = Stopwatch.StartNew();
                var right = await sample();
                var ms = sw.Elapsed.TotalMilliseconds;
                if (n < warmup) continue;
                times.Add(ms);
                if (!right) wrong++;
            }
            times.Sort();
            var kind = new ConsoleBenchKind(group, name, target, Percentile(times, 0.50), Percentile(times, 0.95), samples, wrong);
            log.WriteLine($"bench: {group} · {name}: p50 {kind.P50Ms:F1} ms, p95 {kind.P95Ms:F1} ms{(wrong > 0 ? $", {wrong} WRONG" : "")}");
            kinds.Add(kind);
        }

        long RandomPayment() => random.NextInt64(1, data.Payments + 1);
        long RandomApproved()
        {
            while (true)
                if (RandomPayment() is var i && ConsoleBenchData.IsApproved(i)) return i;
        }

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync(ct);
            await using var one = new NpgsqlCommand("SELECT 1", conn);
            await Measure(BaselineGroup, "SELECT 1 round trip", null, async () => (int)(await one.ExecuteScalarAsync(ct))! == 1);
        }
        await Measure(BaselineGroup, RatioBase, null, async () =>
        {
            var id = RandomPayment();
            await using var db = await factory.CreateDbContextAsync(ct);
            var p = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
            return p?.PaymentKey == ConsoleBenchData.PaymentKey(id);
        });

        // ---- discrepancy grid: the default view, each single filter, each sort column ------------------
        async Task Grid(string name, Func<FindingFilter> filter, string? sortBy = null, bool? descending = null) =>
            await Measure("grid", name, GridTargetMs, async () =>
            {
                var f = filter();
                var desc = descending ?? true;
                var page = random.Next(0, 5);
                await using var db = await factory.CreateDbContextAsync(ct);
                var result = await FindingGridQuery.LoadAsync(db, f, sortBy, desc, page, PageSize, ct);
                return result.Items.Count == Math.Clamp(result.Totals.Count - page * PageSize, 0, PageSize);
            });

        DateOnly RandomDate() => LastDate.AddDays(-random.Next(0, data.Days));
        await Grid("default (confirmed, money at risk desc)", () => new FindingFilter());
        await Grid("filter business date (one day)", () =>
        {
            var d = RandomDate();
            return new FindingFilter { From = d, To = d };
        });
        await Grid("filter business date (from, 7 days)", () => new FindingFilter { From = LastDate.AddDays(-random.Next(0, 7)) });
        await Grid("filter type", () => new FindingFilter { Types = [(FindingType)random.Next(0, 7)] });
        await Grid("filter status", () => new FindingFilter { Statuses = [(FindingStatus)random.Next(0, 4)] });
        await Grid("filter verdict (transient)", () => new FindingFilter { Verdict = FindingVerdict.TRANSIENT });
        await Grid("filter verdict (any)", () => new FindingFilter { Verdict = null });
        await Grid("filter method", () => new FindingFilter { Method = (PaymentMethod)random.Next(0, 5) });
        await Grid("filter min at risk", () => new FindingFilter { MinAmount = random.Next(1, 400) * 1_000L });
        await Grid("filter max at risk", () => new FindingFilter { MaxAmount = random.Next(1, 400) * 1_000L });
        await Grid("filter assignee", () => new FindingFilter { Assignee = ConsoleBenchData.Assignees[random.Next(ConsoleBenchData.Assignees.Length)] });
        await Grid("filter unassigned", () => new FindingFilter { Assignee = FindingFilter.Unassigned });
        await Grid("filter resolved on (a day)", () => new FindingFilter { ResolvedOn = RandomDate().AddDays(1) });
        await Grid("filter text (key prefix)", () =>
        {
            var i = data.FindingPayment(random.Next(1, data.Findings + 1));
            return new FindingFilter { Text = random.Next(3) switch
            {
                0 => ConsoleBenchData.OrderId(i),
                1 => ConsoleBenchData.PaymentKey(i)[..12],
                _ => ConsoleBenchData.ApprovalKey(i),
            } };
        });
        foreach (var column in new[] { nameof(Finding.BusinessDate), nameof(Finding.Type), nameof(Finding.Status),
                     nameof(Finding.MoneyAtRisk), nameof(Finding.Assignee), nameof(Finding.LastSeenAt) })
        foreach (var desc in new[] { false, true })
            await Grid($"sort {column} {(desc ? "desc" : "asc")}", () => new FindingFilter(), column, desc);

        // The exact totals a broad filter's header and pager receive after the rows (not the page's wait).
        foreach (var (name, filter) in new (string, Func<FindingFilter>)[]
                 {
                     ("exact totals, default filter (after the rows)", () => new FindingFilter()),
                     ("exact totals, filter status (after the rows)", () => new FindingFilter { Statuses = [(FindingStatus)random.Next(0, 4)] }),
                 })
            await Measure("grid", name, null, async () =>
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                var totals = await FindingGridQuery.TotalsAsync(db, filter(), ct);
                return totals.Count > 0;
            });

        // ---- dashboard: every card of a date, control totals included (the data set's totals add up by construction) ----
        // "Now" is the day after the data set's last date, as the console sees it the next morning: the backlog spreads
        // over every age bucket, and "resolved today" finds that morning's resolutions of the last date.
        var dashboard = new DashboardQueries(factory, new Sandbox.HistoryClock(BusinessCalendar.StartOfDayUtc(LastDate.AddDays(1)).AddHours(14)));
        await Measure("dashboard", "dashboard of a date (with control totals)", DashboardTargetMs, async () =>
        {
            var result = await dashboard.LoadAsync(RandomDate(), ct);
            return result.Reconciled && result.ControlTotals.Days.Count == 1 && result.ControlTotals.AddsUp &&
                   result.ResolvedToday is { Count: > 0 } today && today.ByWhom.Sum(r => r.Count) == today.Count;
        });
        await Measure("dashboard", "resolved on a day (any business date)", null, async () =>
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var day = await FindingWorkload.ResolvedOnAsync(db, RandomDate().AddDays(1), ct);
            return day.Count > 0 && day.ByWhom.Sum(r => r.Count) == day.Count;
        });
        await Measure("dashboard", "control totals of 7 days", null, async () =>
        {
            var to = LastDate.AddDays(-random.Next(0, Math.Max(1, data.Days - 6)));
            await using var db = await factory.CreateDbContextAsync(ct);
            var report = await ControlTotalsQuery.LoadAsync(db, to.AddDays(-6), to, ct);
            return report.Days.Count == Math.Min(7, data.Days) && report.AddsUp;
        });

        // ---- trace look-up by each key: the search, then the timeline page of the payment found ---------
        async Task Trace(string name, string matchedBy, Func<long, string> key, bool approvedOnly = false) =>
            await Measure("trace", name, TraceTargetMs, async () =>
            {
                var i = approvedOnly ? RandomApproved() : RandomPayment();
                var search = await timeline.SearchAsync(key(i), ct);
                if (search.Hits is not [var hit] || hit.PaymentKey != ConsoleBenchData.PaymentKey(i) || hit.MatchedBy != matchedBy)
                    return false;
                var trace = await timeline.LoadAsync(hit.PaymentKey, ct);
                return trace is { Entries.Count: >= 2 };
            });
        await Trace("by traceId", "traceId", ConsoleBenchData.TraceId);
        await Trace("by paymentKey", "paymentKey", ConsoleBenchData.PaymentKey);
        await Trace("by orderId", "orderId", ConsoleBenchData.OrderId);
        await Trace("by transactionKey", "transactionKey", ConsoleBenchData.ApprovalKey, approvedOnly: true);

        // ---- text search over event messages and PG summaries -----------------------------------------
        async Task Text(string name, Func<(string Needle, Func<TraceSearchResult, bool> Right)> pick) =>
            await Measure("text", name, TextTargetMs, async () =>
            {
                var (needle, right) = pick();
                var result = await timeline.SearchAsync(needle, ct);
                return result.Kind == TraceQueryKind.Text && right(result);
            });
        await Text("rare (one payment's order number)", () =>
        {
            var i = RandomPayment();
            var needle = ConsoleBenchData.OrderId(i)[4..];
            return (needle, r => r.Hits.Any(h => h.PaymentKey == ConsoleBenchData.PaymentKey(i)));
        });
        await Text("PG error code (~0.6% of payments)", () =>
        {
            var code = ConsoleBenchData.ErrorCodes[random.Next(ConsoleBenchData.ErrorCodes.Length)];
            var min = Math.Min(PaymentTimeline.MaxHits, data.Payments * 3 / 100 / ConsoleBenchData.ErrorCodes.Length / 2);
            return (code.ToLowerInvariant(), r => r.Hits.Count >= min && r.Hits.All(h => h.Status == nameof(PaymentStatus.ABORTED)));
        });
        // Words every other event holds, in an order no event has: nothing matches, and the trigram candidates are
        // millions (the search then reads only the newest events and says so).
        string[] absent = ["customer request", "card company approved", "approved by the PG", "payment declined by the customer"];
        await Text("no match, common words (e.g. 'customer request')", () =>
            (absent[random.Next(absent.Length)], r => r.Hits.Count == 0));
        await Text("common phrase (cancel reason, 11% of payments)", () =>
            (ConsoleBenchData.CancelReason.ToUpperInvariant(), r => r.Hits.Count > 0 && r.Hits.All(h =>
                h.Status is nameof(PaymentStatus.CANCELED) or nameof(PaymentStatus.PARTIAL_CANCELED))));
        return kinds;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
