using Bunit;
using OpsConsole.Components.Shared;

namespace OpsConsole.Tests.Console;

public sealed class CopyTextTests : ConsoleComponentTest
{
    [Fact]
    public void ALongKey_IsCutInTheMiddle_WhileItsTooltipLinkAndCopyButtonKeepTheWholeValue()
    {
        const string order = "ord-20261204-2a5584833e-000037";

        var cut = Render<CopyText>(p => p.Add(x => x.Value, order).Add(x => x.Label, "orderId")
            .Add(x => x.Href, "discrepancies/7").Add(x => x.MaxChars, 18));

        Assert.Equal("ord-2026…3e-000037", cut.Find("a").TextContent);
        Assert.Equal(order, cut.Find(".copy-text").GetAttribute("title"));
        Assert.Equal("Copy orderId", cut.Find("button").GetAttribute("aria-label"));
        cut.Find("button").Click();
        Assert.Equal(order, JSInterop.VerifyInvoke("opsConsole.copy").Arguments.Single());
    }

    [Fact]
    public void AShortKey_IsShownWhole()
    {
        var cut = Render<CopyText>(p => p.Add(x => x.Value, "pk_1").Add(x => x.MaxChars, 18));

        Assert.Equal("pk_1", cut.Find(".copy-text-value").TextContent);
    }
}
