using System.Globalization;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Runs.Components;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Console;

/// <summary>
/// The upload with two PG connections, one of them the sandbox's file persona: choosing the persona's format (its
/// profile names the PG) is enough to import its Excel file as that PG's lines.
/// </summary>
public sealed class SettlementUploadProfileTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public SettlementUploadProfileTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddLogging();
        Services.AddSingleton(TwoPgs.WithSandboxInicis);
        Services.AddSingleton(new SettlementImporter(database.Factory, TimeProvider.System,
            new AuditLog(database.Factory, TimeProvider.System), connections: TwoPgs.WithSandboxInicis));
        Services.AddSingleton(new SettlementProfileStore(new DatabaseOptions { DataDirectory = Path.GetTempPath() }));
        Services.AddScoped<ConsoleUser>();
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
    }

    public override Task InitializeAsync() => Ledger.ClearAsync(_database.Factory);

    private async Task<List<string>> StoredPgsAsync()
    {
        await using var db = await _database.Factory.CreateDbContextAsync();
        return await db.Set<SettlementLine>().Select(l => l.Pg).Distinct().ToListAsync();
    }

    [Fact]
    public async Task Finance_ChoosesAPgProfile_AndImportsThatPgsExcelFile()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<SettlementUpload>();

        await cut.InvokeAsync(() => cut.FindComponents<MudSelect<string>>().Single(s => (string?)s.Instance.UserAttributes.GetValueOrDefault("id") == "settlement-profile").Instance.SelectOption("sandbox-inicis"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(
            File.ReadAllBytes(SettlementProfileTests.Fixture("sandbox-inicis.xlsx")), "정산내역.xlsx",
            contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));

        cut.WaitForAssertion(() => Assert.Equal("adds 2 lines of 2026-12-05",
            cut.Find("tr.import-preview-date[data-date='2026-12-05'] td:last-child").TextContent.Trim()));
        cut.Find("button#import-commit").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("정산내역.xlsx: imported 4 lines", cut.Find("#import-result .mud-alert-message").TextContent.Trim()));
        Assert.Equal(["sandbox-inicis"], await StoredPgsAsync());
    }

}
