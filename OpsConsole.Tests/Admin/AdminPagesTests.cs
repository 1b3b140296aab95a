using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using OpsConsole.Components.Account;
using OpsConsole.Components.Layout;
using OpsConsole.Components.Pages.Admin;
using OpsConsole.Components.Pages.Audit.Components;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Admin;

/// <summary>The Admin area's pages and nav group (bUnit, SQLite): who sees them, unlock, the settings' masking, the audit diff.</summary>
public sealed class AdminPagesTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public AdminPagesTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddUserAdmin(database, TimeProvider.System);
        Services.AddScoped<ConsoleUser>();
    }

    [Fact]
    public void TheAdminNavGroup_ListsEveryAdminPage_ForAdminsOnly()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        var nav = Render<NavMenu>();
        Assert.NotNull(nav.Find("#nav-admin"));
        foreach (var page in AdminPages.All)
            Assert.Equal(page.Href, nav.Find($"#{page.NavId}").GetAttribute("href"));

        foreach (var role in new[] { ConsoleRoles.Finance, ConsoleRoles.Engineer, ConsoleRoles.Oncall })
        {
            SignInAs(role, role);
            var other = Render<NavMenu>();
            Assert.Empty(other.FindAll("#nav-admin"));
            Assert.Empty(other.FindAll("#nav-admin-users"));
        }
    }

    [Fact]
    public async Task Admin_UnlocksALockedUser_AndSeesTheRowActive()
    {
        var services = (IServiceProvider)Services;
        var admin = await UserAdminServices.CreateUserAsync(services, "adm", ConsoleRoles.Admin);
        var locked = await UserAdminServices.CreateUserAsync(services, "fin", ConsoleRoles.Finance);
        await UserAdminServices.LockOutAsync(services, locked);
        SignInAs(admin, ConsoleRoles.Admin);

        var cut = Render<UsersPage>();
        cut.WaitForAssertion(() => Assert.Equal("locked", cut.Find($"td[data-user='{locked}'] ~ td[data-status]").GetAttribute("data-status")));
        cut.Find($"#unlock-{locked}").Click();

        cut.WaitForAssertion(() => Assert.Contains($"{locked} is unlocked", cut.Find("#users-done").TextContent));
        Assert.Equal("active", cut.Find($"td[data-user='{locked}'] ~ td[data-status]").GetAttribute("data-status"));
        Assert.Empty(cut.FindAll($"#unlock-{locked}"));
        // An admin's own row: Disable is there, but cannot be pressed.
        Assert.True(cut.Find($"#disable-{admin}").HasAttribute("disabled"));
        await using var db = await _database.Factory.CreateDbContextAsync();
        Assert.Contains(db.AuditEntries.Where(a => a.TargetId == locked).Select(a => new { a.Actor, a.Action }),
            a => a.Actor == admin && a.Action == "user.unlock");
    }

    [Fact]
    public async Task SsoUsers_AreShownReadOnly_WithTheirProvidersRoles()
    {
        var admin = await UserAdminServices.CreateUserAsync(Services, "adm", ConsoleRoles.Admin);
        var sso = $"kim-{Guid.NewGuid():N}"[..12];
        await Services.GetRequiredService<AuditLog>().WriteAsync(sso, "auth.signin", "user", sso,
            AuditChange.Created(new() { { "roles", new[] { "finance" } } }), outcome: "success (oidc)");
        SignInAs(admin, ConsoleRoles.Admin);

        var cut = Render<UsersPage>();

        cut.WaitForAssertion(() => Assert.Contains("SSO", cut.Find($"td[data-user='{sso}']").TextContent));
        var row = cut.Find($"td[data-user='{sso}']").ParentElement!;
        Assert.Contains("from the identity provider", row.TextContent);
        Assert.Contains("managed at the identity provider", row.TextContent);
        Assert.Empty(row.QuerySelectorAll("button"));
    }

    [Fact]
    public async Task ANonAdminCircuit_CannotChangeUsers_EvenWithThePageOpen()
    {
        var locked = await UserAdminServices.CreateUserAsync(Services, "fin", ConsoleRoles.Finance);
        await UserAdminServices.LockOutAsync(Services, locked);
        SignInAs("finance", ConsoleRoles.Finance); // the page's [Authorize] is bypassed by rendering it directly

        var cut = Render<UsersPage>();
        cut.WaitForAssertion(() => cut.Find($"#unlock-{locked}"));
        cut.Find($"#unlock-{locked}").Click();

        cut.WaitForAssertion(() => Assert.Contains("Only admin", cut.Find("#users-error").TextContent));
        Assert.Equal("locked", cut.Find($"td[data-user='{locked}'] ~ td[data-status]").GetAttribute("data-status"));
    }

    [Fact]
    public void Settings_ShowDefaultsAndSources_AndNeverTheSecrets()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pg:SecretKey"] = "live_sk_very_secret_1234",
            ["Alerts:SlackWebhookUrl"] = "https://hooks.slack.com/services/T000/B000/XXXXSECRET",
            ["Auth:Oidc:ClientSecret"] = "oidc-client-secret-5678",
            ["Auth:Oidc:Authority"] = "https://sso.example.com",
        }).Build();
        Services.AddSingleton<IConfiguration>(config);
        Services.Configure<PgOptions>(config.GetSection("Pg"));
        Services.Configure<AlertOptions>(config.GetSection("Alerts"));
        Services.AddSingleton(new DatabaseOptions
        {
            Provider = DatabaseProvider.Postgres,
            ConnectionString = "Host=db.internal;Database=ops;Username=ops;Password=pg-password-9",
        });
        SignInAs("admin", ConsoleRoles.Admin);

        var cut = Render<SettingsPage>();

        foreach (var secret in new[] { "live_sk_very_secret_1234", "XXXXSECRET", "oidc-client-secret-5678", "pg-password-9", "B000" })
            Assert.DoesNotContain(secret, cut.Markup);
        string Value(string key) => cut.Find($"tr[data-key='{key}'] td:nth-child(2)").TextContent;
        string Source(string key) => cut.Find($"tr[data-key='{key}'] td:nth-child(3)").TextContent;
        Assert.Equal("••••• (set)", Value("Pg:SecretKey"));
        Assert.Equal("https://hooks.slack.com/•••", Value("Alerts:SlackWebhookUrl"));
        Assert.Contains("host=db.internal", Value("Database:ConnectionString"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Postgres", Value("Database:Provider"));
        Assert.Equal("https://sso.example.com", Value("Auth:Oidc:Authority"));
        Assert.Equal("in-memory", Source("Pg:SecretKey"));
        Assert.Equal("00:00:10", Value("Pg:AttemptTimeout")); // a default: not configured, still effective
        Assert.Equal("default", Source("Pg:AttemptTimeout"));
        Assert.Equal("true", cut.Find("tr[data-key='Pg:SecretKey']").GetAttribute("data-masked"));
    }

    [Fact]
    public void AnAuditRowsChange_RendersAsACompactDiff_WithAmountsInKrw()
    {
        var change = AuditChange.Between(new() { { "status", "REQUESTED" }, { "amount", 45_800L }, { "approvedBy", (string?)null } },
            new() { { "status", "APPROVED" }, { "amount", 12_000L }, { "approvedBy", "oncall-1" } });

        var cut = Render<AuditChangeView>(p => p.Add(c => c.Before, change.Before).Add(c => c.After, change.After));

        Assert.Equal(["status", "amount", "approvedBy"], cut.FindAll(".audit-field").Select(f => f.GetAttribute("data-field")!));
        Assert.Equal("45,800 KRW", cut.Find(".audit-field[data-field='amount'] .audit-before").TextContent);
        Assert.Equal("12,000 KRW", cut.Find(".audit-field[data-field='amount'] .audit-after").TextContent);
        Assert.Equal("∅", cut.Find(".audit-field[data-field='approvedBy'] .audit-before").TextContent);
        Assert.Contains("approved by", cut.Find(".audit-field[data-field='approvedBy']").TextContent);

        var legacy = Render<AuditChangeView>(p => p.Add(c => c.Before, null).Add(c => c.After, "scopes a, key ocs_x…"));
        Assert.Equal("∅ → scopes a, key ocs_x…", legacy.Find("[data-testid='audit-change']").TextContent.Trim());
    }
}
