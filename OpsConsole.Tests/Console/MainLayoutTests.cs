using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Components;
using OpsConsole.Components.Account;
using OpsConsole.Components.Layout;

namespace OpsConsole.Tests.Console;

public sealed class MainLayoutTests : ConsoleComponentTest
{
    public MainLayoutTests() => SignInAs("oncall", ConsoleRoles.Oncall);

    private IRenderedComponent<MainLayout> RenderLayout(bool darkMode = false) =>
        Render<MainLayout>(p => p
            .AddCascadingValue(new ThemeState(darkMode))
            .Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id='page-body'>page</p>"))));

    [Fact]
    public void Shell_ShowsNavigationUserDemoBannerAndTheReadyMarker()
    {
        var cut = RenderLayout();

        Assert.NotNull(cut.Find("#page-body"));
        Assert.Contains("DEMO MODE", cut.Find("#demo-banner").TextContent);
        Assert.Contains("oncall", cut.Find("#current-user").TextContent);
        var nav = cut.FindAll("nav a, .mud-nav-link").Select(a => a.TextContent.Trim()).ToList();
        Assert.Contains("Discrepancies", string.Join(" ", nav));
        Assert.Contains("Audit", string.Join(" ", nav));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#circuit-ready")));
    }

    [Fact]
    public void WithoutDemoMode_ThereIsNoBanner()
    {
        Services.AddSingleton(Options.Create(new DemoOptions { Enabled = false }));

        var cut = RenderLayout();

        Assert.Empty(cut.FindAll("#demo-banner"));
    }

    [Fact]
    public void ThemeToggle_PersistsTheChoice()
    {
        var cut = RenderLayout(darkMode: false);

        cut.Find("#theme-toggle").Click();

        Assert.Equal(ThemeCookie.Dark, JSInterop.VerifyInvoke("opsConsole.setTheme").Arguments[0]);
        cut.Find("#theme-toggle").Click();
        Assert.Equal(ThemeCookie.Light, JSInterop.VerifyInvoke("opsConsole.setTheme", calledTimes: 2)[1].Arguments[0]);
    }

    [Fact]
    public void GlobalSearch_NavigatesToTheTracePage()
    {
        var cut = RenderLayout();

        cut.Find("#global-search input").Input("pk_abc 123");
        cut.Find("form#global-search").Submit();

        Assert.EndsWith("/trace?q=pk_abc%20123", Services.GetRequiredService<NavigationManager>().Uri);
    }
}
