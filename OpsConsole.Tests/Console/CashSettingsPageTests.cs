using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Admin;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Data;
using OpsConsole.Tests.Cash.Payouts;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>The admin page for the Cash settings: configured ones listed, a bad change refused whole, a good one stored (audited); admin only.</summary>
public sealed class CashSettingsPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public CashSettingsPageTests(SqliteTestDatabase database)
    {
        _database = database;
        using (var db = database.Factory.CreateDbContext())
        {
            db.Database.ExecuteSqlRaw("DELETE FROM cash_settings");
            db.Database.ExecuteSqlRaw("DELETE FROM audit_log");
        }
        Services.AddLogging();
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton(new CashSettings(database.Factory, Options.Create(PayoutTestSupport.Options()),
            new AuditLog(database.Factory, TimeProvider.System), TimeProvider.System));
        Services.AddScoped<ConsoleUser>();
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
        });
    }

    private async Task<List<CashSettingRecord>> StoredAsync()
    {
        await using var db = await _database.Factory.CreateDbContextAsync();
        return await db.Set<CashSettingRecord>().ToListAsync();
    }

    [Fact]
    public async Task Admin_IsToldEveryProblem_ThenStoresAChangeThatOverridesTheConfiguration()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        var cut = Render<CashSettingsPage>();
        cut.WaitForAssertion(() => Assert.Equal("Configuration", cut.Find("[data-key='Pgs:tosspay:PayoutDays:CARD']").GetAttribute("data-source")));

        cut.Find("#cash-settings-change").Input("Pgs:tosspay:PayoutDays:CARD = D+1\nPgs:inicis:Account = nowhere\nDateWindowBusinessDays = -2");
        cut.Find("#cash-settings-form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("'nowhere' is not a configured account", cut.Find("#cash-settings-error").TextContent));
        Assert.Contains("Cash:DateWindowBusinessDays must be 0..30", cut.Find("#cash-settings-error").TextContent);
        Assert.Empty(await StoredAsync());

        cut.Find("#cash-settings-change").Input("Cash:Pgs:tosspay:PayoutDays:CARD = D+1");
        cut.Find("#cash-settings-form").Submit();
        cut.WaitForAssertion(() => Assert.Equal("ConsoleOverridesConfiguration",
            cut.Find("[data-key='Pgs:tosspay:PayoutDays:CARD']").GetAttribute("data-source")));

        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(("Pgs:tosspay:PayoutDays:CARD", "1", "admin"), (stored.Key, stored.Value, stored.UpdatedBy));
        await using var db = await _database.Factory.CreateDbContextAsync();
        var audit = await db.AuditEntries.SingleAsync();
        Assert.Equal(("cash-setting.update", "2", "1"), (audit.Action, audit.Before, audit.After));
    }

    [Fact]
    public async Task ANonAdmin_CannotStoreASetting_EvenIfTheFormIsSubmitted()
    {
        SignInAs("oncall", ConsoleRoles.Oncall);
        var cut = Render<CashSettingsPage>();

        cut.Find("#cash-settings-change").Input("AmountTolerance = 100");
        cut.Find("#cash-settings-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(ConsoleActions.ManageCashSettings.DeniedReason, cut.Find("#cash-settings-error").TextContent));
        Assert.Empty(await StoredAsync());
    }
}
