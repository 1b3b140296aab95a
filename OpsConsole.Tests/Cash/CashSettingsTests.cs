using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.Payouts.PayoutTestSupport;

namespace OpsConsole.Tests.Cash;

/// <summary>Admin edits of the <c>Cash:*</c> settings: stored over the configuration, checked whole, audited, used by the next run.</summary>
public sealed class CashSettingsTests(SqliteTestDatabase db) : IClassFixture<SqliteTestDatabase>, IAsyncLifetime
{
    private static DateOnly D(int day) => new(2026, 3, day);

    private CashSettings Settings(CashOptions? options = null) =>
        new(db.Factory, Microsoft.Extensions.Options.Options.Create(options ?? Options()), new AuditLog(db.Factory, TimeProvider.System),
            TimeProvider.System);

    public async Task InitializeAsync()
    {
        await ClearAsync(db.Factory);
        await using var ctx = db.Factory.CreateDbContext();
        await ctx.Set<CashSettingRecord>().ExecuteDeleteAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<List<CashSettingRecord>> StoredAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.Set<CashSettingRecord>().AsNoTracking().ToListAsync();
    }

    private async Task<List<AuditEntry>> AuditAsync()
    {
        await using var ctx = db.Factory.CreateDbContext();
        return await ctx.AuditEntries.AsNoTracking().Where(a => a.TargetType == CashSettings.AuditTarget).OrderBy(a => a.Id).ToListAsync();
    }

    [Fact]
    public async Task EditedTolerance_IsUsedByTheNextPayoutRun()
    {
        await AddLinesAsync(db.Factory, [new("tosspay", D(5), D(9), PaymentMethod.TRANSFER, 10_000)]);
        await AddDepositsAsync(db.Factory, [new("kb-operating", D(9), 9_950, "토스페이먼츠")]);
        var service = Service(db.Factory, Options());
        await service.RunAsync(From, To, RunTrigger.CLI, "test");
        Assert.Contains(await FindingsAsync(db.Factory), f => f.Type == FindingType.PAYOUT_AMOUNT_MISMATCH && f.Status == FindingStatus.OPEN);

        await Settings().SaveAsync(CashSettings.ParseChange("Cash:AmountTolerance = 100"), "admin-park");
        await service.RunAsync(From, To, RunTrigger.CLI, "test");

        Assert.DoesNotContain(await FindingsAsync(db.Factory), f => f.Status == FindingStatus.OPEN);
    }

    [Fact]
    public async Task EditedContract_AndANewPgOnANewAccount_AreUsedByTheNextPayoutRun()
    {
        // nicepay has no CARD contract: a CARD line paid out the next business day is fine until D+3 is set.
        await AddLinesAsync(db.Factory,
        [
            new("nicepay", D(5), D(6), PaymentMethod.CARD, 10_000),
            new("kcp", D(5), D(9), PaymentMethod.CARD, 7_000),
        ]);
        await AddDepositsAsync(db.Factory, [new("shinhan", D(6), 10_000, "나이스페이"), new("woori", D(9), 7_000, "NHN KCP")]);

        await Settings().SaveAsync(CashSettings.ParseChange("""
            Pgs:nicepay:PayoutDays:card = D+3
            Accounts:woori:Number = 1002-333-444555
            Accounts:woori:Bank = 우리은행
            Pgs:kcp:Account = woori
            Pgs:kcp:Counterparty = KCP
            """), "admin-park");
        await Service(db.Factory, Options()).RunAsync(From, To, RunTrigger.CLI, "test");

        var findings = await FindingsAsync(db.Factory);
        Assert.Contains(findings, f => f.Type == FindingType.PAYOUT_DATE_OFF_CONTRACT && f.TransactionKey.Contains("nicepay", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.TransactionKey.Contains("kcp", StringComparison.Ordinal));
        Assert.Contains("woori", await new BankStatementImporter(db.Factory, TimeProvider.System,
            Microsoft.Extensions.Options.Options.Create(Options()), new BankProfileStore(new Core.Data.DatabaseOptions()))
            .AccountNamesAsync());
    }

    [Fact]
    public async Task BadChange_NamesEveryProblem_AndStoresNothing()
    {
        var settings = Settings();

        var e = await Assert.ThrowsAsync<DomainException>(() => settings.SaveAsync(CashSettings.ParseChange("""
            Pgs:tosspay:Account = nowhere
            DateWindowBusinessDays = -1
            Pgs:inicis:PayoutDays:CARD = D+x
            Accounts:kb-operating:Color = red
            AmountTolerance = 5
            """), "admin-park"));

        Assert.Equal("CASH_SETTINGS_INVALID", e.Code);
        Assert.Contains("D+x", e.Message);
        Assert.Contains("Color", e.Message);
        Assert.Empty(await StoredAsync());

        var e2 = await Assert.ThrowsAsync<DomainException>(() => settings.SaveAsync(CashSettings.ParseChange("""
            Pgs:tosspay:Account = nowhere
            DateWindowBusinessDays = -1
            AmountTolerance = 5
            """), "admin-park"));
        Assert.Contains("Cash:Pgs:tosspay:Account 'nowhere' is not a configured account", e2.Message);
        Assert.Contains("Cash:DateWindowBusinessDays must be 0..30", e2.Message);
        Assert.Empty(await StoredAsync());
        Assert.Empty(await AuditAsync());
    }

    [Fact]
    public async Task Changes_AreAuditedBeforeToAfter_AndListedWithTheirSource()
    {
        var settings = Settings();

        await settings.SaveAsync(CashSettings.ParseChange("DateWindowBusinessDays = 3\nAccounts:shinhan:Number = 140-000-999888"), "admin-park");
        await settings.SaveAsync(new Dictionary<string, string?> { ["DateWindowBusinessDays"] = null }, "admin-park");

        var audit = (await AuditAsync()).Select(a => (a.Action, a.TargetId, a.Before, a.After, a.Actor)).ToList();
        Assert.Equal(
        [
            ("cash-setting.update", "DateWindowBusinessDays", "2", "3", "admin-park"),
            ("cash-setting.update", "Accounts:shinhan:Number", "••••1222", "••••9888", "admin-park"),
            ("cash-setting.update", "DateWindowBusinessDays", "3", "2", "admin-park"),
        ], audit);
        var list = await settings.ListAsync();
        Assert.Equal(CashSettingSource.ConsoleOverridesConfiguration, list.Single(v => v.Key == "Accounts:shinhan:Number").Source);
        Assert.Equal(CashSettingSource.Configuration, list.Single(v => v.Key == "DateWindowBusinessDays").Source);
        Assert.Equal("140-000-999888", (await settings.EffectiveAsync()).Accounts["shinhan"].Number);
    }
}
