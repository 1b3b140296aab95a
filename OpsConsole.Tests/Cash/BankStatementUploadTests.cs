using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Runs.Components;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Data;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;
using static OpsConsole.Tests.Cash.CashTestSupport;

namespace OpsConsole.Tests.Cash;

public sealed class BankStatementUploadTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;
    private readonly IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> _providers;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("opsconsole-cash-ui-").FullName;

    public BankStatementUploadTests(SqliteTestDatabase database)
    {
        _database = database;
        Directory.CreateDirectory(Path.Combine(_dataDirectory, "profiles"));
        File.Copy(Fixture("kb-profile.json"), Path.Combine(_dataDirectory, "profiles", "kb.json"));
        var options = Microsoft.Extensions.Options.Options.Create(CashTestSupport.Options());
        var profiles = new BankProfileStore(new DatabaseOptions { DataDirectory = _dataDirectory });
        Services.AddLogging();
        Services.AddSingleton(options);
        Services.AddSingleton(profiles);
        Services.AddSingleton(new BankStatementImporter(database.Factory, TimeProvider.System, options, profiles,
            new AuditLog(database.Factory, TimeProvider.System)));
        Services.AddScoped<ConsoleUser>();
        _providers = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudSnackbarProvider>(1);
            b.CloseComponent();
        });
    }

    public override Task InitializeAsync() => ClearAsync(_database.Factory);

    private async Task<int> StoredAsync()
    {
        await using var db = _database.Factory.CreateDbContext();
        return await db.Set<BankTransaction>().CountAsync();
    }

    [Fact]
    public async Task Finance_UploadsACamt053_AndSeesWhatWasImported()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<BankStatementUpload>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(
            File.ReadAllBytes(Fixture("camt053.v08.genkgo.xml")), "statement.xml", contentType: "text/xml"));

        cut.WaitForAssertion(() => Assert.Equal("statement.xml: imported 1 entry (1 in, 0 out) of eur-main, 2007-10-18..2007-10-18.",
            cut.Find("#bank-import-result .mud-alert-message").TextContent.Trim()));
        Assert.Equal(1, await StoredAsync());
        await using var db = _database.Factory.CreateDbContext();
        Assert.Equal("fiona", (await db.Set<BankStatementImport>().SingleAsync()).ImportedBy);
    }

    [Fact]
    public async Task Finance_ChoosesProfileAndAccount_ForACp949Export()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<BankStatementUpload>();
        var selects = cut.FindComponents<MudSelect<string>>();

        await cut.InvokeAsync(() => selects[0].Instance.SelectOption("kb-csv"));
        await cut.InvokeAsync(() => selects[1].Instance.SelectOption("kb-operating"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(
            File.ReadAllBytes(Fixture("kb-export.cp949.csv")), "거래내역.csv", contentType: "text/csv"));

        cut.WaitForAssertion(() => Assert.StartsWith("거래내역.csv: imported 3 entries (2 in, 1 out) of kb-operating",
            cut.Find("#bank-import-result .mud-alert-message").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Equal(3, await StoredAsync());
    }

    [Fact]
    public async Task ABadStatement_IsRejectedWithItsLines_AndNothingIsStored()
    {
        SignInAs("olivia", ConsoleRoles.Oncall);
        var cut = Render<BankStatementUpload>();
        var xml = KrwCamt(Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>") + Entry("1000", "CRDT", ""));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(xml, "bad.xml", contentType: "text/xml"));

        cut.WaitForAssertion(() => Assert.Equal("Rejected", cut.Find("#bank-import-result").GetAttribute("data-outcome")));
        var row = cut.Find("#bank-import-errors tbody tr");
        Assert.Equal("BookgDt", row.Children[1].TextContent);
        Assert.Contains("no booking date", row.Children[2].TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await StoredAsync());
    }

    [Fact]
    public void ACsvWithoutAProfile_IsRefusedWithTheReason()
    {
        SignInAs("fiona", ConsoleRoles.Finance);
        var cut = Render<BankStatementUpload>();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(
            File.ReadAllBytes(Fixture("kb-export.cp949.csv")), "kb.csv", contentType: "text/csv"));

        cut.WaitForAssertion(() => Assert.Contains("name the mapping profile",
            _providers.Markup, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("#bank-import-result"));
    }

    [Fact]
    public void Engineer_SeesTheUploadDisabledWithTheReason()
    {
        SignInAs("erin", ConsoleRoles.Engineer);

        var cut = Render<BankStatementUpload>();

        Assert.True(cut.Find("button#bank-statement-upload-button").HasAttribute("disabled"));
        Assert.Contains(ConsoleActions.ImportSettlement.DeniedReason, cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindComponents<InputFile>());
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        Directory.Delete(_dataDirectory, recursive: true);
        await base.DisposeAsyncCore();
    }
}
