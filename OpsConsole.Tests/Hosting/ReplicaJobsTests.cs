using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Hosting;

/// <summary>
/// Two replicas as real processes (<c>dotnet OpsConsole.dll</c>) on one PostgreSQL, jobs on with short intervals:
/// a job runs in one replica at a time (no double PG call, no double delivery), and a replica killed with kill -9
/// in the middle of a job leaves nothing the other cannot finish. Each step waits on what can be observed (the
/// PG's and the webhook's requests, the database, the other replica's log), never on a fixed sleep.
/// </summary>
public sealed class ReplicaJobsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly PostgresTestDatabase _db = new();
    private HoldingReceiver _outside = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        _outside = await HoldingReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _outside.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Dictionary<string, string?> Settings => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:OpsConsole"] = _db.ConnectionString,
        ["Database:MigrateOnStart"] = "false",
        ["Jobs:Enabled"] = "true",
        ["Janitor:Interval"] = "00:00:00.200",
        ["Outbox:Interval"] = "00:00:00.200",
        ["Outbox:WebhookUrl"] = _outside.HookUrl,
        ["Outbox:Timeout"] = "00:05:00", // a held delivery stays one delivery
        ["Pg:BaseUrl"] = _outside.PgUrl,
        ["Pg:AttemptTimeout"] = "00:05:00", // a held request stays one request: no retry while the test holds it
        ["Pg:TotalTimeout"] = "00:10:00",
        ["Sandbox:Enabled"] = "false",
        ["Demo:Enabled"] = "false",
        ["Reconciliation:ScheduleEnabled"] = "false",
        ["Logging:LogLevel:OpsConsole.Hosting"] = "Debug",
    };

    [Fact]
    public async Task Janitor_InTwoReplicas_LooksUpOnce_AndWhenTheOneMidRunIsKilled_TheOtherFinishes()
    {
        var key = await UnknownPaymentAsync();
        _outside.Hold();

        await using var first = await AppProcess.StartAsync(Settings);
        await first.WaitUntilAsync(() => Task.FromResult(_outside.Lookups.GetValueOrDefault(key) == 1), Deadline,
            "the first replica's janitor asks the PG (and waits: the PG holds the answer)");
        await using var second = await AppProcess.StartAsync(Settings);
        await second.WaitUntilAsync(() => Task.FromResult(Skips(second, "Janitor") >= 3 || _outside.Lookups.GetValueOrDefault(key) > 1),
            Deadline, "the second replica's janitor ticks and skips while the first runs");
        Assert.Equal(1, _outside.Lookups.GetValueOrDefault(key)); // no second look-up of the same payment

        first.Kill(); // kill -9 with the janitor's lock held and its PG call in flight
        await second.WaitUntilAsync(() => Task.FromResult(_outside.Aborted == 1), Deadline, "the PG sees the first replica gone");
        _outside.Release();
        await second.WaitUntilAsync(async () => await StatusAsync(key) == PaymentStatus.DONE, Deadline,
            "the second replica's janitor takes over and resolves the payment");

        Assert.Equal(2, _outside.Lookups.GetValueOrDefault(key)); // the dead replica's and the survivor's
        await using var db = await _db.Factory.CreateDbContextAsync();
        Assert.Single(await db.PaymentTransactions.Where(t => t.PaymentKey == key).ToListAsync());
    }

    [Fact]
    public async Task Outbox_InTwoReplicas_DeliversEachMessageOnce_AndWhenTheOneMidRunIsKilled_TheOtherDelivers()
    {
        var ids = await OutboxMessagesAsync(3);
        _outside.Hold();

        await using var first = await AppProcess.StartAsync(Settings);
        await first.WaitUntilAsync(() => Task.FromResult(_outside.Posted.Count == 1), Deadline,
            "the first replica's dispatcher posts the first message (the webhook holds it)");
        await using var second = await AppProcess.StartAsync(Settings);
        await second.WaitUntilAsync(() => Task.FromResult(Skips(second, "Outbox") >= 3 || _outside.Posted.Values.Sum() > 1),
            Deadline, "the second replica's dispatcher ticks and skips while the first delivers");
        Assert.Equal(1, _outside.Posted.Values.Sum()); // nobody else sent the same unsent rows

        first.Kill(); // kill -9 with the outbox lock held and a delivery in flight
        await second.WaitUntilAsync(() => Task.FromResult(_outside.Aborted == 1), Deadline, "the webhook sees the first replica gone");
        _outside.Release();
        await second.WaitUntilAsync(async () => await UnsentAsync() == 0, Deadline, "the second replica delivers every message");

        Assert.Equal(ids.Order(), _outside.Delivered.Keys.Order());
        Assert.All(_outside.Delivered.Values, n => Assert.Equal(1, n)); // each answered once: no double alert
    }

    [Fact]
    public async Task ScheduledRun_InTwoReplicas_RunsOnce_AndWhenTheOneMidRunIsKilled_TheOtherFinishesTheDate()
    {
        _outside.Hold();
        // Both replicas fire at the same instant, a minute from now (time enough for both to start).
        var fireAt = DateTimeOffset.UtcNow.AddSeconds(60).ToOffset(BusinessCalendar.KstOffset);
        var date = ReconciliationScheduler.BusinessDateFor(fireAt);
        await DisagreeingPaymentAsync(date); // the PG settles another amount: a confirmed finding, so the run alerts Slack
        var settings = Settings;
        settings["Alerts:SlackWebhookUrl"] = _outside.SlackUrl;
        settings["Reconciliation:ScheduleEnabled"] = "true";
        settings["Reconciliation:ScheduleKst"] = fireAt.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        settings["Reconciliation:ScheduleRetryInterval"] = "00:00:00.300";
        settings["Reconciliation:SettleDelay"] = "00:00:00";
        settings["Logging:LogLevel:OpsConsole.Core.Reconciliation"] = "Information";

        await using var a = await AppProcess.StartAsync(settings);
        await using var b = await AppProcess.StartAsync(settings);
        await a.WaitUntilAsync(() => Task.FromResult(
                _outside.SettlementPulls.Values.Sum() > 1 || (_outside.SettlementPulls.Count == 1 && Waits(a) + Waits(b) >= 3)),
            TimeSpan.FromSeconds(150), "one replica's scheduled run pulls the PG's settlements (held), the other waits for it");
        Assert.Equal(1, _outside.SettlementPulls.Values.Sum()); // one pull: the other replica did not run the date too
        var (waiting, running) = Waits(a) > 0 ? (a, b) : (b, a);
        Assert.Equal(0, Waits(running));

        running.Kill(); // kill -9 in the middle of the scheduled run, its RUNNING row and the date's lock held
        await waiting.WaitUntilAsync(() => Task.FromResult(_outside.Aborted == 1), Deadline, "the PG sees the running replica gone");
        _outside.Release();
        await waiting.WaitUntilAsync(async () => (await RunsAsync(date)).Any(r => r.Status == RunStatus.SUCCEEDED && r.AlertDelivered is not null),
            Deadline, "the waiting replica takes the date over, reconciles it and alerts");

        var runs = await RunsAsync(date);
        Assert.All(runs, r => Assert.Equal(RunTrigger.SCHEDULE, r.Trigger));
        Assert.Single(runs, r => r.Status == RunStatus.SUCCEEDED);
        Assert.Single(runs, r => r.Status == RunStatus.FAILED && r.Error!.StartsWith("Abandoned", StringComparison.Ordinal));
        Assert.Equal(2, runs.Count);
        Assert.All(_outside.SettlementPullsAnswered.Values, n => Assert.Equal(1, n)); // nothing pulled twice
        Assert.Equal(1, Assert.Single(runs, r => r.Status == RunStatus.SUCCEEDED).ConfirmedCount);
        Assert.Equal(1, _outside.SlackPosts); // one alert for the date
    }

    private async Task DisagreeingPaymentAsync(DateOnly date)
    {
        var key = $"pay_sched_{Guid.NewGuid():N}";
        var order = $"order-{key}"[..40];
        var at = new DateTimeOffset(date.ToDateTime(new TimeOnly(12, 0)), BusinessCalendar.KstOffset);
        var p = Payment.StartConfirm(key, order, 10_000, "KRW", "", at.ToUniversalTime(), Core.Gateway.PgConnections.LegacyName);
        p.MarkApproved($"tx_{key}", PaymentMethod.CARD, at.ToUniversalTime(), at.ToUniversalTime());
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            db.Payments.Add(p);
            await db.SaveChangesAsync();
        }
        _outside.SettlementLines.Add(new Core.Gateway.TossSettlement(key, $"tx_{key}", order, "카드", 9_000, 225, 205, 20, 8_775,
            at, date, date.AddDays(2)));
    }

    private static int Waits(AppProcess app) =>
        app.Output.Split('\n').Count(l => l.Contains("another replica runs it; trying again later", StringComparison.Ordinal));

    private async Task<List<ReconRun>> RunsAsync(DateOnly date)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        return await db.Set<ReconRun>().AsNoTracking().Where(r => r.BusinessDate == date).ToListAsync();
    }

    private static int Skips(AppProcess app, string job) =>
        app.Output.Split('\n').Count(l => l.Contains($"{job}: another replica runs it; tick skipped", StringComparison.Ordinal));

    private async Task<string> UnknownPaymentAsync()
    {
        var key = $"pay_replica_{Guid.NewGuid():N}";
        var now = DateTimeOffset.UtcNow;
        var p = Payment.StartConfirm(key, $"order-{key}"[..40], 10_000, "KRW", "", now.AddMinutes(-10), Core.Gateway.PgConnections.LegacyName);
        p.MarkUnknown("the answer was lost", now.AddSeconds(-1), now.AddMinutes(-10));
        await using var db = await _db.Factory.CreateDbContextAsync();
        db.Payments.Add(p);
        await db.SaveChangesAsync();
        return key;
    }

    private async Task<PaymentStatus> StatusAsync(string key)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        return await db.Payments.Where(p => p.PaymentKey == key).Select(p => p.Status).SingleAsync();
    }

    private async Task<List<long>> OutboxMessagesAsync(int count)
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        var messages = Enumerable.Range(1, count)
            .Select(i => OutboxMessage.Create("payment.approved", $"pay_{i}", $$"""{"n":{{i}}}""", "", DateTimeOffset.UtcNow)).ToList();
        db.OutboxMessages.AddRange(messages);
        await db.SaveChangesAsync();
        return messages.Select(m => m.Id).ToList();
    }

    private async Task<int> UnsentAsync()
    {
        await using var db = await _db.Factory.CreateDbContextAsync();
        return await db.OutboxMessages.CountAsync(m => m.SentAt == null);
    }
}
