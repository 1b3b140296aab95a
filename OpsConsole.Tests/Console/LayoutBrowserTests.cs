using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpsConsole.Tests.Console;

/// <summary>
/// Every console page (the app's routes, as admin, on demo data) walked once per theme in one browser: horizontal
/// overflow measured at 1366×768, 1440×900 and 1920×1080, full-page screenshots saved at each size into
/// <c>artifacts/test-results/screenshots</c>, and axe-core run at 1366×768. The walk runs once; each test asserts
/// its part. Interaction checks (rows, date picker, snackbars, links) share the same host and browser.
/// </summary>
[Collection(LayoutCollection.Name)]
public sealed class LayoutBrowserTests(LayoutFixture fx)
{
    public static readonly (int Width, int Height)[] Sizes = [(1366, 768), (1440, 900), (1920, 1080)];

    private static Task<Walk>? _walk;
    private static readonly Lock WalkLock = new();

    private Task<Walk> WalkAsync()
    {
        lock (WalkLock) return _walk ??= Walk.RunAsync(fx);
    }

    [Fact]
    public async Task EveryPage_AtLaptopAndDesktopSizes_HasNoHorizontalOverflow_AndNoTableWiderThanItsContainer()
    {
        var walk = await WalkAsync();

        Assert.True(fx.Pages.Count >= 10, $"only {fx.Pages.Count} pages walked: {string.Join(", ", fx.Pages)}");
        Assert.True(walk.Overflow.Count == 0, "Overflow:\n" + string.Join("\n", walk.Overflow));
    }

    [Fact]
    public async Task EveryPage_InBothThemes_HasNoSeriousOrCriticalAccessibilityViolation()
    {
        var walk = await WalkAsync();

        Assert.True(walk.Axe.Count == 0, "axe-core:\n" + string.Join("\n", walk.Axe));
    }

    [Fact]
    public async Task EveryPage_IsScreenshotted_AtThreeSizes_InBothThemes()
    {
        var walk = await WalkAsync();

        Assert.Equal(fx.Pages.Count * Sizes.Length * 2, walk.Screenshots.Count);
        Assert.All(walk.Screenshots, path => Assert.True(new FileInfo(path).Length > 10_000, path));
    }

