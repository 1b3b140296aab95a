using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>Live progress of a run (also persisted on the run row for other circuits and replicas).</summary>
public sealed record RunProgress(long RunId, DateOnly BusinessDate, RunPhase Phase, int Percent, string Pg = "");

/// <summary>
/// Runs reconciliations, one PG connection at a time (<see cref="ReconRun.Pg"/>): takes the per-(date, PG) lock (a
/// RUNNING run row), optionally pulls the PG's settlement lines, runs pass 1, waits
/// <see cref="ReconciliationOptions.SettleDelay"/>, rechecks the pass-1 keys in pass 2, persists findings set-based,
/// then alerts (a failing alert never fails the run). <see cref="RunEachPgAsync"/> runs every configured PG's run of a
/// date, each its own run with its own lock, change marks and findings.
/// </summary>
public sealed class ReconciliationService(
    IDbContextFactory<OpsDbContext> dbFactory,
    IOptions<ReconciliationOptions> options,
    TimeProvider clock,
    ILogger<ReconciliationService>? logger = null,
    SettlementPuller? puller = null,
    IReconAlertSink? alerts = null,
    IEnumerable<IExternalReconEngine>? externalEngines = null,
    ReconLiveCheck? liveCheck = null,
    OpsMetrics? metrics = null,
    FeeContractCatalog? contracts = null,
    Gateway.PgConnections? connections = null,
    ControlTotals.ControlTotalsVerificationQueue? verifications = null) : IDisposable
{
    /// <summary>The configured PG connections (a run is one connection's).</summary>
    public Gateway.PgConnections Connections { get; } = connections ?? Gateway.PgConnections.Single;

    private readonly ILogger _log = logger ?? NullLogger<ReconciliationService>.Instance;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _background = new();

    /// <summary>
    /// When a run waiting between its passes starts the recheck: the start of its SETTLING phase (its heartbeat,
    /// refreshed at every phase change) plus the configured settle delay; null when it is not settling. A run whose
    /// pass 1 found nothing, or that was started with a shorter delay, moves on sooner.
    /// </summary>
    public DateTimeOffset? SettleEndsAt(ReconRun run) =>
        run is { Status: RunStatus.RUNNING, Phase: RunPhase.SETTLING } ? run.HeartbeatAt + options.Value.SettleDelay : null;

    /// <summary>
    /// Runs both passes for <paramref name="businessDate"/> and the PG connection <paramref name="pg"/> and returns the
    /// finished run (SUCCEEDED, or FAILED with <see cref="ReconRun.Error"/>). Throws <see cref="DomainException"/>
    /// RUN_IN_PROGRESS when another run of the date and PG holds the lock; PG_UNKNOWN for a name that is not configured
    /// and PG_REQUIRED for none when several are (with one configured, null is that one).
    /// </summary>
    /// <param name="settleDelay">Overrides <see cref="ReconciliationOptions.SettleDelay"/> for this run (null: the
    /// configured delay), e.g. zero for data known to have settled long ago.</param>
    /// <param name="full">Compare the whole date even when an incremental run would do (see <see cref="RunScope"/>).</param>
    public async Task<ReconRun> RunAsync(DateOnly businessDate, RunTrigger trigger, string requestedBy,
        bool pullFirst = false, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default,
        TimeSpan? settleDelay = null, bool full = false, string? pg = null)
    {
        var connection = Connections.Resolve(pg);
        var run = await BeginAsync(businessDate, connection.Name, trigger, requestedBy, cancellationToken);
        return await ExecuteAsync(run.Id, businessDate, connection.Name, pullFirst, progress, cancellationToken,
            settleDelay: settleDelay, full: full);
    }

    /// <summary>
    /// One run of <paramref name="businessDate"/> per configured PG connection, in configuration order, each as
    /// <see cref="RunAsync"/> (its own run row, lock, change marks and findings). A PG whose run of the date is already
    /// running is skipped and named in the result; the others still run.
    /// </summary>
    public async Task<PgRunsResult> RunEachPgAsync(DateOnly businessDate, RunTrigger trigger, string requestedBy,
        bool pullFirst = false, IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default,
        TimeSpan? settleDelay = null, bool full = false)
    {
        var runs = new List<ReconRun>();
        var busy = new List<string>();
        foreach (var connection in Connections.All)
        {
            try
            {
                runs.Add(await RunAsync(businessDate, trigger, requestedBy, pullFirst, progress, cancellationToken,
                    settleDelay, full, connection.Name));
            }
            catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS")
            {
                _log.LogWarning("Reconciliation of {BusinessDate} for PG {Pg} skipped: {Reason}", businessDate,
                    connection.Name, e.Message);
                busy.Add(e.Message);
            }
        }
        return new PgRunsResult(runs, busy);
    }

    /// <summary>
    /// Like <see cref="RunAsync"/>, but both passes run in the external engine named <paramref name="engine"/>
    /// (e.g. <c>bigquery</c>); the lock, persistence and alerts are the same.
    /// </summary>
    public async Task<ReconRun> RunOnAsync(string engine, DateOnly businessDate, RunTrigger trigger, string requestedBy,
        IProgress<RunProgress>? progress = null, CancellationToken cancellationToken = default, string? pg = null)
    {
        var external = ExternalEngine(engine);
        var connection = Connections.Resolve(pg);
        var run = await BeginAsync(businessDate, connection.Name, trigger, requestedBy, cancellationToken);
        return await ExecuteAsync(run.Id, businessDate, connection.Name, false, progress, cancellationToken, external);
    }

    /// <summary>The external engine of that name; a clear error when it is not configured.</summary>
    public IExternalReconEngine ExternalEngine(string name) =>
        externalEngines?.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw DomainException.BadInput("UNKNOWN_ENGINE",
            $"No reconciliation engine '{name}' is configured (available: the console's database" +
            $"{string.Concat((externalEngines ?? []).Select(e => ", " + e.Name))}).");

    /// <summary>
    /// For the console: takes the lock now (so a conflict is reported at once), runs in the background and
    /// returns the run id. Follow progress with <see cref="GetRunAsync"/>.
    /// </summary>
    /// <param name="engine">An external engine's name (e.g. <c>bigquery</c>); null for the console's database.</param>
    /// <param name="pg">The PG connection (see <see cref="RunAsync"/>; null with one configured).</param>
    public async Task<long> StartAsync(DateOnly businessDate, string requestedBy, bool pullFirst = false,
        RunTrigger trigger = RunTrigger.USER, string? engine = null, bool full = false, string? pg = null)
    {
        var external = engine is null ? null : ExternalEngine(engine);
        var connection = Connections.Resolve(pg);
        var run = await BeginAsync(businessDate, connection.Name, trigger, requestedBy, _stopping.Token);
        var task = Task.Run(async () =>
        {
            try
            {
                await ExecuteAsync(run.Id, businessDate, connection.Name, pullFirst && external is null, null,
                    _stopping.Token, external, full: full);
            }
            catch (Exception e)
            {
                _log.LogError(e, "Background reconciliation run {RunId} failed", run.Id);
            }
            finally
            {
                _background.TryRemove(run.Id, out _);
            }
        });
        _background[run.Id] = task;
        return run.Id;
    }

    /// <summary>
    /// <see cref="StartAsync"/> for every configured PG connection (configuration order): each PG's run of the date in
    /// the background, each with its own lock. A PG whose run of the date is running is skipped; RUN_IN_PROGRESS only
    /// when no PG's run could start. Returns the started runs.
    /// </summary>
    public async Task<IReadOnlyList<StartedRun>> StartEachPgAsync(DateOnly businessDate, string requestedBy,
        bool pullFirst = false, RunTrigger trigger = RunTrigger.USER, string? engine = null, bool full = false)
    {
        var started = new List<StartedRun>();
        DomainException? busy = null;
        foreach (var connection in Connections.All)
        {
            try
            {
                started.Add(new StartedRun(await StartAsync(businessDate, requestedBy, pullFirst, trigger, engine, full,
                    connection.Name), connection.Name));
            }
            catch (DomainException e) when (e.Code == "RUN_IN_PROGRESS")
            {
                busy ??= e;
            }
        }
        if (started.Count == 0 && busy is not null) throw busy;
        return started;
    }

    /// <summary>Completes when background runs started by <see cref="StartAsync"/> have finished.</summary>
    public Task WhenBackgroundIdleAsync() => Task.WhenAll(_background.Values);

    public async Task<ReconRun?> GetRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<ReconRun>().AsNoTracking().Include(r => r.Totals)
            .FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
    }

    /// <summary>Latest runs first, optionally of one business date and of one PG connection.</summary>
    public async Task<IReadOnlyList<ReconRun>> ListRunsAsync(DateOnly? businessDate = null, int take = 50,
        CancellationToken cancellationToken = default, string? pg = null)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var q = db.Set<ReconRun>().AsNoTracking().Include(r => r.Totals).AsQueryable();
        if (businessDate is { } d) q = q.Where(r => r.BusinessDate == d);
        if (!string.IsNullOrWhiteSpace(pg))
        {
            var name = pg.Trim();
            q = q.Where(r => r.Pg == name);
        }
        return await q.OrderByDescending(r => r.Id).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
    }

    private async Task<ReconRun> BeginAsync(DateOnly businessDate, string pg, RunTrigger trigger, string requestedBy,
        CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var run = ReconRun.Start(businessDate, pg, trigger, requestedBy, clock.GetUtcNow());
            db.Set<ReconRun>().Add(run);
            try
            {
                await db.SaveChangesAsync(ct);
                _log.LogInformation("Reconciliation run {RunId} for {BusinessDate} and PG {Pg} started ({Trigger}, {By})",
                    run.Id, businessDate, pg, trigger, requestedBy);
                return run;
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                await using var db2 = await dbFactory.CreateDbContextAsync(ct);
                var holder = await db2.Set<ReconRun>()
                    .FirstOrDefaultAsync(r => r.BusinessDate == businessDate && r.Pg == pg && r.Status == RunStatus.RUNNING, ct);
                if (holder is null) continue;
                var now = clock.GetUtcNow();
                if (holder.HeartbeatAt < now - options.Value.StaleRunAfter)
                {
                    holder.Abandon(now);
                    await db2.SaveChangesAsync(ct);
                    continue;
                }
                throw DomainException.Conflict("RUN_IN_PROGRESS",
                    $"Run {holder.Id} for {businessDate:yyyy-MM-dd} (PG {pg}) is already running " +
                    $"(started {holder.StartedAt:yyyy-MM-dd HH:mm:ss}Z by {holder.RequestedBy}, phase {holder.Phase}).");
            }
        }
        throw DomainException.Conflict("RUN_IN_PROGRESS", $"Could not take the run lock of {businessDate:yyyy-MM-dd} (PG {pg}).");
    }

    /// <summary>The flat fee rates with the merchants' contracts in force when the run starts.</summary>
    public async Task<FeeSchedule> FeesAsync(CancellationToken ct)
    {
        var fees = options.Value.BuildFeeSchedule();
        return contracts is null ? fees : fees.WithContracts(await contracts.EffectiveAsync(ct));
    }

    private async Task<ReconRun> ExecuteAsync(long runId, DateOnly date, string pg, bool pullFirst,
        IProgress<RunProgress>? progress, CancellationToken ct, IExternalReconEngine? external = null,
        TimeSpan? settleDelay = null, bool full = false)
    {
        var o = options.Value;
        // The figures of the steps before pass 1, saved with the run's scope in the claim's transaction (one update of the
        // run row, not three); a run that fails first saves them with its failure.
        var beforePass1 = new List<Action<ReconRun>>();
        using var activity = Tracing.Source.StartActivity("reconciliation.run");
        activity?.SetTag("recon.run_id", runId);
        activity?.SetTag("recon.business_date", date.ToString("yyyy-MM-dd"));
        activity?.SetTag("recon.pg", pg);
        try
        {
            var dialect = await DialectAsync(ct);
            var gen = new ReconciliationSqlGenerator(ReconciliationDefinition.Standard(await FeesAsync(ct)), dialect);
            var sw = Stopwatch.StartNew();

            // Only the API connection's lines are pulled; a file PG's lines come by import.
            if (pullFirst && Connections.Find(pg)?.Kind == Gateway.PgKind.Toss)
            {
                if (puller is null)
                    throw new InvalidOperationException("A settlement pull was requested but no PG client is configured.");
                await MoveAsync(runId, date, RunPhase.PULLING, 5, progress, ct);
                // The neighbouring days too: a line the PG filed under the day before or after is what turns a
                // pass-1 MISSING_EXTERNAL/MISSING_INTERNAL into the DATE_MISMATCH it really is.
                await puller.PullAsync(date.AddDays(-1), date.AddDays(1), ReconciliationSqlGenerator.ResolvedBySystem, ct);
                await UpdateRunAsync(runId, r => r.RecordPull(sw.ElapsedMilliseconds), ct);
            }

            // Approvals booked without a key (the PG's answer did not tell it) take it from their settlement line, so
            // that every engine's passes match them by key. The one place this happens.
            var (learned, keyless) = await ApprovalKeyLearning.RunAsync(dbFactory, runId, pg, clock.GetUtcNow(), ct);
            beforePass1.Add(r => r.RecordKeyLearning(learned.Count, keyless));
            if (learned.Count > 0 || keyless > 0)
                _log.LogInformation(
                    "Reconciliation run {RunId}: {Learned} approval key(s) learnt from settlement lines; {Keyless} approval(s) still without a key are not compared",
                    runId, learned.Count, keyless);

            if (external is null)
            {
                var withoutContract = await CountLinesWithoutContractAsync(runId, date, pg, gen, dialect, ct);
                beforePass1.Add(r => r.RecordLinesWithoutContract(withoutContract));
            }

            // After the pull: what it changed is marked, and this run claims it. A learnt key changed our ledger
            // outside the marked write paths, so that run compares the whole date.
            RunPlan plan;
            if (external is null)
                plan = await ClaimKeysAsync(runId, date, pg, gen, dialect, full || learned.Count > 0, beforePass1, ct);
            else
            {
                plan = RunPlan.Plain;
                await UpdateRunAsync(runId, r => beforePass1.ForEach(record => record(r)), ct);
            }
            var incremental = plan.Incremental;
            // Both ledgers' totals of the date, stored with the run (the dashboard's control totals). The one call: the
            // date's last recorded totals plus the changes since (the day is summed only by its first run; a full run's
            // check against the ledgers follows in the background, below). On PostgreSQL they are recorded on their own
            // connection from the recheck on and committed only with the findings; SQLite has one writer, so there they follow.
            var persisted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task? recording = null;
            void RecordTotals() => recording ??= ControlTotals.ControlTotalsRecorder.RecordAsync(dbFactory, runId, date, pg,
                _log, ct, commitAfter: persisted.Task);
            PersistTotals totals;
            long persistMs;
            try
            {
                var passes = await PassesAsync(runId, date, pg, gen, dialect, settleDelay ?? o.SettleDelay, progress, ct, external,
                    incremental, beforeRecheck: external is null && dialect is PostgresReconDialect ? RecordTotals : null,
                    carryBase: plan.FullCarry ? plan.CarryFrom : null);
                var p = passes.Differing;
                (totals, persistMs) = await TimedAsync(() => PersistAsync(runId, date, pg, gen, dialect, plan, passes, ct));
                persisted.SetResult();
                if (external is null) RecordTotals();
                if (recording is not null) await recording;
                _log.LogInformation(
                    "Reconciliation run {RunId} for {BusinessDate} and PG {Pg}: {Pass1} differing keys in pass 1, {Confirmed} confirmed, {Transient} transient",
                    runId, date, pg, p, totals.Confirmed, totals.Transient);
            }
            catch (Exception e)
            {
                // The totals roll back with the run (they wait for the persist to commit); wait until they have.
                persisted.TrySetException(e);
                if (recording is not null) await Task.WhenAny(recording);
                throw;
            }
            await UpdateRunAsync(runId, r => r.Succeed(persistMs, totals.Confirmed, totals.Transient,
                totals.Amount, totals.AutoResolved, clock.GetUtcNow()), ct);
            // A full run's totals are the last ones plus the deltas: their check against the ledgers follows in the background.
            if (external is null && !incremental) verifications?.Enqueue(date, pg);
            progress?.Report(new RunProgress(runId, date, RunPhase.DONE, 100, pg));
        }
        catch (Exception e) when (e is not DomainException { Code: "RUN_IN_PROGRESS" })
        {
            var message = e is OperationCanceledException ? "Cancelled before it finished." : e.Message;
            if (e is DomainException or ConfigurationError)
                // An expected failure (e.g. the PG pull failed): one line that says why, no stack trace.
                _log.LogError("Reconciliation run {RunId} for {BusinessDate} failed: {Error}", runId, date, message);
            else
                _log.LogError(e, "Reconciliation run {RunId} for {BusinessDate} failed", runId, date);
            await UpdateRunAsync(runId, r =>
            {
                beforePass1.ForEach(record => record(r));
                r.Fail(message, clock.GetUtcNow());
            }, CancellationToken.None);
            if (e is OperationCanceledException)
            {
                if (metrics is not null && await GetRunAsync(runId, CancellationToken.None) is { } cancelled)
                    metrics.RunFinished(cancelled.Status, cancelled.Trigger, cancelled.Duration ?? TimeSpan.Zero, []);
                throw;
            }
        }

        var run = (await GetRunAsync(runId, CancellationToken.None))!;
        metrics?.RunFinished(run.Status, run.Trigger, run.Duration ?? TimeSpan.Zero, run.Totals);
        if (run.Status == RunStatus.SUCCEEDED && run.ConfirmedCount > 0 && alerts is not null)
        {
            var delivered = false;
            try
            {
                delivered = await alerts.SendRunSummaryAsync(await SummaryAsync(run, ct), ct);
            }
            catch (Exception e)
            {
                _log.LogWarning(e, "The alert of run {RunId} could not be sent; the run is unaffected", runId);
            }
            await UpdateRunAsync(runId, r => r.RecordAlert(delivered), CancellationToken.None);
            run = (await GetRunAsync(runId, CancellationToken.None))!;
        }
        return run;
    }

    /// <summary>
    /// Counts the date's lines that are not fee-checked because their merchant id has no contract in force on their
    /// approval date (<see cref="FeeContractTimeline"/>) and logs it (the run records it): never a silent pass.
    /// </summary>
    private async Task<long> CountLinesWithoutContractAsync(long runId, DateOnly date, string pg, ReconciliationSqlGenerator gen,
        IReconSqlDialect dialect, CancellationToken ct)
    {
        long lines = 0;
        if (gen.LinesWithoutContractCount() is { } sql)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            lines = await ReconSql.ScalarAsync(db, sql,
                new Dictionary<string, object?> { ["date"] = dialect.DateValue(date), ["pg"] = pg }, ct);
        }
        if (lines > 0)
            _log.LogWarning(
                "Reconciliation run {RunId} for {BusinessDate}: {Lines} settlement line(s) are not fee-checked: their merchant id has no fee contract in force on their approval date",
                runId, date, lines);
        return lines;
    }

    /// <summary>How a run treats the findings of the date's last successful run.</summary>
    /// <param name="Incremental">The run compares only the claimed keys (<see cref="RunScope.INCREMENTAL"/>).</param>
    /// <param name="CarryFrom">The run carries forward the findings of that run (<see cref="ReconciliationSqlGenerator.MarkCarried"/>)
    /// whose keys are not among its own (<see cref="ReconRunKey"/>); null: the run writes every finding it sees.</param>
    private sealed record RunPlan(bool Incremental, long? CarryFrom)
    {
        public static readonly RunPlan Plain = new(false, null);

        /// <summary>A full run that carries: it compares every key and adds to its keys those whose items differ from
        /// its base's (<see cref="ReconciliationSqlGenerator.InsertChangedKeys"/>).</summary>
        public bool FullCarry => !Incremental && CarryFrom is not null;
    }

    /// <summary>
    /// Decides the run's scope and takes the date's change marks (<see cref="ReconChangeTracking"/>). The date's last
    /// successful run is a <b>base</b> when its rules are this run's and no full run failed since (its claimed marks are
    /// gone). With a base the run is incremental unless a full run is asked for; a full run still carries from a full base
    /// (<see cref="ReconciliationOptions.CarryUnchangedFindings"/>), whose run items cover every differing key of the date.
    /// A run that carries claims the marks as its keys, plus the keys of runs that failed since, and a full one also those
    /// of the findings whose state the base did not leave (<see cref="ReconChangeTracking.ClaimSql"/>); any other run only
    /// clears the marks.
    /// The run's scope, and the figures of the steps before (<paramref name="records"/>), commit with the claim.
    /// </summary>
    private async Task<RunPlan> ClaimKeysAsync(long runId, DateOnly date, string pg, ReconciliationSqlGenerator gen,
        IReconSqlDialect dialect, bool full, IReadOnlyList<Action<ReconRun>> records, CancellationToken ct)
    {
        var fingerprint = Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(gen.Pass2Insert())));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var runs = db.Set<ReconRun>().AsNoTracking().Where(r => r.BusinessDate == date && r.Pg == pg && r.Id < runId);
        var last = await runs.Where(r => r.Status == RunStatus.SUCCEEDED).OrderByDescending(r => r.Id)
            .Select(r => new
            {
                r.Id, r.RulesFingerprint, r.Scope,
                FullRunFailedSince = runs.Any(f => f.Id > r.Id && f.Status == RunStatus.FAILED && f.Scope == RunScope.FULL),
            }).FirstOrDefaultAsync(ct);
        var hasBase = last is not null && last.RulesFingerprint == fingerprint && !last.FullRunFailedSince;
        var incremental = !full && hasBase;
        var carry = incremental || (hasBase && last!.Scope == RunScope.FULL && options.Value.CarryUnchangedFindings);
        var ps = new Dictionary<string, object?>
        {
            ["run"] = runId,
            ["pg"] = pg,
            ["date"] = dialect.DateValue(date),
            ["base"] = last?.Id ?? 0L,
        };
        int? compared = null;
        await ReconSql.OpenAsync(db, ct); // the engine's session settings (JIT off) before the transaction opens the connection
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (carry)
            {
                var statements = ReconChangeTracking.ClaimSql(dialect, incremental);
                var claimed = await ReconSql.ExecuteAsync(db, statements[0], ps, ct);
                if (incremental) compared = claimed;
                foreach (var sql in statements.Skip(1)) await ReconSql.ExecuteAsync(db, sql, ps, ct);
            }
            else
                await ReconSql.ExecuteAsync(db, ReconChangeTracking.ClearSql(), ps, ct);
            // The scope commits with the claim: a full run that fails after taking the marks is known as one.
            var run = await db.Set<ReconRun>().FirstAsync(r => r.Id == runId, ct);
            foreach (var record in records) record(run);
            run.RecordScope(incremental ? RunScope.INCREMENTAL : RunScope.FULL, compared, fingerprint);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        // The incremental pass 1 starts from these keys: without statistics the planner may read the whole day.
        if (incremental && dialect.RefreshStatistics(dialect.Table("recon_run_keys"), "run_id") is { } analyze)
            await ReconSql.ExecuteAsync(db, analyze, new Dictionary<string, object?>(), ct);
        return new RunPlan(incremental, carry ? last!.Id : null);
    }

    /// <summary>Pass 1, the settle delay and pass 2; ends with the run moved to PERSISTING. Returns the pass-1 keys, and
    /// the bounds of a full pass 1's key ranges (<see cref="KeyRangeBoundsAsync"/>; null: not split by range).
    /// <paramref name="beforeRecheck"/> runs once the delay is over, before pass 2. <paramref name="carryBase"/>: a full
    /// run that carries from that run (<see cref="RunPlan.FullCarry"/>); pass 2 in key ranges then also adds the keys
    /// whose items differ from the base's (<see cref="ReconciliationSqlGenerator.InsertChangedKeys"/>).</summary>
    private async Task<PassesResult> PassesAsync(long runId, DateOnly date, string pg, ReconciliationSqlGenerator gen,
        IReconSqlDialect dialect, TimeSpan delay, IProgress<RunProgress>? progress, CancellationToken ct,
        IExternalReconEngine? external = null, bool incremental = false, Action? beforeRecheck = null, long? carryBase = null)
    {
        var sw = Stopwatch.StartNew();
        await MoveAsync(runId, date, RunPhase.PASS1, 10, progress, ct);
        var context = new ReconPassContext(runId, date, gen.Definition, dialect, pg);
        int differing;
        IReadOnlyList<string>? keyRanges = null; // the bounds of a full pass 1's key ranges
        int? changed = null; // the keys whose items differ from the carry base's, when pass 2 compared them
        var pipelined = false; // each range's pass 2 followed its pass 1 (PipelinedRangesAsync)
        var pass2 = new Dictionary<string, object?> { ["run"] = runId, ["pg"] = pg, ["base"] = carryBase ?? 0L };
        // A full run that carries compares a range's items with its base's on the range's connection as soon as the
        // range's pass 2 is written (both passes' items of the range are then final): no second round of connections.
        Func<KeyRange, string>? changedKeys = carryBase is null ? null : range => dialect.ChangedKeysSettings is { } s
            ? $"{s.Set}; {gen.InsertChangedKeys(range)}; {s.Reset}"
            : gen.InsertChangedKeys(range);
        // PostgreSQL's pass 2 probes key by key whatever the planner expects (LATERAL look-ups, its keys read by index):
        // the run items' statistics are refreshed after it, for the persist, and not between the passes.
        var pass2NeedsStatistics = dialect.JoinStrategy != ReconJoinStrategy.OrderedMergeJoin;
        if (external is not null)
            differing = await external.RunPass1Async(context, ct);
        else
        {
            // PostgreSQL cannot run a full outer join in parallel: split the keys and run the shares at once, each
            // on its own connection (Reconciliation:Pass1Partitions).
            var parameters = new Dictionary<string, object?>
            {
                ["run"] = runId,
                ["pg"] = pg,
                ["from"] = dialect.InstantValue(BusinessCalendar.StartOfDayUtc(date)),
                ["to"] = dialect.InstantValue(BusinessCalendar.StartOfDayUtc(date.AddDays(1))),
                ["date"] = dialect.DateValue(date),
            };
            if (incremental)
                // A few keys: one statement of index probes, as pass 2.
                differing = (await RunInSharesAsync(dialect, [new PassShare(gen.Pass1KeysInsert(), parameters)],
                    dialect.KeyLookupSettings, ct, refreshStatistics: pass2NeedsStatistics)).Rows;
            else
            {
                if (dialect.JoinStrategy == ReconJoinStrategy.OrderedMergeJoin)
                    keyRanges = await KeyRangeBoundsAsync(gen, dialect, ct);
                if (keyRanges is null && await KeySampleBoundsAsync(gen, dialect, ct) is { Count: > 0 } bounds)
                {
                    differing = await ReadInSharesWriteOnceAsync(RangeShares(bounds, gen.Pass1Select, parameters),
                        gen.ItemValuesInsert(), ReconciliationSqlGenerator.ItemColumnCount, ct);
                    if (pass2NeedsStatistics) await RefreshStatisticsAsync(dialect, ct);
                }
                else if (keyRanges is not null && delay <= TimeSpan.Zero)
                {
                    // No delay to wait (a date re-run long after it settled, or Reconciliation:SettleDelay 0): each range's
                    // pass 2 follows its pass 1 on the range's connection, so that a range done first does not leave its
                    // core idle until the last one ends. The run moves to PASS2 when every range's pass 1 is done.
                    var rows = await PipelinedRangesAsync(dialect, RangeShares(keyRanges, gen.Pass1Insert, parameters),
                        RangeShares(keyRanges, gen.Pass2Insert, pass2, changedKeys),
                        pass1Rows => MoveToPass2Async(sw.ElapsedMilliseconds, pass1Rows, settleMs: 0, settled: false), ct);
                    await RefreshStatisticsAsync(dialect, ct); // for the persist, as after pass 2
                    differing = rows.Rows;
                    if (carryBase is not null) changed = rows.Then;
                    pipelined = true;
                }
                else
                {
                    var shares = keyRanges is not null
                        ? RangeShares(keyRanges, gen.Pass1Insert, parameters)
                        : HashShares(dialect, gen.Pass1Insert, parameters);
                    differing = (await RunInSharesAsync(dialect, shares, dialect.Pass1Settings, ct,
                        refreshStatistics: pass2NeedsStatistics)).Rows;
                }
            }
        }
        if (!pipelined)
        {
            var pass1Ms = sw.ElapsedMilliseconds;
            sw.Restart();
            var settles = differing > 0 && delay > TimeSpan.Zero;
            if (settles)
            {
                await MoveAsync(runId, date, RunPhase.SETTLING, 40, progress, ct, r => r.RecordPass1(pass1Ms, differing));
                await Task.Delay(delay, clock, ct);
            }
            await MoveToPass2Async(pass1Ms, differing, sw.ElapsedMilliseconds, settled: settles);
            if (differing > 0 && external is not null)
                await external.RunPass2Async(context, ct);
            else if (differing > 0 && keyRanges is null)
                await RunInSharesAsync(dialect, HashShares(dialect, gen.Pass2Insert, pass2), dialect.KeyLookupSettings, ct);
            else if (differing > 0)
            {
                var rows = await RunInSharesAsync(dialect, RangeShares(keyRanges!, gen.Pass2Insert, pass2, changedKeys),
                    dialect.KeyLookupSettings, ct);
                if (carryBase is not null) changed = rows.Then;
            }
        }
        // Each phase's figures are saved with the move to the next phase: one update of the run row, not two. Without a
        // delay to wait (settled: false), SETTLING is reported but not written, and pass 1's figures go with the move to
        // PASS2. Pass 2's time starts here.
        async Task MoveToPass2Async(long pass1Ms, int pass1Rows, long settleMs, bool settled)
        {
            if (!settled) progress?.Report(new RunProgress(runId, date, RunPhase.SETTLING, 40, pg));
            beforeRecheck?.Invoke();
            sw.Restart();
            await MoveAsync(runId, date, RunPhase.PASS2, 60, progress, ct, r =>
            {
                if (!settled) r.RecordPass1(pass1Ms, pass1Rows);
                r.RecordSettle(settleMs);
            });
        }
        // The live check asks the PG API: only the API connection's runs have one to ask.
        if (differing > 0 && options.Value.LiveCheck && Connections.Find(pg)?.Kind == Gateway.PgKind.Toss)
        {
            if (liveCheck is null)
                throw new InvalidOperationException("Reconciliation:LiveCheck is on but no PG client is configured.");
            await liveCheck.RunAsync(runId, ct);
        }
        var pass2Ms = sw.ElapsedMilliseconds;
        await MoveAsync(runId, date, RunPhase.PERSISTING, 80, progress, ct, r => r.RecordPass2(pass2Ms));
        return new PassesResult(differing, keyRanges, changed);
    }

    /// <summary>What <see cref="PassesAsync"/> found: the pass-1 keys, the bounds of a full pass 1's key ranges (null: not
    /// split by range), and the keys whose items differ from the carry base's when pass 2 compared them (null: not compared).</summary>
    private sealed record PassesResult(int Differing, IReadOnlyList<string>? KeyRanges, int? Changed);

    /// <summary>The key ranges (or hash shares) of a pass: <see cref="ReconciliationOptions.Pass1Partitions"/>, or one
    /// per processor when it is 0; at most 16.</summary>
    private int Parts => Math.Clamp(options.Value.Pass1Partitions > 0 ? options.Value.Pass1Partitions : Processors, 1, 16);

    /// <summary>
    /// For a dialect whose writers wait for one another (<see cref="IReconSqlDialect.KeySampleSql"/>): the bounds of pass
    /// 1's key ranges, one range per processor up to <c>Reconciliation:Pass1Partitions</c> (the ranges are CPU-bound
    /// reads), at equal steps of the key sample. None: one statement.
    /// </summary>
    private Task<IReadOnlyList<string>> KeySampleBoundsAsync(ReconciliationSqlGenerator gen, IReconSqlDialect dialect,
        CancellationToken ct) =>
        BoundsAsync(dialect.KeySampleSql(dialect.Table("payment_transactions"), gen.Definition.KeyColumn),
            Math.Min(Parts, Processors), ct);

    /// <summary>This machine's processors: the default number of key ranges, and the most a dialect whose writers wait
    /// reads at once (a test sets more than the machine has).</summary>
    internal int Processors { get; set; } = Environment.ProcessorCount;

    /// <summary>Pass 1 of such a dialect in key ranges (<see cref="KeySampleBoundsAsync"/>): its queries.</summary>
    internal async Task<IReadOnlyList<PassShare>> KeySampleSharesAsync(ReconciliationSqlGenerator gen,
        IReconSqlDialect dialect, IReadOnlyDictionary<string, object?> parameters, CancellationToken ct) =>
        RangeShares(await KeySampleBoundsAsync(gen, dialect, ct), gen.Pass1Select, parameters);

    /// <summary>
    /// <paramref name="ranges"/> − 1 values, at equal steps, of the ordered key sample <paramref name="sampleSql"/> returns
    /// (fewer when they repeat; none for one range, without a sample statement, or from fewer than two values).
    /// </summary>
    private async Task<IReadOnlyList<string>> BoundsAsync(string? sampleSql, int ranges, CancellationToken ct)
    {
        if (ranges <= 1 || sampleSql is null) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sample = await ReconSql.StringsAsync(db, sampleSql, ct);
        return sample.Count < 2
            ? []
            : Enumerable.Range(1, ranges - 1)
                .Select(q => sample[(int)((long)q * (sample.Count - 1) / ranges)])
                .Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// SQLite lets one connection write at a time, and an INSERT … SELECT writes from its first row to its last. So the
    /// shares of pass 1 (queries, <see cref="ReconciliationSqlGenerator.Pass1Select"/>) are read at once, each on its own
    /// connection (WAL: a reader waits for no writer), and one connection writes their rows as they arrive, in one
    /// transaction: a failure anywhere writes nothing. Returns the rows written.
    /// </summary>
    internal async Task<int> ReadInSharesWriteOnceAsync(IReadOnlyList<PassShare> shares, string insertSql, int columns,
        CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var rows = System.Threading.Channels.Channel.CreateBounded<object?[]>(
            new System.Threading.Channels.BoundedChannelOptions(4096) { SingleReader = true });
        Exception? readFailure = null; // the first share's failure (not the others' cancellation)
        async Task ReadShareAsync(PassShare share)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cts.Token);
                await ReconSql.ReadAsync(db, share.Sql, share.Parameters, row => rows.Writer.WriteAsync(row, cts.Token), cts.Token);
            }
            catch (Exception e)
            {
                if (!cts.IsCancellationRequested) Interlocked.CompareExchange(ref readFailure, e, null);
                await cts.CancelAsync(); // the other shares and the writer stop: the pass fails
            }
        }
        async Task ReadAllAsync()
        {
            await Task.WhenAll(shares.Select(share => Task.Run(() => ReadShareAsync(share), CancellationToken.None)));
            rows.Writer.TryComplete();
        }
        var reading = ReadAllAsync(); // never throws: a share records its failure and cancels the rest
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cts.Token);
            await ReconSql.OpenAsync(db, cts.Token);
            await using var tx = await db.Database.BeginTransactionAsync(cts.Token);
            await using var insert = await ReconSql.CommandAsync(db, insertSql,
                Enumerable.Range(0, columns).ToDictionary(i => "v" + i, _ => (object?)null), cts.Token);
            var values = Enumerable.Range(0, columns).Select(i => insert.Parameters["@v" + i]).ToArray();
            var written = 0;
            await foreach (var row in rows.Reader.ReadAllAsync(cts.Token))
            {
                for (var i = 0; i < columns; i++) values[i].Value = row[i] ?? DBNull.Value;
                written += await insert.ExecuteNonQueryAsync(cts.Token);
            }
            await reading;
            if (readFailure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
            ct.ThrowIfCancellationRequested();
            await tx.CommitAsync(ct);
            return written;
        }
        catch (Exception e)
        {
            await cts.CancelAsync();
            await reading;
            // A share's own failure, not the cancellation it caused.
            if (readFailure is not null && !ReferenceEquals(e, readFailure) && e is OperationCanceledException && !ct.IsCancellationRequested)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
            throw;
        }
    }

    /// <summary>A pass's statement once per hash share of the keys (<c>@part</c>); one share where the dialect
    /// cannot split a pass by hash.</summary>
    private IReadOnlyList<PassShare> HashShares(IReconSqlDialect dialect, Func<int, string> passSql,
        IReadOnlyDictionary<string, object?> parameters)
    {
        var parts = dialect.KeyPartition("k", 2) is null ? 1 : Parts;
        var sql = passSql(parts);
        return Enumerable.Range(0, parts)
            .Select(part => new PassShare(sql, new Dictionary<string, object?>(parameters) { ["part"] = part }))
            .ToList();
    }

    /// <summary>
    /// Pass 1 once per key range (<see cref="ReconJoinStrategy.OrderedMergeJoin"/>, <see cref="KeyRangeBoundsAsync"/>).
    /// </summary>
    internal async Task<IReadOnlyList<PassShare>> KeyRangeSharesAsync(ReconciliationSqlGenerator gen,
        IReconSqlDialect dialect, IReadOnlyDictionary<string, object?> parameters, CancellationToken ct) =>
        RangeShares(await KeyRangeBoundsAsync(gen, dialect, ct), gen.Pass1Insert, parameters);

    /// <summary>
    /// The boundaries of pass 1's key ranges: values of the transactions' key histogram at equal steps, so the ranges
    /// hold similar numbers of transactions. A table not yet analysed has no histogram and runs as one range (none).
    /// </summary>
    private Task<IReadOnlyList<string>> KeyRangeBoundsAsync(ReconciliationSqlGenerator gen, IReconSqlDialect dialect,
        CancellationToken ct) =>
        BoundsAsync(dialect.KeyHistogramSql(dialect.Table("payment_transactions"), gen.Definition.KeyColumn), Parts, ct);

    /// <summary>
    /// A pass's statement once per key range between <paramref name="bounds"/> (<c>@lo</c> ≤ key &lt; <c>@hi</c>; the
    /// first range has no lower bound, the last no upper one). Pass 2 of a full run uses pass 1's ranges: a range's
    /// pass-1 keys are what its pass-1 share found, so each share reads only its part of the items' index.
    /// </summary>
    private static IReadOnlyList<PassShare> RangeShares(IReadOnlyList<string> bounds, Func<KeyRange, string> passSql,
        IReadOnlyDictionary<string, object?> parameters, Func<KeyRange, string>? then = null) =>
        Enumerable.Range(0, bounds.Count + 1).Select(q =>
        {
            var p = new Dictionary<string, object?>(parameters);
            if (q > 0) p["lo"] = bounds[q - 1];
            if (q < bounds.Count) p["hi"] = bounds[q];
            var range = new KeyRange(q > 0, q < bounds.Count);
            return new PassShare(passSql(range), p, then?.Invoke(range));
        }).ToList();

    /// <summary>One statement of a pass and its parameters; <paramref name="Then"/>: a statement run next on the same
    /// connection with the same parameters (its rows are counted apart: <see cref="ShareRows.Then"/>).</summary>
    internal sealed record PassShare(string Sql, IReadOnlyDictionary<string, object?> Parameters, string? Then = null);

    /// <summary>The rows a pass's shares wrote, and those of their follow-up statements (<see cref="PassShare.Then"/>).</summary>
    private readonly record struct ShareRows(int Rows, int Then);

    /// <summary>
    /// Runs a pass's shares all at once, each on its own connection with the given session settings, then
    /// refreshes the run items' statistics unless <paramref name="refreshStatistics"/> is false; returns the rows inserted.
    /// </summary>
    private async Task<ShareRows> RunInSharesAsync(IReconSqlDialect dialect, IReadOnlyList<PassShare> shares,
        (string Set, string Reset)? settings, CancellationToken ct, bool refreshStatistics = true)
    {
        var counts = await Task.WhenAll(shares.Select(async share =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            return await RunShareAsync(db, share, settings, ct);
        }));
        if (refreshStatistics) await RefreshStatisticsAsync(dialect, ct);
        return new ShareRows(counts.Sum(c => c.Rows), counts.Sum(c => c.Then));
    }

    /// <summary>One share on <paramref name="db"/>'s connection, with the given session settings: its statement, then
    /// its follow-up (<see cref="PassShare.Then"/>).</summary>
    private static async Task<ShareRows> RunShareAsync(OpsDbContext db, PassShare share, (string Set, string Reset)? settings,
        CancellationToken ct)
    {
        var none = new Dictionary<string, object?>();
        if (settings is not null) await ReconSql.ExecuteAsync(db, settings.Value.Set, none, ct);
        var inserted = await ReconSql.ExecuteAsync(db, share.Sql, share.Parameters, ct);
        var then = share.Then is null ? 0 : await ReconSql.ExecuteAsync(db, share.Then, share.Parameters, ct);
        if (settings is not null) await ReconSql.ExecuteAsync(db, settings.Value.Reset, none, ct);
        return new ShareRows(inserted, then);
    }

    /// <summary>
    /// Both passes range by range, without a settle delay between them: each range's pass 1 (<paramref name="pass1"/>),
    /// then its pass 2 and follow-up (<paramref name="pass2"/>, the same ranges in the same order) on the range's own
    /// connection, all ranges at once. <paramref name="pass1Done"/> runs once, with the pass-1 rows, when every range's
    /// pass 1 is done (a range's pass 2 reads only its range's pass-1 items, so it need not wait for the others').
    /// Returns the pass-1 rows and the follow-ups' rows.
    /// </summary>
    private async Task<ShareRows> PipelinedRangesAsync(IReconSqlDialect dialect, IReadOnlyList<PassShare> pass1,
        IReadOnlyList<PassShare> pass2, Func<int, Task> pass1Done, CancellationToken ct)
    {
        var remaining = pass1.Count;
        var differing = 0;
        Task? moved = null;
        int[] then;
        try
        {
            then = await Task.WhenAll(pass1.Zip(pass2).Select(async shares =>
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                Interlocked.Add(ref differing, (await RunShareAsync(db, shares.First, dialect.Pass1Settings, ct)).Rows);
                if (Interlocked.Decrement(ref remaining) == 0) moved = pass1Done(Volatile.Read(ref differing));
                return (await RunShareAsync(db, shares.Second, dialect.KeyLookupSettings, ct)).Then;
            }));
        }
        catch
        {
            // A range failed: the move to PASS2 (if started) ends before the run is marked failed, and the pass's own
            // error is the one that surfaces.
            if (moved is not null) await Task.WhenAny(moved);
            throw;
        }
        if (moved is not null) await moved;
        return new ShareRows(differing, then.Sum());
    }

    private async Task RefreshStatisticsAsync(IReconSqlDialect dialect, CancellationToken ct)
    {
        // Only the columns the passes and the persistence filter on: the key's statistics cost three times as
        // much to gather and the plans do not need them.
        if (dialect.RefreshStatistics(dialect.Table("recon_run_items"), "run_id", "pass") is not { } sql) return;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ReconSql.ExecuteAsync(db, sql, new Dictionary<string, object?>(), ct);
    }

    /// <summary>Runs <paramref name="start"/>'s task and how long it took.</summary>
    private static async Task<(T Result, long Ms)> TimedAsync<T>(Func<Task<T>> start)
    {
        var sw = Stopwatch.StartNew();
        var result = await start();
        return (result, sw.ElapsedMilliseconds);
    }

    private sealed record PersistTotals(int Confirmed, int Transient, long Amount, int AutoResolved);

    private async Task<PersistTotals> PersistAsync(long runId, DateOnly date, string pg, ReconciliationSqlGenerator gen,
        IReconSqlDialect dialect, RunPlan plan, PassesResult passes, CancellationToken ct)
    {
        var carry = plan.CarryFrom is not null;
        var ps = new Dictionary<string, object?>
        {
            ["run"] = runId,
            ["pg"] = pg,
            ["date"] = dialect.DateValue(date),
            ["now"] = dialect.InstantValue(clock.GetUtcNow()),
            ["base"] = plan.CarryFrom ?? 0L,
        };
        // A full run that carries writes the findings of its keys only: the claimed ones and those whose items differ
        // from its base's (an incremental run's items are those of its keys already). On PostgreSQL the items are compared
        // in pass 1's key ranges at once, each on its own connection (no ranges: one statement over every key); the keys
        // are committed before the findings are written, as claimed keys are: should the run fail, the next run of the
        // date takes them (ClaimSql).
        var changed = 0;
        if (plan.FullCarry)
            changed = passes.Changed ?? (await RunInSharesAsync(dialect, RangeShares(passes.KeyRanges ?? [], gen.InsertChangedKeys, ps),
                dialect.KeyLookupSettings, ct, refreshStatistics: false)).Rows;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await ReconSql.OpenAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // PostgreSQL: findings, last-seen rows, sightings and the run's totals in one statement.
        var sightings = 0;
        if (dialect is PostgresReconDialect)
            sightings = await ReconSql.ExecuteAsync(db, gen.UpsertFindingsAndSightings(withTotals: !carry, onlyRunKeys: plan.FullCarry), ps, ct);
        else
        {
            await ReconSql.ExecuteAsync(db, gen.UpsertFindings(onlyRunKeys: plan.FullCarry), ps, ct);
            await ReconSql.ExecuteAsync(db, gen.MarkMovedFindings(onlyRunKeys: plan.FullCarry), ps, ct);
            await ReconSql.ExecuteAsync(db, gen.UpsertLastSeen(onlyRunKeys: plan.FullCarry), ps, ct);
            sightings = await ReconSql.ExecuteAsync(db, gen.InsertSightings(), ps, ct);
        }
        // A run that carries: the findings of the keys that are not its own, as the date's last successful run left them —
        // the run records the run it carried them from, and writes no row of theirs (MarkCarried); its totals are the
        // base's, adjusted by its keys.
        if (plan.CarryFrom is { } carryBase)
        {
            await ReconSql.ExecuteAsync(db, gen.MarkCarried(), ps, ct);
            await ReconSql.ExecuteAsync(db, gen.InsertCarriedTotals(), ps, ct);
            _log.LogInformation(
                "Reconciliation run {RunId}: {Sightings} finding(s) written{Changed}; the findings of the other keys carried forward from run {Base}",
                runId, sightings, plan.FullCarry ? $" ({changed} key(s) whose run items changed, besides the claimed ones)" : "", carryBase);
        }
        else if (dialect is not PostgresReconDialect)
            await ReconSql.ExecuteAsync(db, gen.InsertTotals(), ps, ct);
        var autoResolved = await ReconSql.ExecuteAsync(db, gen.AutoResolveUnseen(onlyRunKeys: carry), ps, ct);
        await tx.CommitAsync(ct);
        await RefreshSightingStatisticsAsync(db, dialect, runId, sightings, ct);

        var totals = await db.Set<ReconRunTotal>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync(ct);
        return new PersistTotals(totals.Sum(t => t.ConfirmedCount), totals.Sum(t => t.TransientCount),
            totals.Sum(t => t.ConfirmedAmount), autoResolved);
    }

    /// <summary>
    /// The Slack summary, <c>reconcile --json</c> and the grid's run filter ask next which findings this run saw. When
    /// the sightings' statistics do not count them, PostgreSQL expects one sighting of the run and probes the findings once
    /// per sighting: the summary's five largest took 68–80 ms at 1M instead of 0.4 ms. So, as autovacuum would later, the
    /// run samples the sightings (at the small target) when the table was never analysed or the run's own sightings are a
    /// tenth of its estimated rows; a run that wrote few (an incremental one) leaves the statistics, where its run id is
    /// estimated from the other runs', as they are. PostgreSQL only: SQLite plans these queries without statistics.
    /// The run's findings are committed by then: a failure here is logged and does not fail the run.
    /// </summary>
    private async Task RefreshSightingStatisticsAsync(OpsDbContext db, IReconSqlDialect dialect, long runId, int written,
        CancellationToken ct)
    {
        var table = dialect.Table("recon_finding_sightings");
        if (dialect.RefreshStatistics(table, "finding_id", "run_id", "verdict") is not { } analyze
            || dialect.RowEstimateSql(table) is not { } estimateSql)
            return;
        try
        {
            var none = new Dictionary<string, object?>();
            var estimate = await ReconSql.ScalarAsync(db, estimateSql, none, ct);
            if (estimate < 0 || written * 10L >= estimate)
                await ReconSql.ExecuteAsync(db, analyze, none, ct);
        }
        catch (System.Data.Common.DbException e)
        {
            _log.LogWarning(e, "Reconciliation run {RunId}: the sightings' statistics could not be refreshed; the run is unaffected", runId);
        }
    }

    /// <summary>The run and its largest confirmed findings, for alerts and reports.</summary>
    public async Task<ReconRunSummary> SummaryAsync(ReconRun run, CancellationToken cancellationToken = default,
        int largest = 5)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var seen = await RunSightings.SeenByRunAsync(db, run.Id, cancellationToken);
        var top = await db.Set<Finding>().AsNoTracking()
            .Where(f => seen.Any(s => s.FindingId == f.Id && s.Verdict == FindingVerdict.CONFIRMED))
            .OrderByDescending(f => f.MoneyAtRisk).ThenBy(f => f.Id)
            .Take(largest).ToListAsync(cancellationToken);
        return new ReconRunSummary(run, top);
    }

    private async Task<IReconSqlDialect> DialectAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return ReconSql.DialectFor(db.Provider);
    }

    /// <summary>Moves the run to <paramref name="phase"/>, with <paramref name="record"/>'s changes (the finished
    /// phase's figures) in the same update.</summary>
    private async Task MoveAsync(long runId, DateOnly date, RunPhase phase, int percent,
        IProgress<RunProgress>? progress, CancellationToken ct, Action<ReconRun>? record = null)
    {
        string pg = "";
        await UpdateRunAsync(runId, r =>
        {
            record?.Invoke(r);
            r.MoveTo(phase, percent, clock.GetUtcNow());
            pg = r.Pg;
        }, ct);
        progress?.Report(new RunProgress(runId, date, phase, percent, pg));
    }

    private async Task UpdateRunAsync(long runId, Action<ReconRun> change, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await db.Set<ReconRun>().FirstAsync(r => r.Id == runId, ct);
        change(run);
        await db.SaveChangesAsync(ct);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}

/// <summary>The runs of <see cref="ReconciliationService.RunEachPgAsync"/>, and why a PG's run did not start (another of
/// its runs of the date was running).</summary>
public sealed record PgRunsResult(IReadOnlyList<ReconRun> Runs, IReadOnlyList<string> Skipped);

/// <summary>A run started in the background, and its PG connection.</summary>
public sealed record StartedRun(long RunId, string Pg);

/// <summary>A finished run with its largest confirmed findings (what the Slack summary shows).</summary>
public sealed record ReconRunSummary(ReconRun Run, IReadOnlyList<Finding> LargestFindings);
