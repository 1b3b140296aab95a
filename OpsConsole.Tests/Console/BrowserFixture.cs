using System.Text.RegularExpressions;
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

    /// <summary>
    /// Waits for the page's URL to match <paramref name="url"/> (a search, as Playwright's URL assertion does). The
    /// assertion polls the page's location: Playwright's <c>WaitForURLAsync</c> instead checks the URL and then waits for
    /// a navigation event, and a Blazor navigation (history.pushState) landing between the two was missed — the page
    /// sat at the expected URL while the wait timed out (CI, session 11). On a timeout the exception says where the page
    /// stood (its URL, whether the circuit was reconnecting or had failed, the focused element and the form's values).
    /// </summary>
    public static async Task WaitForUrlAsync(IPage page, Regex url)
    {
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(url, new PageAssertionsToHaveURLOptions { Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            var state = await page.EvaluateAsync<string>(
                "() => { const m = document.querySelector('#components-reconnect-modal');" +
                " const err = document.querySelector('#blazor-error-ui');" +
                " const inputs = [...document.querySelectorAll('form input[id]')].filter(i => i.value)" +
                "   .map(i => `${i.id}='${i.value}'`).join(', ');" +
                " return `reconnect modal: ${m ? (m.open ? 'open ' + m.className : 'closed') : 'none'};" +
                " error ui: ${err && getComputedStyle(err).display !== 'none' ? 'shown' : 'hidden'};" +
                " circuit-ready: ${!!document.querySelector('#circuit-ready')};" +
                " focus: ${document.activeElement?.id || document.activeElement?.tagName}; inputs: ${inputs}`; }");
            throw new TimeoutException($"Expected a URL matching {url}; the page stayed at {page.Url} ({state}).", e);
        }
    }

    /// <summary>A URL that ends with <paramref name="tail"/>, taken literally.</summary>
    public static Regex Ending(string tail) => new(Regex.Escape(tail) + "$");

    /// <summary>A URL that contains <paramref name="part"/>, taken literally.</summary>
    public static Regex Containing(string part) => new(Regex.Escape(part));

    public static Task WaitInteractiveAsync(IPage page) =>
        page.WaitForSelectorAsync("#circuit-ready", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"),
            FullPage = true,
        });
}
