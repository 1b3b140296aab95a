using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Audit;
using OpsConsole.Core.Data;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>The audit log's filter form (SQLite).</summary>
public sealed class AuditPageTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    public AuditPageTests(SqliteTestDatabase database)
    {
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IDbContextFactory<OpsDbContext>>(database.Factory);
        Services.AddScoped<ConsoleUser>();
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void WhatWasTypedButNotApplied_SurvivesTheLayoutRenderingAgain()
    {
        SignInAs("admin", ConsoleRoles.Admin);
        Navigation.NavigateTo("audit?actor=finance");
        Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
        });
        var cut = Render<AuditPage>();
        cut.WaitForAssertion(() => Assert.Equal("finance", cut.Find("#audit-actor").GetAttribute("value")));

        cut.Find("#audit-actor").Input("admin");
        cut.Find("#audit-action").Input("auth.signin");
        cut.WaitForAssertion(() => Assert.Equal("auth.signin", cut.Find("#audit-action").GetAttribute("value")));
        // The layout renders again (a run's live progress, a theme change): the page's parameters are set again with
        // the same URL. The typed values must not snap back to the URL's.
        cut.Render();
        Assert.Equal("admin", cut.Find("#audit-actor").GetAttribute("value"));
        cut.Find("form#audit-filter").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/audit?actor=admin&action=auth.signin", Navigation.Uri));
        // Once applied, the form follows the URL again: a link to another filter fills it.
        Navigation.NavigateTo("audit?actor=oncall");
        cut.WaitForAssertion(() => Assert.Equal("oncall", cut.Find("#audit-actor").GetAttribute("value")));
    }
}
