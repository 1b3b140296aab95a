using System.Net;
using System.Text.RegularExpressions;

namespace OpsConsole.Tests.Console;

/// <summary>Every page names the console's icon (SVG, with a PNG for browsers without SVG icons), and both are served.</summary>
[Collection(ConsoleAppCollection.Name)]
public sealed class FaviconTests(ConsoleAppHost app)
{
    [Fact]
    public async Task SignInPage_LinksTheSvgAndPngIcons_AndBothAreServed()
    {
        using var client = app.NewClient();

        var html = await client.GetStringAsync("signin");

        var icons = Regex.Matches(html, "<link rel=\"(?:icon|apple-touch-icon)\"[^>]*href=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains(icons, href => href.Contains("favicon", StringComparison.Ordinal) && href.Contains(".svg", StringComparison.Ordinal));
        Assert.Contains(icons, href => href.Contains(".png", StringComparison.Ordinal));
        foreach (var href in icons)
        {
            using var response = await client.GetAsync(href.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("image/", response.Content.Headers.ContentType!.MediaType);
        }
    }
}
