using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Core.Data;
using OpsConsole.Components.Pages.Runs.Components;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;
using OpsConsole.Tests.Reconciliation;

namespace OpsConsole.Tests.Console;

/// <summary>The Runs page's settlement upload with two PG connections: the file's PG is chosen first and its lines carry it.</summary>
public sealed class MultiPgUploadTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private const string Csv = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate,currency,mId\n" +
                               "pay-i1,tx-i1,order-i1,카드,1000,25,23,2,975,2026-12-05T10:00:00+09:00,2026-12-05,2026-12-07,KRW,INIpayTest\n";

    private readonly SqliteTestDatabase _database;
    private readonly IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> _providers;

    public MultiPgUploadTests(SqliteTestDatabase database)
    {
        _database = database;
        var pgs = TwoPgs.Connections;
        Services.AddLogging();
        Services.AddSingleton(pgs);
        Services.AddSingleton(new SettlementImporter(database.Factory, TimeProvider.System, connections: pgs));
        Services.AddSingleton(new SettlementProfileStore(new DatabaseOptions { DataDirectory = Path.GetTempPath() }));
        Services.AddScoped<ConsoleUser>();
        _providers = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
    }

    public override Task InitializeAsync() => Ledger.ClearAsync(_database.Factory);

    [Fact]
    public async Task WithTwoPgs_TheFilesPgIsChosenFirst_AndTheImportedLinesCarryIt()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<SettlementUpload>();

        var button = cut.Find("button#settlement-upload-button");
        Assert.True(button.HasAttribute("disabled"));
        Assert.Equal("Choose the PG first", button.TextContent.Trim());
        var select = cut.FindComponent<MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync("inicis"));
        cut.WaitForAssertion(() => Assert.False(cut.Find("button#settlement-upload-button").HasAttribute("disabled")));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Encoding.UTF8.GetBytes(Csv), "inicis.csv", contentType: "text/csv"));
        cut.WaitForAssertion(() => Assert.Contains("inicis.csv (PG inicis): 1 valid line.", cut.Find("#import-preview-summary").TextContent));
        cut.Find("button#import-commit").Click();
        cut.WaitForAssertion(() => Assert.StartsWith("inicis.csv: imported 1 line", cut.Find("#import-result .mud-alert-message").TextContent.Trim()));

        await using var db = _database.Factory.CreateDbContext();
        Assert.Equal(["inicis"], await db.Set<SettlementLine>().Select(l => l.Pg).ToListAsync());
    }

    [Fact]
    public void WithTwoPgs_AFileUploadedBeforeAPgIsChosen_IsRefusedAndNothingIsHeld()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<SettlementUpload>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(Encoding.UTF8.GetBytes(Csv), "inicis.csv", contentType: "text/csv"));

        _providers.WaitForAssertion(() => Assert.Contains("The PG is required: 2 PG connections are configured (inicis, toss).", _providers.Markup));
        Assert.Empty(cut.FindAll("#import-preview"));
    }
}
