using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Admin;
using OpsConsole.Core.ApiClients;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>The admin page for API clients: create (the key shown once in a dialog), list, revoke; admin only.</summary>
public sealed class ApiClientsPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;
    private readonly ApiClientService _clients;

    /// <summary>The popover and dialog providers: an inline dialog renders here, not inside the page.</summary>
    private readonly IRenderedComponent<Microsoft.AspNetCore.Components.IComponent> _providers;

    public ApiClientsPageTests(SqliteTestDatabase database)
    {
        _database = database;
        var audit = new AuditLog(database.Factory, TimeProvider.System);
        _clients = new ApiClientService(database.Factory, audit, TimeProvider.System);
        Services.AddLogging();
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddSingleton(_clients);
        Services.AddScoped<ConsoleUser>();
        _providers = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
        });
    }

    [Fact]
    public async Task Admin_CreatesAClient_SeesTheKeyOnce_ThenRevokesIt()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        var cut = Render<ApiClientsPage>();
        var name = $"page-{Guid.NewGuid():N}"[..16];

        cut.Find("#api-client-name").Input(name);
        Check(cut, "payments-read");
        Check(cut, "payments-confirm");
        cut.Find("#api-client-create").Submit();

        string key = "";
        cut.WaitForAssertion(() =>
        {
            key = _providers.Find("#api-client-key").GetAttribute("value") ?? "";
            Assert.Matches("^ocs_[0-9A-Za-z]{43}$", key);
        });
        var caller = await _clients.AuthenticateAsync(key, demoEnabled: false);
        Assert.Equal(["payments:confirm", "payments:read"], caller!.Scopes);
        _providers.Find("#api-client-key-done").Click();
        _providers.WaitForAssertion(() => Assert.Empty(_providers.FindAll("#api-client-key")));
        Assert.DoesNotContain(key, _providers.Markup + cut.Markup);

        cut.WaitForAssertion(() => Assert.Contains(name, cut.Find("#api-clients").TextContent));
        cut.Find($"#revoke-{name}").Click();
        cut.Find($"#revoke-confirm-{name}").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll($"#revoke-{name}")));
        Assert.Null(await _clients.AuthenticateAsync(key, demoEnabled: false));
        await using var db = await _database.Factory.CreateDbContextAsync();
        var audit = await db.AuditEntries.Where(a => a.TargetId == name).Select(a => new { a.Actor, a.Action }).ToListAsync();
        Assert.Contains(audit, a => a is { Actor: "admin", Action: "api-client.create" });
        Assert.Contains(audit, a => a is { Actor: "admin", Action: "api-client.revoke" });
    }

    [Fact]
    public async Task ANonAdmin_CannotCreate_EvenIfTheFormIsSubmitted()
    {
        SignInAs("finance", ConsoleRoles.Finance);
        var cut = Render<ApiClientsPage>();
        var name = $"nope-{Guid.NewGuid():N}"[..16];

        cut.Find("#api-client-name").Input(name);
        Check(cut, "payments-cancel");
        cut.Find("#api-client-create").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Only admin", cut.Find("#api-client-error").TextContent));
        await using var db = await _database.Factory.CreateDbContextAsync();
        Assert.False(await db.ApiClients.AnyAsync(c => c.Name == name));
    }

    private static void Check(IRenderedComponent<ApiClientsPage> cut, string scope)
    {
        var box = cut.Find($"#scope-{scope}");
        (box.TagName == "INPUT" ? box : box.QuerySelector("input")!).Change(true);
    }

    [Fact]
    public void ThePage_IsDeclaredForAdminsOnly()
    {
        var policies = typeof(ApiClientsPage).GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute), true)
            .Cast<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>().Select(a => a.Policy).ToList();
        Assert.Contains(ConsoleActions.ManageApiClients.Policy, policies);
        Assert.Equal([ConsoleRoles.Admin], ConsoleActions.ManageApiClients.Roles);
    }
}
