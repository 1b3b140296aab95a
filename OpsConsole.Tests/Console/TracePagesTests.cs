using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Trace;
using OpsConsole.Core.Timeline;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public sealed class TracePagesTests : ConsoleComponentTest, IClassFixture<SqliteTestDatabase>
{
    private readonly SqliteTestDatabase _database;

    public TracePagesTests(SqliteTestDatabase database)
    {
        _database = database;
        Services.AddLogging();
        Services.AddSingleton(new PaymentTimeline(database.Factory, []));
        Services.AddSingleton(Options.Create(new TraceLinkOptions
        {
            Links = { ["Jaeger"] = "https://jaeger.example/trace/{traceId}" },
        }));
        SignInAs("engineer", ConsoleRoles.Engineer);
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public async Task SearchingAnExactKey_OpensThePaymentDirectly()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(_database.Factory);
        Navigation.NavigateTo($"trace?q={seeded.OrderId}");

        var cut = Render<TraceSearch>();

        cut.WaitForAssertion(() => Assert.EndsWith($"/trace/payment/{seeded.PaymentKey}", Navigation.Uri));
    }

    [Fact]
    public async Task SearchingText_ListsTheMatchingPayments()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(_database.Factory);
        Navigation.NavigateTo($"trace?q={Uri.EscapeDataString(seeded.TextToken)}");

        var cut = Render<TraceSearch>();

        cut.WaitForAssertion(() =>
        {
            var link = Assert.Single(cut.FindAll("#trace-results a.trace-hit"));
            Assert.Equal(seeded.PaymentKey, link.TextContent);
            Assert.Contains("**** **** **** 1111", cut.Find("#trace-results").TextContent);
        });
        Assert.EndsWith($"trace?q={Uri.EscapeDataString(seeded.TextToken)}", Navigation.Uri);
    }

    [Fact]
    public void SearchingNothingKnown_ShowsTheEmptyState()
    {
        Navigation.NavigateTo("trace?q=nothing-like-this-anywhere");

        var cut = Render<TraceSearch>();

        cut.WaitForAssertion(() => Assert.Contains("No payment matches", cut.Find("#trace-empty").TextContent));
    }

    [Fact]
    public async Task PaymentPage_ShowsTheTimelineInOrderWithTraceLinks()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(_database.Factory);

        var cut = Render<PaymentTracePage>(p => p.Add(x => x.PaymentKey, seeded.PaymentKey));

        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("#payment-timeline tr.timeline-entry").Count));
        Assert.Equal(["StateChange", "PgCall", "StateChange", "Outbox", "Audit"],
            cut.FindAll("#payment-timeline tr.timeline-entry").Select(r => r.GetAttribute("data-kind")));
        var jaeger = cut.Find("#trace-links a");
        Assert.Equal($"https://jaeger.example/trace/{seeded.TraceId}", jaeger.GetAttribute("href"));
        Assert.Equal(seeded.TraceId, cut.Find("#payment-trace-id").TextContent);
        Assert.DoesNotContain(TraceSeed.CardNumber, cut.Markup);
    }

    [Fact]
    public void PaymentPage_ForAnUnknownKey_SaysSo()
    {
        var cut = Render<PaymentTracePage>(p => p.Add(x => x.PaymentKey, "pk_does_not_exist"));

        cut.WaitForAssertion(() => Assert.Contains("pk_does_not_exist", cut.Find("#payment-not-found").TextContent));
    }
}
