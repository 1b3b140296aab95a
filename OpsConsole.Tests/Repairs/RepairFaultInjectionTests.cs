using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Repairs;

/// <summary>
/// Seeded random repairs through the real PG client against the sandbox PG, with lost answers, 5xx,
/// timeouts, a simulated crash after any committed step, racing approvers and racing executors. After a
/// "restart" (janitor + repair sweep), each scenario must satisfy: no payment cancelled twice at the PG,
/// refunded ≤ captured, ledger and PG agree, the repair's final state matches the PG, every step audited.
/// Fixed seeds in CI (<see cref="GateSeeds"/>); random ones in soak mode (OPSCONSOLE_REPAIR_SOAK=N scenarios);
/// replay one with OPSCONSOLE_REPAIR_SEED=&lt;seed&gt;.
/// </summary>
public abstract class RepairFaultInjectionTests<TDatabase>(RepairFaultInjectionFixture<TDatabase> fx, ITestOutputHelper output)
    where TDatabase : TestDatabase, new()
{
    /// <summary>At most this many scenarios of a seed on this database (PostgreSQL is slower).</summary>
    protected abstract int MaxScenarios { get; }

    private static readonly string?[] CancelFaults =
        [null, null, SandboxFaults.CancelTimeout, SandboxFaults.CancelThenTimeout, SandboxFaults.CancelServerError];

    private sealed record Scenario(int Index, bool ChargedButFailed, string? CancelFault, bool Partial, int CrashAfterSave,
        bool RaceApprovers, bool RaceExecutor, bool TrySelfApproval, bool PgRefuses = false);

    /// <summary>
    /// The gate CI runs: fixed seeds, so that every run checks the same scenarios. Every seed that ever failed stays
    /// here, with how many scenarios reach its failure (the 1,000 of the second give breadth). A new failing seed is added here.
    /// </summary>
    public static readonly IReadOnlyList<(int Seed, int Scenarios)> GateSeeds =
    [
        (1037553172, 242),  // scenario 241: CANCEL_THEN_TIMEOUT, partial; the PG applied the cancel after the janitor looked
        (1135524849, 1_000), // a PG look-up that could not be answered failed a repair instead of leaving it for the sweep
    ];

    /// <summary>
    /// <see cref="GateSeeds"/>; or, by command, <c>OPSCONSOLE_REPAIR_SOAK=N</c>: N scenarios under random seeds (1,000
    /// per seed, each seed in the test's name and output); or <c>OPSCONSOLE_REPAIR_SEED=S</c>: one seed replayed.
    /// </summary>
    public static TheoryData<int, int> Seeds()
    {
        var data = new TheoryData<int, int>();
        if (Environment.GetEnvironmentVariable("OPSCONSOLE_REPAIR_SEED") is { Length: > 0 } replay)
            data.Add(int.Parse(replay, System.Globalization.CultureInfo.InvariantCulture), 1_000);
        else if (Environment.GetEnvironmentVariable("OPSCONSOLE_REPAIR_SOAK") is { Length: > 0 } soak)
            for (var left = int.Parse(soak, System.Globalization.CultureInfo.InvariantCulture); left > 0; left -= 1_000)
                data.Add(Random.Shared.Next(), Math.Min(left, 1_000));
        else
            foreach (var (seed, scenarios) in GateSeeds)
                data.Add(seed, scenarios);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomRepairs_WithFaultsCrashesAndRaces_NeverMoveMoneyTwice(int seed, int scenarios)
    {
        var outcomes = await RunSeedAsync(seed, Math.Min(scenarios, MaxScenarios));
        if (scenarios >= 1_000)
            Assert.True(outcomes.GetValueOrDefault(RepairStatus.SUCCEEDED) > 0 && outcomes.GetValueOrDefault(RepairStatus.FAILED) > 0,
                "the scenarios should reach both outcomes");
    }

    private async Task<Dictionary<RepairStatus, int>> RunSeedAsync(int seed, int scenarios)
    {
        output.WriteLine($"seed {seed} ({scenarios} scenarios); re-run with OPSCONSOLE_REPAIR_SEED={seed}");
        System.Console.Error.WriteLine($"repair fault injection ({typeof(TDatabase).Name}): seed {seed}, {scenarios} scenarios");
        var rng = new Random(seed);
        var outcomes = new Dictionary<RepairStatus, int>();
        for (var i = 0; i < scenarios; i++)
        {
            var sc = new Scenario(i, rng.Next(3) == 0, CancelFaults[rng.Next(CancelFaults.Length)], rng.Next(2) == 0,
                rng.Next(3) == 0 ? 0 : rng.Next(1, 13), rng.Next(3) == 0, rng.Next(4) == 0, rng.Next(5) == 0);
            // A PG that refuses the cancel, drawn apart so that the seeds above keep their scenarios.
            sc = sc with { PgRefuses = sc.CancelFault is null && new Random(unchecked(seed * 397 + i)).Next(4) == 0 };
            try
            {
                var status = await RunAsync(sc, 1_000 + rng.Next(1, 1_000) * 10L);
                outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, {sc}: {e}");
            }
        }
        output.WriteLine(string.Join(", ", outcomes.Select(kv => $"{kv.Key} {kv.Value}")));
        return outcomes;
    }

    [Fact]
    public async Task Restart_WhenThePgAppliesTheCancelAfterOurClientGaveUp_BooksTheCancel()
    {
        // Seed 1037553172, scenario 241 under load: the PG got to the cancel only after our client had timed
        // out. Held here, the cancel waits until the harness lets the PG finish; RunAsync then checks that
        // the ledger and the PG agree.
        fx.PgRequests.HoldCancels();
        var status = await RunAsync(new Scenario(241, ChargedButFailed: false, SandboxFaults.CancelThenTimeout, Partial: true,
            CrashAfterSave: 0, RaceApprovers: false, RaceExecutor: false, TrySelfApproval: false), 5_490);
        Assert.Equal(RepairStatus.SUCCEEDED, status);
    }

    private async Task<RepairStatus> RunAsync(Scenario sc, long amount)
    {
        var host = fx.Host;
        var fault = string.Join(",", new[]
        {
            sc.ChargedButFailed ? SandboxFaults.DeclineAfterCharge : null, sc.CancelFault, sc.PgRefuses ? SandboxFaults.CancelDecline : null,
        }.OfType<string>());
        var (key, order, _) = await host.CheckoutAsync(amount, fault.Length > 0 ? fault : null);
        var confirmed = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        Assert.Equal(sc.ChargedButFailed ? PaymentStatus.ABORTED : PaymentStatus.DONE, confirmed.Status);

        // The process under test: its database writes can crash after the N-th commit; its PG client gives up fast.
        var crash = new CrashAfterCommit();
        var (payments, repairs) = Compose(new OpsDbContextFactory(fx.Database.Provider, fx.Database.ConnectionString, crash), ShortPg());
        var (_, requester) = Compose(fx.Database.Factory, host.Get<IPaymentGateway>());

        var refund = (await requester.PreviewAsync(key)).Options.Single(o => o.Kind == RepairKind.REFUND);
        Assert.True(refund.Allowed, refund.Why);
        var refundAmount = sc.Partial ? Math.Max(1, refund.MaxAmount / 3) : refund.MaxAmount;
        var request = await requester.RequestAsync(new RepairCommand(RepairKind.REFUND, key, null, refundAmount, refundAmount,
            "CUSTOMER_REQUEST", $"fault scenario {sc.Index}", "maker"), ["finance"]);

        if (sc.TrySelfApproval)
        {
            var e = await Assert.ThrowsAsync<DomainException>(() => repairs.ApproveAsync(request.Id, "maker", ["finance"]));
            Assert.Equal("SELF_APPROVAL", e.Code);
            Assert.Equal(RepairStatus.REQUESTED, (await repairs.GetAsync(request.Id)).Status);
        }

        crash.Arm(sc.CrashAfterSave);
        var work = new List<Task> { Swallow(() => repairs.ApproveAsync(request.Id, "checker-1", ["oncall"])) };
        if (sc.RaceApprovers) work.Add(Swallow(() => repairs.ApproveAsync(request.Id, "checker-2", ["finance"])));
        if (sc.RaceExecutor) work.Add(Swallow(() => repairs.ExecuteAsync(request.Id)));
        await Task.WhenAll(work);
        crash.Disarm();

        // Our client gives up after 150 ms; the PG does not. Under load it may apply a cancel after that, so
        // let it finish what it was sent before the clock below jumps hours ahead: a real PG would have long
        // before the janitor's PendingTimeout, and the janitor would otherwise take the cancel as never executed.
        await fx.PgRequests.SettleAsync();

        // Restart: a fresh process resumes whatever was interrupted, and the janitor asks the PG.
        var (restartedPayments, restarted) = Compose(fx.Database.Factory, host.Get<IPaymentGateway>());
        var janitor = ActivatorUtilities.CreateInstance<PaymentJanitor>(host.Services, fx.Database.Factory,
            host.Get<IPaymentGateway>(), restartedPayments);
        var final = await restarted.GetAsync(request.Id);
        try
        {
            for (var round = 1; round <= 8 && final.Status is not (RepairStatus.SUCCEEDED or RepairStatus.FAILED); round++)
            {
                host.Clock.Set(DateTimeOffset.UtcNow.AddHours(round));
                await janitor.RunOnceAsync();
                await restarted.SweepAsync();
                final = await restarted.GetAsync(request.Id);
            }
        }
        finally
        {
            host.Clock.Reset();
        }

        await fx.PgRequests.SettleAsync(); // compare with the PG at rest
        await CheckInvariantsAsync(key, amount, final);
        _ = payments;
        return final.Status;
    }

    private async Task CheckInvariantsAsync(string key, long captured, RepairRequest repair)
    {
        Assert.True(repair.Status is RepairStatus.SUCCEEDED or RepairStatus.FAILED, $"repair ended {repair.Status}: {repair.Outcome}");
        var atPg = (await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!;
        var pgCancels = atPg.Cancels ?? [];
        Assert.True(pgCancels.Count <= 1, $"the PG cancelled payment {key} {pgCancels.Count} times");
        Assert.True(pgCancels.Sum(c => c.CancelAmount) <= captured);

        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var ledger = await db.Payments.Include(p => p.Transactions).SingleAsync(p => p.PaymentKey == key);
        Assert.Equal(atPg.BalanceAmount, ledger.BalanceAmount);
        Assert.Equal(0, ledger.PendingCancelAmount);
        Assert.Equal(pgCancels.Select(c => c.TransactionKey).Order(),
            ledger.Transactions.Where(t => t.Kind == TransactionKind.CANCEL).Select(t => t.TransactionKey).Order());
        if (repair.Status == RepairStatus.SUCCEEDED)
            Assert.Equal(repair.Amount, Assert.Single(pgCancels).CancelAmount);
        else
            Assert.Empty(pgCancels);

        var actions = await db.AuditEntries.Where(a => a.TargetType == "repair" && a.TargetId == repair.Id.ToString())
            .Select(a => a.Action).ToListAsync();
        foreach (var step in new[] { "repair.request", "repair.approve", "repair.execute", $"repair.{repair.Status.ToString().ToLowerInvariant()}" })
            Assert.Contains(step, actions);
    }

    private (PaymentService, RepairService) Compose(OpsDbContextFactory factory, IPaymentGateway pg)
    {
        var sp = fx.Host.Services;
        var audit = new AuditLog(factory, fx.Host.Clock);
        var payments = ActivatorUtilities.CreateInstance<PaymentService>(sp, (IDbContextFactory<OpsDbContext>)factory, pg,
            new EventLog(factory), audit);
        var findings = ActivatorUtilities.CreateInstance<FindingService>(sp, (IDbContextFactory<OpsDbContext>)factory, audit);
        var repairs = ActivatorUtilities.CreateInstance<RepairService>(sp, (IDbContextFactory<OpsDbContext>)factory, payments, pg,
            findings, audit);
        return (payments, repairs);
    }

    /// <summary>The real HTTP client with a short timeout and no retries, so lost answers cost little.</summary>
    private IPaymentGateway ShortPg() => new TossPaymentsClient(new HttpClient { Timeout = TimeSpan.FromMilliseconds(150) },
        fx.Host.Get<PgEndpoint>(), Options.Create(new PgOptions { SecretKey = fx.Host.Get<IOptions<PgOptions>>().Value.SecretKey }),
        fx.Host.Get<ILogger<TossPaymentsClient>>());

    private static async Task Swallow(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (SimulatedCrashException)
        {
            // The process "died" here; the restart below picks up.
        }
        catch (DomainException e) when (e.Code is "REPAIR_CHANGED" or "ILLEGAL_TRANSITION")
        {
            // The losing side of a race is told so.
        }
        catch (DomainException e) when (e.Code is "PG_LOOKUP_FAILED")
        {
            // The PG could not be asked: the repair stays EXECUTING for the sweep.
        }
    }

    private sealed class SimulatedCrashException() : Exception("simulated crash after a commit");

    /// <summary>Throws once, right after the N-th successful commit: the work is durable, the process is gone.</summary>
    private sealed class CrashAfterCommit : SaveChangesInterceptor
    {
        private int _remaining;

        public void Arm(int afterCommits) => Volatile.Write(ref _remaining, afterCommits);

        public void Disarm() => Volatile.Write(ref _remaining, 0);

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref _remaining) > 0 && Interlocked.Decrement(ref _remaining) == 0 &&
                eventData.Context!.Database.CurrentTransaction is null)
                throw new SimulatedCrashException();
            return base.SavedChangesAsync(eventData, result, cancellationToken);
        }
    }
}

public sealed class RepairFaultInjectionSqliteTests(RepairFaultInjectionFixture<SqliteTestDatabase> fx, ITestOutputHelper output)
    : RepairFaultInjectionTests<SqliteTestDatabase>(fx, output), IClassFixture<RepairFaultInjectionFixture<SqliteTestDatabase>>
{
    protected override int MaxScenarios => 1_000;
}

public sealed class RepairFaultInjectionPostgresTests(RepairFaultInjectionFixture<PostgresTestDatabase> fx, ITestOutputHelper output)
    : RepairFaultInjectionTests<PostgresTestDatabase>(fx, output), IClassFixture<RepairFaultInjectionFixture<PostgresTestDatabase>>
{
    protected override int MaxScenarios => 250;
}
