using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Admin;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>The admin page for fee contracts: configured ones listed, a console override stored (checked, audited); admin only.</summary>
public sealed class FeeContractsPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public FeeContractsPageTests(SqliteTestDatabase database)
    {
        _database = database;
        using (var db = database.Factory.CreateDbContext())
        {
            db.Database.ExecuteSqlRaw("DELETE FROM fee_contracts");
            db.Database.ExecuteSqlRaw("DELETE FROM audit_log");
        }
        var configured = new FeeContractOptions { Contracts = { ["TP_CONFIGURED"] = new FeeContractSettings { BaseRates = { ["CARD"] = 0.0231m } } } };
        Services.AddLogging();
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton(new FeeContractCatalog(database.Factory, Options.Create(configured),
            new AuditLog(database.Factory, TimeProvider.System), TimeProvider.System));
        Services.AddScoped<ConsoleUser>();
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
        });
    }

    [Fact]
    public async Task Admin_SeesTheConfiguredContract_IsToldWhatIsWrong_ThenStoresAnOverride()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        var cut = Render<FeeContractsPage>();
        cut.WaitForAssertion(() => Assert.Equal("configuration", cut.Find("[data-source=Configuration]").TextContent.Trim()));

        cut.Find("#fee-contract-mid").Input("TP_CONFIGURED");
        cut.Find("#fee-contract-terms").Input("""{"BaseRates": {"CARD": 2.31}}""");
        cut.Find("#fee-contract-form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("BaseRates:CARD must be a fraction in [0, 1)", cut.Find("#fee-contract-error").TextContent));

        cut.Find("#fee-contract-terms").Input("""{"BaseRates": {"CARD": 0.0242}, "InstallmentRates": {"3": 0.001765}}""");
        cut.Find("#fee-contract-form").Submit();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-source=ConsoleOverridesConfiguration]")));

        await using var db = await _database.Factory.CreateDbContextAsync();
        var stored = await db.Set<FeeContractRecord>().SingleAsync();
        Assert.Contains("0.0242", stored.Terms);
        var audit = await db.AuditEntries.SingleAsync();
        Assert.Equal(("admin", "fee-contract.create", "TP_CONFIGURED"), (audit.Actor, audit.Action, audit.TargetId));
    }

    [Fact]
    public async Task Admin_StoringOverlappingPeriods_IsToldWhichOverlap_AndNothingIsStored()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        var cut = Render<FeeContractsPage>();

        cut.Find("#fee-contract-mid").Input("TP_DATED");
        cut.Find("#fee-contract-terms").Input(
            """[{"ValidFrom": "2026-01-01", "ValidUntil": "2026-02-15", "BaseRates": {"CARD": 0.025}}, {"ValidFrom": "2026-02-01", "BaseRates": {"CARD": 0.02}}]""");
        cut.Find("#fee-contract-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("the contracts of TP_DATED overlap: 2026-01-01 to 2026-02-15 and 2026-02-01 to open end",
            cut.Find("#fee-contract-error").TextContent));
        await using var db = await _database.Factory.CreateDbContextAsync();
        Assert.Empty(await db.Set<FeeContractRecord>().ToListAsync());
        Assert.Empty(await db.AuditEntries.ToListAsync());
    }

    [Fact]
    public async Task ANonAdmin_CannotStoreAContract_EvenIfTheFormIsSubmitted()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var cut = Render<FeeContractsPage>();

        cut.Find("#fee-contract-mid").Input("TP_X");
        cut.Find("#fee-contract-terms").Input("""{"BaseRates": {"CARD": 0.02}}""");
        cut.Find("#fee-contract-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Only admin can change fee contracts.", cut.Find("#fee-contract-error").TextContent));
        await using var db = await _database.Factory.CreateDbContextAsync();
        Assert.Empty(await db.Set<FeeContractRecord>().ToListAsync());
    }
}
