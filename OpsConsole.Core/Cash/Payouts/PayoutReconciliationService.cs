using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>
/// Reconciles PG payouts against bank deposits over a range of paidOutDates, set-based (<see cref="PayoutSqlGenerator"/>):
/// pass 1 aggregates the lines once and classifies; pass 2 re-reads the flagged (merchant id, date) pairs and all
/// deposits on fresh data and classifies again; only findings both passes flag are CONFIRMED (a deposit or statement
/// that arrived between the passes turns them TRANSIENT). Re-running a range updates the same findings; open findings
/// of the range a run no longer sees are AUTO_RESOLVED. Then a Slack summary when something is confirmed.
/// <para>Engines: the console's database (SQLite or PostgreSQL, the default) or BigQuery (<c>engine: "bigquery"</c>,
/// <see cref="BigQueryPayoutEngine"/>): there the passes' aggregate and matching run as BigQuery jobs and their rows come
/// back into this run's tables; everything after (findings, lifecycle, alert) is the same for both.</para>
/// </summary>
public sealed class PayoutReconciliationService(
    IDbContextFactory<OpsDbContext> dbFactory,
    IOptions<CashOptions> options,
    KoreanBusinessCalendar calendar,
    TimeProvider clock,
    ILogger<PayoutReconciliationService>? logger = null,
    IReconAlertSink? alerts = null,
    BigQueryPayoutEngine? warehouse = null, Gateway.PgConnections? connections = null)
{
    /// <summary>How far before the range the running net starts (negative days carried into the range).</summary>
    public const int OffsetLookbackDays = 31;

    /// <summary>How far before the range expected payouts and deposits take part in matching (not reported).</summary>
    public const int MatchLookbackDays = 14;

    private readonly ILogger _log = logger ?? NullLogger<PayoutReconciliationService>.Instance;

    /// <summary>Tests: runs between the passes (a deposit or statement arriving while the run is under way).</summary>
    internal Func<Task>? BetweenPasses { get; set; }

    /// <summary>The rules in force: <c>Cash:*</c> with the console's overrides.</summary>
    public async Task<PayoutRules> RulesAsync(CancellationToken ct = default) => PayoutRules.From(await SettingsAsync(ct));

    private Task<CashOptions> SettingsAsync(CancellationToken ct) => CashSettings.EffectiveAsync(dbFactory, options.Value, ct);

    /// <summary>The configured calendar, or one with the console's extra closures when an admin changed them.</summary>
    private KoreanBusinessCalendar CalendarFor(CashOptions settings) =>
        settings.ExtraClosures.Order().SequenceEqual(options.Value.ExtraClosures.Order()) ? calendar : new KoreanBusinessCalendar(settings.ExtraClosures);

    /// <summary>
    /// Runs both passes over paidOutDates [<paramref name="from"/>, <paramref name="to"/>]. Throws
    /// <see cref="DomainException"/> PAYOUT_RUN_IN_PROGRESS when another payout run holds the lock, CASH_NOT_CONFIGURED
    /// without <c>Cash:Pgs</c>, CALENDAR_NOT_COVERED for dates outside the calendar. A failure inside the run is
    /// recorded on the run (FAILED with its error) and returned.
    /// </summary>
    /// <param name="engine"><c>database</c> for the console's database, <c>bigquery</c> for the warehouse (UNKNOWN_ENGINE
    /// when it is not configured in this build); null: <see cref="EffectiveEngine"/>.</param>
    public async Task<PayoutRun> RunAsync(DateOnly from, DateOnly to, RunTrigger trigger, string requestedBy,
        CancellationToken cancellationToken = default, string? engine = null)
    {
        var bigQuery = EngineFor(engine);
        var (rules, businessDays, window) = await PlanAsync(from, to, cancellationToken);
        var asOf = window.AsOf;

        var run = PayoutRun.Start(from, to, asOf, trigger, requestedBy, clock.GetUtcNow());
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.Add(run);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                throw DomainException.Conflict("PAYOUT_RUN_IN_PROGRESS", "Another payout reconciliation is running; try again when it has finished.");
            }
        }

        try
        {
            await ExecuteAsync(run, rules, businessDays, window, bigQuery, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _log.LogError(e, "Payout run {RunId} failed", run.Id);
            await FailAsync(run.Id, e.Message);
        }
        catch (OperationCanceledException)
        {
            await FailAsync(run.Id, "Cancelled.");
            throw;
        }

        var finished = await GetRunAsync(run.Id, CancellationToken.None);
        if (finished.Status == RunStatus.SUCCEEDED && finished.ConfirmedCount > 0 && alerts is not null)
        {
            var delivered = false;
            try
            {
                delivered = await alerts.SendTextAsync(await AlertTextAsync(finished, CancellationToken.None), CancellationToken.None);
            }
            catch (Exception e)
            {
                _log.LogWarning(e, "The alert of payout run {RunId} could not be sent; the run is unaffected", run.Id);
            }
            await UpdateAsync(run.Id, r => r.RecordAlert(delivered), CancellationToken.None);
            finished = await GetRunAsync(run.Id, CancellationToken.None);
        }
        return finished;
    }

    /// <summary>The rules and calendar in force and the dates of a run over [from, to] (refusals as <see cref="RunAsync"/>).</summary>
    private async Task<(PayoutRules Rules, KoreanBusinessCalendar Calendar, PayoutWindow Window)> PlanAsync(DateOnly from, DateOnly to,
        CancellationToken ct)
    {
        var settings = await SettingsAsync(ct);
        var rules = PayoutRules.From(settings);
        var businessDays = CalendarFor(settings);
        if (rules.Pgs.Count == 0)
            throw DomainException.BadInput("CASH_NOT_CONFIGURED",
                "No PG payouts are configured: set Cash:Pgs:{mId}:Account and :Counterparty (docs/cash.md).");
        var lookback = from.AddDays(-OffsetLookbackDays);
        businessDays.IsBusinessDay(lookback);
        var depto = businessDays.AddBusinessDays(businessDays.NextBusinessDayOnOrAfter(to), rules.DateWindowBusinessDays);
        return (rules, businessDays, new PayoutWindow(lookback, from.AddDays(-MatchLookbackDays), from, to, depto, BusinessCalendar.Today(clock)));
    }

    /// <summary>
    /// <c>reconcile-payouts --engine bigquery --print-sql</c>: the BigQuery jobs' SQL and parameters of a run over
    /// [from, to] with the rules in force, for a data engineer to review. Calls nothing.
    /// </summary>
    public async Task<string> DescribeBigQueryAsync(DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var bigQuery = EngineFor(BigQueryPayoutEngine.EngineName)!;
        var (rules, _, window) = await PlanAsync(from, to, ct);
        return bigQuery.Describe(rules, window);
    }

    /// <summary>The engine a run uses: the one requested, else <c>Cash:Engine</c>, else the console's database.</summary>
    public string EffectiveEngine(string? requested) =>
        (requested ?? options.Value.Engine) is { Length: > 0 } e ? e.ToLowerInvariant() : "database";

    private BigQueryPayoutEngine? EngineFor(string? requested)
    {
        var engine = EffectiveEngine(requested);
        if (engine == "database") return null;
        if (string.Equals(engine, BigQueryPayoutEngine.EngineName, StringComparison.OrdinalIgnoreCase) && warehouse is not null)
            return warehouse;
        throw DomainException.BadInput("UNKNOWN_ENGINE",
            $"No payout engine '{engine}' is configured (engines: database{(warehouse is null ? "" : ", " + BigQueryPayoutEngine.EngineName)}).");
    }

    /// <summary>
    /// A failed run applies nothing: its findings were never touched (they are written last, in one transaction), and its
    /// working rows (groups, items) are removed; the run keeps its error and the jobs it ran.
    /// </summary>
    private async Task FailAsync(long runId, string error)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            await db.Set<PayoutRunItem>().Where(i => i.RunId == runId).ExecuteDeleteAsync(CancellationToken.None);
            await db.Set<PayoutRunGroup>().Where(g => g.RunId == runId).ExecuteDeleteAsync(CancellationToken.None);
        }
        await UpdateAsync(runId, r => r.Fail(error, clock.GetUtcNow()), CancellationToken.None);
    }

    private async Task ExecuteAsync(PayoutRun run, PayoutRules rules, KoreanBusinessCalendar calendar, PayoutWindow window,
        BigQueryPayoutEngine? bigQuery, CancellationToken ct)
    {
        var (lookback, mfrom, depto) = (window.Lookback, window.MatchFrom, window.DepositsTo);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var dialect = ReconSql.DialectFor(db.Provider);
        var gen = new PayoutSqlGenerator(dialect, PayoutSqlFunctions.For(dialect), rules, connections);
        var p = new Dictionary<string, object?>
        {
            ["run"] = run.Id,
            ["frun"] = run.FindingRunId,
            ["lookback"] = dialect.DateValue(lookback),
            ["mfrom"] = dialect.DateValue(mfrom),
            ["from"] = dialect.DateValue(run.FromDate),
            ["to"] = dialect.DateValue(run.ToDate),
            ["depto"] = dialect.DateValue(depto),
            ["asof"] = dialect.DateValue(run.AsOfDate),
        };

        await RefreshCalendarAsync(db, calendar, ct);

        var sw = Stopwatch.StartNew();
        if (bigQuery is not null)
        {
            var (groups, job) = await bigQuery.GroupsAsync(1, bigQuery.Pass1LinesQuery(rules, run.Id, lookback, window.To), run.Id, ct);
            await SaveAsync(db, run.Id, "lines", job, groups, ct);
            await MatchOnBigQueryAsync(db, bigQuery, rules, run.Id, 1, window, calendar, ct);
        }
        else
        {
            await WriteGroupsAsync(db, gen.SelectGroups(), p, run.Id, ct);
            if (dialect.RefreshStatistics("payout_run_groups") is { } analyze)
                await ReconSql.ExecuteAsync(db, analyze, p, ct);
            await ReconSql.ExecuteAsync(db, gen.InsertItems(), With(p, "pass", 1), ct);
        }
        var flagged = await CountAsync(db, run.Id, 1, ct);
        await UpdateAsync(run.Id, r => r.RecordPass1(sw.ElapsedMilliseconds, flagged), ct);

        if (BetweenPasses is { } between) await between();
        sw.Restart();
        if (bigQuery is not null)
        {
            if (flagged > 0)
            {
                var pass1 = await db.Set<PayoutRunItem>().AsNoTracking()
                    .Where(i => i.RunId == run.Id && i.Pass == 1 && i.FindingType != null && i.Kind != PayoutItemKind.DEPOSIT).ToListAsync(ct);
                var (groups, job) = await bigQuery.GroupsAsync(2, bigQuery.Pass2LinesQuery(rules, run.Id, lookback, window.To, pass1), run.Id, ct);
                // The job has answered: forget pass 1's aggregate of the flagged pairs and store the fresh one, together.
                await SaveAsync(db, run.Id, "lines", job, groups, ct, gen.DeleteFlaggedGroups(), p);
            }
            await MatchOnBigQueryAsync(db, bigQuery, rules, run.Id, 2, window, calendar, ct);
        }
        else
        {
            if (flagged > 0)
            {
                await ReconSql.ExecuteAsync(db, gen.DeleteFlaggedGroups(), p, ct);
                await WriteGroupsAsync(db, gen.SelectFlaggedGroups(), p, run.Id, ct);
            }
            // Pass 2 always writes the run's full view (the Cash page reads it), from the aggregate and fresh deposits.
            await ReconSql.ExecuteAsync(db, gen.InsertItems(), With(p, "pass", 2), ct);
        }
        await UpdateAsync(run.Id, r => r.RecordPass2(sw.ElapsedMilliseconds), ct);

        sw.Restart();
        var now = clock.GetUtcNow();
        var pn = With(p, "now", dialect.InstantValue(now));
        int confirmed, transient, autoResolved;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            confirmed = await ReconSql.ExecuteAsync(db, gen.UpsertConfirmed(), pn, ct);
            transient = await ReconSql.ExecuteAsync(db, gen.UpsertTransient(), pn, ct);
            await ReconSql.ExecuteAsync(db, gen.UpsertLastSeen(), pn, ct);
            autoResolved = await ReconSql.ExecuteAsync(db, gen.AutoResolveUnseen(), pn, ct);
            await tx.CommitAsync(ct);
        }
        var items = db.Set<PayoutRunItem>().AsNoTracking().Where(i => i.RunId == run.Id && i.Pass == 2);
        var expected = await items.Where(i => i.Kind == PayoutItemKind.EXPECTED && i.ExpectedAmount > 0)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), Sum = g.Sum(i => i.ExpectedAmount ?? 0) }).FirstOrDefaultAsync(ct);
        var confirmedAmount = await db.Set<Finding>().AsNoTracking()
            .Where(f => f.LastRunId == run.FindingRunId && f.Verdict == FindingVerdict.CONFIRMED).SumAsync(f => f.MoneyAtRisk, ct);
        var deposits = await DepositTotalsAsync(db, rules, run.FromDate, run.ToDate, ct);
        var counts = new PayoutRunCounts(expected?.Count ?? 0, expected?.Sum ?? 0, deposits.Count, deposits.Sum,
            confirmed, confirmedAmount, transient, autoResolved);
        await UpdateAsync(run.Id, r => r.Succeed(sw.ElapsedMilliseconds, counts, clock.GetUtcNow()), ct);
        _log.LogInformation("Payout run {RunId} ({From}..{To}): {Confirmed} confirmed, {Transient} transient, {Auto} auto-resolved",
            run.Id, run.FromDate, run.ToDate, confirmed, transient, autoResolved);
    }

    /// <summary>
    /// Runs an aggregate of the lines (<see cref="PayoutSqlGenerator.SelectGroups"/>) and stores its rows as the run's
    /// groups. Not an INSERT … SELECT: PostgreSQL plans the SELECT of an INSERT without parallel workers, and the scan of
    /// the lines is the run's one big cost; the aggregate is small (per merchant id, paidOutDate, soldDate and method).
    /// </summary>
    private static async Task WriteGroupsAsync(OpsDbContext db, string sql, IReadOnlyDictionary<string, object?> p, long runId,
        CancellationToken ct)
    {
        var groups = await ReconSql.RowsAsync(db, sql, p, r => PayoutRunGroup.Create(runId, r.GetString(0), ReconSql.DateOf(r.GetValue(1)),
            ReconSql.DateOf(r.GetValue(2)), r.GetString(3), Convert.ToInt64(r.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt64(r.GetValue(5), System.Globalization.CultureInfo.InvariantCulture)), ct);
        db.AddRange(groups);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>
    /// The match job of a pass on BigQuery: the run's groups, the recognised credits of the configured accounts in
    /// [mfrom, depto] (read now: fresh for pass 2) and the calendar go with the query; the items it returns are stored with its job.
    /// </summary>
    private async Task MatchOnBigQueryAsync(OpsDbContext db, BigQueryPayoutEngine bigQuery, PayoutRules rules, long runId, int pass,
        PayoutWindow window, KoreanBusinessCalendar calendar, CancellationToken ct)
    {
        var groups = await db.Set<PayoutRunGroup>().AsNoTracking().Where(g => g.RunId == runId).ToListAsync(ct);
        var accounts = rules.Pgs.Select(p => p.Account).Distinct().ToList();
        var deposits = await db.Set<BankTransaction>().AsNoTracking()
            .Where(t => t.Direction == BankDirection.CREDIT && accounts.Contains(t.AccountName)
                        && t.BookingDate >= window.MatchFrom && t.BookingDate <= window.DepositsTo)
            .ToListAsync(ct);
        // Only the credits a PG's patterns recognise travel (the SQL recognises them again): an operating account's other
        // incoming payments would only make the request bigger (BigQuery accepts up to 10 MB).
        deposits = deposits.Where(t => rules.Pgs.Any(p => p.Account == t.AccountName && p.Recognises(t.Counterparty, t.Memo))).ToList();
        var query = bigQuery.MatchQuery(rules, runId, pass, window, groups, deposits, CashCalendarDay.From(calendar));
        var (items, job) = await bigQuery.ItemsAsync(pass, query, ct);
        await SaveAsync(db, runId, "match", job, items, ct);
    }

    /// <summary>A BigQuery job's rows and its record, in one transaction (after <paramref name="before"/>, when given).</summary>
    private async Task SaveAsync<T>(OpsDbContext db, long runId, string step, WarehouseJob job, IReadOnlyCollection<T> rows,
        CancellationToken ct, string? before = null, IReadOnlyDictionary<string, object?>? parameters = null) where T : class
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (before is not null) await ReconSql.ExecuteAsync(db, before, parameters!, ct);
        db.AddRange(rows);
        db.Add(PayoutRunJob.For(runId, step, job, rows.Count, clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>Recognised deposits booked in the range (count, sum) — the control total of the cash side.</summary>
    private static async Task<(int Count, long Sum)> DepositTotalsAsync(OpsDbContext db, PayoutRules rules, DateOnly from,
        DateOnly to, CancellationToken ct)
    {
        var accounts = rules.Pgs.Select(p => p.Account).Distinct().ToList();
        var credits = await db.Set<BankTransaction>().AsNoTracking()
            .Where(t => t.Direction == BankDirection.CREDIT && accounts.Contains(t.AccountName) && t.BookingDate >= from && t.BookingDate <= to)
            .Select(t => new { t.AccountName, t.Counterparty, t.Memo, t.Amount }).ToListAsync(ct);
        var recognised = credits.Where(t => rules.Pgs.Any(p => p.Account == t.AccountName && p.Recognises(t.Counterparty, t.Memo))).ToList();
        return (recognised.Count, recognised.Sum(t => t.Amount));
    }

    private static async Task RefreshCalendarAsync(OpsDbContext db, KoreanBusinessCalendar calendar, CancellationToken ct)
    {
        var days = CashCalendarDay.From(calendar).ToList();
        var stored = await db.Set<CashCalendarDay>().AsNoTracking().ToListAsync(ct);
        if (stored.Count == days.Count && stored.OrderBy(d => d.Date).Zip(days)
                .All(x => x.First.Date == x.Second.Date && x.First.BusinessOrdinal == x.Second.BusinessOrdinal && x.First.IsBusinessDay == x.Second.IsBusinessDay))
            return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Set<CashCalendarDay>().ExecuteDeleteAsync(ct);
        db.AddRange(days);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }

    private static async Task<int> CountAsync(OpsDbContext db, long runId, int pass, CancellationToken ct) =>
        await db.Set<PayoutRunItem>().CountAsync(i => i.RunId == runId && i.Pass == pass && i.FindingType != null, ct);

    private static Dictionary<string, object?> With(Dictionary<string, object?> p, string name, object? value) =>
        new(p) { [name] = value };

    public async Task<PayoutRun> GetRunAsync(long runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<PayoutRun>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct)
               ?? throw DomainException.NotFound("PAYOUT_RUN_NOT_FOUND", $"Payout run {runId} does not exist.");
    }

    private async Task UpdateAsync(long runId, Action<PayoutRun> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<PayoutRun>().FirstAsync(r => r.Id == runId, ct);
        change(run);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The Slack text of a run with confirmed findings: counts and amounts by type, the largest five.</summary>
    private async Task<string> AlertTextAsync(PayoutRun run, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var findings = await db.Set<Finding>().AsNoTracking()
            .Where(f => f.LastRunId == run.FindingRunId && f.Verdict == FindingVerdict.CONFIRMED).ToListAsync(ct);
        return PayoutAlert.Format(run, findings);
    }
}
