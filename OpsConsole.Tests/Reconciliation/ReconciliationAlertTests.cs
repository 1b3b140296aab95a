using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

public sealed class ReconciliationAlertTests(SqliteTestDatabase db) : IClassFixture<SqliteTestDatabase>, IAsyncLifetime
{
    private static readonly DateOnly D = ReconTestSupport.Date;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private static SlackAlertSink Sink(string url, int attempts = 4)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(SlackAlertSink.HttpClientName);
        var factory = services.BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        return new SlackAlertSink(factory, Options.Create(new AlertOptions
        {
            SlackWebhookUrl = url,
            ConsoleBaseUrl = "https://ops.example.com",
            MaxAttempts = attempts,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(5),
        }), TimeProvider.System, NullLogger<SlackAlertSink>.Instance);
    }

    private async Task SeedMismatchAsync()
    {
        var at = BusinessCalendar.StartOfDayUtc(D).AddHours(5);
        var ledger = new Ledger();
        ledger.Payments.Add(new LedgerPayment("pay-alert", "order-alert", 50_000, PaymentMethod.CARD, PaymentStatus.DONE,
            [new InternalTx("tx-alert", "pay-alert", "order-alert", TransactionKind.APPROVAL, 50_000, PaymentMethod.CARD, at)]));
        ledger.Lines.Add(new ExternalLine("tx-alert", "pay-alert", "order-alert", PaymentMethod.CARD, 55_000, 1_375, D, at));
        await ledger.SaveAsync(db.Factory);
    }

    [Fact]
    public async Task Run_WithConfirmedFindings_PostsSummaryToSlack_RetryingAfterFailures()
    {
        await SeedMismatchAsync();
        await using var slack = await SlackReceiver.StartAsync(failFirst: 2);

        var run = await ReconTestSupport.Service(db.Factory, Sink(slack.Url)).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.True(run.AlertDelivered);
        Assert.Equal(3, slack.Posts);
        var text = Assert.Single(slack.Delivered);
        Assert.Contains("2026-03-15", text);
        Assert.Contains("AMOUNT_MISMATCH: 1", text);
        Assert.Contains("5,000 KRW", text);
        Assert.Contains("tx-alert", text);
        Assert.Contains("https://ops.example.com/discrepancies?date=2026-03-15", text);
    }

    [Fact]
    public async Task Run_WhenSlackKeepsFailing_StillSucceeds()
    {
        await SeedMismatchAsync();
        await using var slack = await SlackReceiver.StartAsync(failFirst: int.MaxValue);

        var run = await ReconTestSupport.Service(db.Factory, Sink(slack.Url, attempts: 3)).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.False(run.AlertDelivered);
        Assert.Equal(3, slack.Posts);
    }

    [Fact]
    public async Task Run_WhenSlackIsUnreachable_StillSucceeds()
    {
        await SeedMismatchAsync();

        var run = await ReconTestSupport.Service(db.Factory, Sink("http://127.0.0.1:1/hook", attempts: 2))
            .RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.False(run.AlertDelivered);
    }

    [Fact]
    public async Task Run_WithoutConfirmedFindings_DoesNotAlert()
    {
        await using var slack = await SlackReceiver.StartAsync(failFirst: 0);

        var run = await ReconTestSupport.Service(db.Factory, Sink(slack.Url)).RunAsync(D, RunTrigger.CLI, "tester");

        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        Assert.Null(run.AlertDelivered);
        Assert.Equal(0, slack.Posts);
    }
}