    [Fact]
    public async Task FindingRows_OpenOnClick_AndOnEnter_AndTheirLinksLookLikeLinks()
    {
        var page = await SignInAsync();
        await GoAsync(page, "discrepancies?verdict=any");

        var link = page.Locator("#findings-grid a.finding-link").First;
        var style = await link.EvaluateAsync<string[]>(
            "a => { const s = getComputedStyle(a); return [s.textDecorationLine, s.color, getComputedStyle(a.closest('td')).color]; }");
        Assert.Contains("underline", style[0]);
        Assert.NotEqual(style[2], style[1]);

        // A click on the row (its date cell, not the link) opens the finding.
        var href = await link.GetAttributeAsync("href");
        await page.Locator("#findings-grid tbody tr").First.Locator("td").Nth(1).ClickAsync();
        await ConsolePage.WaitForUrlAsync(page, ConsolePage.Ending($"/{href}"));
        await Expect(page.Locator("#finding-type")).ToBeVisibleAsync();

        // Enter on a focused row opens it too: rows are in the tab order.
        await GoAsync(page, "discrepancies?verdict=any");
        var second = page.Locator("#findings-grid tbody tr").Nth(1);
        await Expect(second).ToHaveAttributeAsync("tabindex", "0");
        var secondHref = await second.Locator("a.finding-link").GetAttributeAsync("href");
        await second.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await ConsolePage.WaitForUrlAsync(page, ConsolePage.Ending($"/{secondHref}"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task CopyButton_CopiesTheKey_WithoutOpeningTheRow_AndItsSnackbarCoversNoButton()
    {
        var page = await SignInAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await GoAsync(page, "discrepancies?verdict=any");
        var order = await page.Locator("#findings-grid a.finding-link").First.TextContentAsync();

        await page.Locator("#findings-grid tbody tr").First.Locator("button.copy-text-button").First.ClickAsync();

        var snackbar = page.Locator(".mud-snackbar").First;
        await Expect(snackbar).ToContainTextAsync("Copied orderId");
        Assert.EndsWith("discrepancies?verdict=any", page.Url);
        Assert.Equal(order, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        var covered = await snackbar.EvaluateAsync<string[]>(
            """
            s => { const r = s.getBoundingClientRect();
                   return [...document.querySelectorAll('.mud-main-content button, .mud-main-content a, .mud-main-content input')]
                     .filter(b => { const q = b.getBoundingClientRect();
                                    return q.width > 0 && q.left < r.right && q.right > r.left && q.top < r.bottom && q.bottom > r.top; })
                     .map(b => b.id || b.textContent.trim() || b.outerHTML.slice(0, 60)); }
            """);
        Assert.True(covered.Length == 0, "The snackbar covers: " + string.Join(", ", covered));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task BusinessDatePicker_TakesATypedDate_WithEnterOrTab_AndItsCalendarIsNotClipped()
    {
        var page = await SignInAsync();
        await GoAsync(page, "");
        var input = page.Locator(".dashboard-date input");

        await input.FillAsync("2026-10-05");
        await input.PressAsync("Enter");
        await ConsolePage.WaitForUrlAsync(page, ConsolePage.Ending("/?date=2026-10-05"));
        await ConsolePage.WaitInteractiveAsync(page);

        await page.Locator(".dashboard-date input").FillAsync("2026-10-06");
        await page.Locator(".dashboard-date input").PressAsync("Tab");
        await ConsolePage.WaitForUrlAsync(page, ConsolePage.Ending("/?date=2026-10-06"));

        // The calendar opens fully inside the window at the laptop size.
        await page.Locator(".dashboard-date button").First.ClickAsync();
        var calendar = page.Locator(".mud-popover-open .mud-picker-calendar-container, .mud-popover-open .mud-picker-content").First;
        await Expect(calendar).ToBeVisibleAsync();
        var box = (await calendar.BoundingBoxAsync())!;
        Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= 1366 && box.Y + box.Height <= 768,
            $"calendar at {box.X},{box.Y} size {box.Width}×{box.Height}");
        await page.Context.CloseAsync();
    }

    private async Task<IPage> SignInAsync(bool dark = false)
    {
        var page = await ConsolePage.SignInAsync(fx.Browser.Browser, fx.App, "admin", dark);
        await page.SetViewportSizeAsync(1366, 768);
        return page;
    }

    /// <summary>Opens a page and waits until it has settled: the circuit is live and no grid or page is loading.</summary>
    internal static async Task GoAsync(IPage page, string path)
    {
        await page.GotoAsync(path.TrimStart('/'));
        if (!LayoutFixture.IsStatic(path)) await ConsolePage.WaitInteractiveAsync(page);
        await page.WaitForFunctionAsync("() => !document.querySelector('.mud-table-loading, .mud-progress-indeterminate')");
        await page.EvaluateAsync("() => document.fonts.ready");
    }

    private sealed record Walk(List<string> Overflow, List<string> Axe, List<string> Screenshots)
    {
        public static async Task<Walk> RunAsync(LayoutFixture fx)
        {
            var walk = new Walk([], [], []);
            var directory = ScreenshotDirectory();
            foreach (var dark in new[] { false, true })
            {
                var theme = dark ? "dark" : "light";
                var page = await ConsolePage.SignInAsync(fx.Browser.Browser, fx.App, "admin", dark);
                foreach (var path in fx.Pages)
                {
                    await page.SetViewportSizeAsync(Sizes[0].Width, Sizes[0].Height);
                    await GoAsync(page, path);
                    var axe = await page.RunAxe();
                    walk.Axe.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v =>
                        $"{theme} {path}: {v.Id} ({v.Impact}) {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}"));
                    foreach (var (width, height) in Sizes)
                    {
                        await page.SetViewportSizeAsync(width, height);
                        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
                        if (!dark)
                            walk.Overflow.AddRange((await page.EvaluateAsync<string[]>(OverflowScript))
                                .Select(p => $"{width}×{height} {path}: {p}"));
                        var file = Path.Combine(directory, $"{Slug(path)}-{width}x{height}-{theme}.png");
                        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                        walk.Screenshots.Add(file);
                    }
                }
                await page.Context.CloseAsync();
            }
            return walk;
        }

        /// <summary>What sticks out: the document wider than the window, a table wider than its container or past the window's edge.</summary>
        private const string OverflowScript =
            """
            () => {
              const d = document.documentElement, out = [];
              if (d.scrollWidth > d.clientWidth) out.push(`page is ${d.scrollWidth} px wide in a ${d.clientWidth} px window`);
              for (const t of document.querySelectorAll('table')) {
                if (!t.offsetParent) continue;
                const name = t.id || t.closest('[id]')?.id || t.className;
                const c = t.parentElement, r = t.getBoundingClientRect();
                if (t.offsetWidth > c.clientWidth + 1) out.push(`table ${name} is ${t.offsetWidth} px in ${c.clientWidth} px`);
                else if (r.right > d.clientWidth + 1) out.push(`table ${name} ends at ${Math.round(r.right)} px`);
              }
              return out;
            }
            """;

        private static string Slug(string path)
        {
            var slug = new string(path.Trim('/').Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
            return slug.Length == 0 ? "dashboard" : slug;
        }

        /// <summary>test.sh's results directory (artifacts/test-results) beside the other artifacts.</summary>
        private static string ScreenshotDirectory()
        {
            var path = Path.Combine(Path.GetDirectoryName(BrowserFixture.ScreenshotDirectory)!, "test-results", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
