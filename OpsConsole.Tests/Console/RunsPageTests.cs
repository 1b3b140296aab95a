using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Runs;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public sealed class RunsPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly ReconciliationService _engine;
    private readonly SqliteTestDatabase _database;
    private readonly AlertOptions _alerts = new();

    public RunsPageTests(SqliteTestDatabase database)
    {
        _database = database;
        // A settle delay between the passes keeps the run RUNNING long enough to watch it progress.
        _engine = new ReconciliationService(database.Factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.FromSeconds(3) }), TimeProvider.System);
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton(_engine);
        Services.AddSingleton(new SettlementImporter(database.Factory, TimeProvider.System));
        Services.AddSingleton(new SettlementProfileStore(new DatabaseOptions { DataDirectory = Path.GetTempPath() }));
        var cashProfiles = new Core.Cash.BankProfileStore(new DatabaseOptions { DataDirectory = Path.GetTempPath() });
        Services.AddSingleton(new Core.Cash.BankStatementImporter(database.Factory, TimeProvider.System,
            Options.Create(new Core.Cash.CashOptions()), cashProfiles));
        Services.AddSingleton(cashProfiles);
        Services.AddScoped<ConsoleUser>();
        Services.AddSingleton(Options.Create(_alerts));
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
    }

    [Fact]
    public async Task ARunningRun_ShowsProgress_AndThePageFollowsItToTheEnd()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var date = new DateOnly(2026, 9, 1);
        // A payment the PG never reports: pass 1 finds it, so the run waits the settle delay before pass 2.
        await TraceSeed.PaymentWithHistoryAsync(_database.Factory, startedAt: BusinessCalendar.StartOfDayUtc(date).AddHours(3));
        var runId = await _engine.StartAsync(date, "oncall");

        var cut = Render<RunsPage>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"#run-{runId}[data-status=RUNNING] .mud-progress-linear")));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"#run-{runId}[data-status=SUCCEEDED]")), TimeSpan.FromSeconds(30));
        await _engine.WhenBackgroundIdleAsync();
    }

    [Fact]
    public async Task RunNow_IsDisabledWhileThatDateRuns_AndTheSettleDelayCountsDown_InKst()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var date = new DateOnly(2026, 9, 2);
        await TraceSeed.PaymentWithHistoryAsync(_database.Factory, startedAt: BusinessCalendar.StartOfDayUtc(date).AddHours(4));
        Services.GetRequiredService<NavigationManager>().NavigateTo($"runs?date={date:yyyy-MM-dd}");
        var runId = await _engine.StartAsync(date, "oncall");

        var cut = Render<RunsPage>();

        // While the run waits its 3 s settle delay: Run now is off for that date, and the wait counts down.
        cut.WaitForAssertion(() => Assert.Contains("recheck in 0:0", cut.Find($"#run-{runId} .run-phase").TextContent),
            TimeSpan.FromSeconds(30));
        Assert.True(cut.Find("button#run-now").HasAttribute("disabled"));
        Assert.Contains($"Run #{runId} of {date:yyyy-MM-dd} is running", cut.Find("#run-now-busy").TextContent);
        Assert.Contains("KST", cut.Find("#runs-table thead").TextContent);
        // When it ends, Run now is back.
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"#run-{runId}[data-status=SUCCEEDED]")), TimeSpan.FromSeconds(30));
        cut.WaitForAssertion(() => Assert.False(cut.Find("button#run-now").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        Assert.Empty(cut.FindAll("#run-now-busy"));
        await _engine.WhenBackgroundIdleAsync();
    }

    [Fact]
    public async Task AlertColumn_SaysOff_WithoutASlackWebhook_AndFailed_WhenOneIsConfiguredButDeliveryFailed()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var date = new DateOnly(2026, 9, 3);
        await TraceSeed.PaymentWithHistoryAsync(_database.Factory, startedAt: BusinessCalendar.StartOfDayUtc(date).AddHours(4));
        // The Slack sink answers "not delivered" both when it is off and when every attempt failed.
        var run = await new ReconciliationService(_database.Factory, Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }),
            TimeProvider.System, alerts: new UndeliveredAlerts()).RunAsync(date, Core.Reconciliation.RunTrigger.CLI, "oncall");
        Assert.False(run.AlertDelivered);

        var off = Render<RunsPage>();
        off.WaitForAssertion(() => Assert.Equal("off", off.Find($"#run-{run.Id} .run-alert").TextContent.Trim()), TimeSpan.FromSeconds(10));

        _alerts.SlackWebhookUrl = "https://hooks.slack.invalid/services/T0/B0/x";
        var failed = Render<RunsPage>();
        failed.WaitForAssertion(() => Assert.Equal("failed", failed.Find($"#run-{run.Id} .run-alert").TextContent.Trim()), TimeSpan.FromSeconds(10));
    }

    private sealed class UndeliveredAlerts : IReconAlertSink
    {
        public Task<bool> SendRunSummaryAsync(ReconRunSummary summary, CancellationToken cancellationToken = default) =>
            Task.FromResult(false);

        public Task<bool> SendTextAsync(string text, CancellationToken cancellationToken = default) => Task.FromResult(false);
    }

    [Fact]
    public async Task TheRunsTable_SaysWhetherARunComparedTheWholeDayOrOnlyTheChangedKeys()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var date = new DateOnly(2026, 9, 20);
        await TraceSeed.PaymentWithHistoryAsync(_database.Factory, startedAt: BusinessCalendar.StartOfDayUtc(date).AddHours(3));
        var full = await _engine.RunAsync(date, Core.Reconciliation.RunTrigger.CLI, "oncall", settleDelay: TimeSpan.Zero);
        // A late PG line for a transaction we never had: one changed key.
        await Reconciliation.Ledger.AddLinesAsync(_database.Factory,
        [
            new Reconciliation.ExternalLine("late-tx-runs-page", "late-pay-runs-page", "late-order-runs-page",
                Core.Payments.PaymentMethod.CARD, 5000, 125, date, BusinessCalendar.StartOfDayUtc(date).AddHours(5)),
        ]);
        var incremental = await _engine.RunAsync(date, Core.Reconciliation.RunTrigger.CLI, "oncall", settleDelay: TimeSpan.Zero);

        var cut = Render<RunsPage>();

        cut.WaitForAssertion(() => Assert.Equal("full day", cut.Find($"#run-{full.Id} .run-scope").TextContent.Trim()));
        // The late key only: the full run's open finding, whose key did not change, is carried forward, not compared again.
        Assert.Equal("incremental · 1 key", cut.Find($"#run-{incremental.Id} .run-scope").TextContent.Trim());
    }

    [Fact]
    public void Finance_SeesRunNowDisabledWithTheReason_ButMayImport()
    {
        SignInAs("finance", ConsoleRoles.Finance);

        var cut = Render<RunsPage>();

        Assert.True(cut.Find("button#run-now").HasAttribute("disabled"));
        Assert.Equal(ConsoleActions.RunReconciliation.DeniedReason, cut.Find("#run-now-reason").TextContent.Trim());
        Assert.False(cut.Find("button#settlement-upload-button").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Finance_UploadsACorrectedFile_AndSeesWhichEarlierLinesItSuperseded()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        const string header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n";
        await Services.GetRequiredService<SettlementImporter>().ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(header +
            "pay-up,tx-up,order-up,CARD,10000,250,9091,909,9750,2026-08-01T10:00:00+09:00,2026-08-01,2026-08-03\n")), "first.csv", "finance");
        var cut = Render<RunsPage>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(header +
            "pay-up,tx-up,order-up,CARD,9000,225,8182,818,8775,2026-08-01T10:00:00+09:00,2026-08-01,2026-08-03\n", "corrected.csv"));
        // The preview first: nothing stored until Import.
        cut.WaitForAssertion(() => Assert.Equal("replaces 1 line of 2026-08-01 with 1 line",
            cut.Find("tr.import-preview-date td:last-child").TextContent.Trim()));
        cut.Find("button#import-commit").Click();

        cut.WaitForAssertion(() => Assert.Equal("corrected.csv: imported 1 line (superseding 1 earlier line of 2026-08-01).",
            cut.Find("#import-result .mud-alert-message").TextContent.Trim()));
    }

    [Fact]
    public async Task TheServerSideCheck_RefusesFinance_EvenWithoutTheButton()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var user = Services.GetRequiredService<ConsoleUser>();

        var refused = await Assert.ThrowsAsync<DomainException>(() => user.RequireAsync(ConsoleActions.RunReconciliation));

        Assert.Equal(403, refused.HttpStatus);
        Assert.Equal("finance", await user.RequireAsync(ConsoleActions.WorkFindings));
    }
}
