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
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Console;

/// <summary>The Runs page's settlement upload: a preview per sold date before anything is stored, and a confirm step to remove lines.</summary>
public sealed class SettlementUploadTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private const string Header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n";
    private readonly SqliteTestDatabase _database;

    public SettlementUploadTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddLogging();
        Services.AddSingleton(new SettlementImporter(database.Factory, TimeProvider.System, new AuditLog(database.Factory, TimeProvider.System)));
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

    private static string Day(int count, string tag) => Header + string.Concat(Enumerable.Range(1, count).Select(i =>
        string.Create(CultureInfo.InvariantCulture,
            $"pay-{tag}{i},tx-{tag}{i},order-{tag}{i},카드,{1000 + i},25,23,2,{975 + i},2026-12-05T10:00:00+09:00,2026-12-05,2026-12-07\n")));

    private async Task<int> StoredAsync()
    {
        await using var db = _database.Factory.CreateDbContext();
        return await db.Set<SettlementLine>().CountAsync();
    }

    private static void Upload(IRenderedComponent<SettlementUpload> cut, string csv, string name) =>
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Encoding.UTF8.GetBytes(csv), name, contentType: "text/csv"));

    [Fact]
    public async Task AOneLineCorrectionOfAWholeDay_ShowsWhatItReplaces_AndImportsOnlyAfterTheExplicitConfirmation()
    {
        await new SettlementImporter(_database.Factory, TimeProvider.System).ImportCsvAsync(
            new MemoryStream(Encoding.UTF8.GetBytes(Day(147, "a"))), "day.csv", "finance");
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<SettlementUpload>();

        Upload(cut, Day(1, "fix"), "fix.csv");

        cut.WaitForAssertion(() => Assert.Equal("replaces 147 lines of 2026-12-05 with 1 line",
            cut.Find("tr.import-preview-date[data-date='2026-12-05'] td:last-child").TextContent.Trim()));
        Assert.Contains("Importing removes 146 stored lines.", cut.Find("#import-preview-summary").TextContent);
        Assert.True(cut.Find("button#import-commit").HasAttribute("disabled"));
        Assert.Equal("Replace and import", cut.Find("button#import-commit").TextContent.Trim());
        Assert.Equal(147, await StoredAsync());

        var confirm = cut.Find("#import-confirm-replace");
        (confirm.TagName == "INPUT" ? confirm : confirm.QuerySelector("input")!).Change(true);
        cut.WaitForAssertion(() => Assert.False(cut.Find("button#import-commit").HasAttribute("disabled")));
        cut.Find("button#import-commit").Click();

        cut.WaitForAssertion(() => Assert.Equal("fix.csv: imported 1 line (superseding 147 earlier lines of 2026-12-05).",
            cut.Find("#import-result .mud-alert-message").TextContent.Trim()));
        Assert.Equal(1, await StoredAsync());
    }

    [Fact]
    public async Task AFileThatRemovesNothing_IsPreviewed_ThenImportedWithOneClick_OrDiscarded()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<SettlementUpload>();

        Upload(cut, Day(2, "n"), "new.csv");
        cut.WaitForAssertion(() => Assert.Equal("adds 2 lines of 2026-12-05",
            cut.Find("tr.import-preview-date td:last-child").TextContent.Trim()));
        Assert.Empty(cut.FindAll("#import-confirm-replace"));
        cut.Find("button#import-discard").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("#import-preview")));
        Assert.Equal(0, await StoredAsync());

        Upload(cut, Day(2, "n"), "new.csv");
        cut.WaitForAssertion(() => Assert.False(cut.Find("button#import-commit").HasAttribute("disabled")));
        cut.Find("button#import-commit").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("new.csv: imported 2 lines", cut.Find("#import-result .mud-alert-message").TextContent.Trim()));
        Assert.Equal(2, await StoredAsync());
        Assert.Equal(SettlementCsvFormat.Columns.Count, cut.FindAll("tr.settlement-column").Count);
        Assert.EndsWith("console/settlements/template.csv", cut.Find("#settlement-template").GetAttribute("href"));
    }
}
