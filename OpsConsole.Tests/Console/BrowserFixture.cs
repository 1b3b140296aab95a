using Microsoft.Playwright;

namespace OpsConsole.Tests.Console;

/// <summary>
/// Headless Debian Chromium driven by Playwright, shared by the browser tests. Screenshots go to
/// <c>artifacts/screenshots/</c> at the repository root.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln")))
                dir = dir.Parent;
            var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("OPSCONSOLE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>Signs in through the real form and waits until the Blazor circuit is interactive.</summary>
public static class ConsolePage
{
    public static async Task<IPage> SignInAsync(IBrowser browser, ConsoleAppHost app, string userName,
        bool darkMode = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        if (darkMode)
            await context.AddCookiesAsync([new Cookie { Name = "opsconsole-theme", Value = "dark", Url = app.BaseAddress.ToString() }]);
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("signin");
        await page.FillAsync("#userName", userName);
        await page.FillAsync("#password", ConsoleAppHost.DemoPassword);
        await page.ClickAsync("#signin-submit");
        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
        }
        catch (TimeoutException e)
        {
            // Rare and not reproduced: say where the page stood, so that the next occurrence explains itself.
            var state = await page.EvaluateAsync<string>(
                "() => { const f = document.querySelector('#signin-form'); const e = document.querySelector('#signin-error');" +
                " return `form valid: ${f ? f.checkValidity() : 'no form'}; user: '${document.querySelector('#userName')?.value}';" +
                " password length: ${document.querySelector('#password')?.value.length}; error: ${e ? e.textContent : 'none'}`; }");
            throw new TimeoutException($"Sign-in as {userName} did not leave the sign-in page ({page.Url}; {state}).", e);
        }
        await WaitInteractiveAsync(page);
        return page;
    }

    public static Task WaitInteractiveAsync(IPage page) =>
        page.WaitForSelectorAsync("#circuit-ready", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"),
            FullPage = true,
        });
}
