using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Trace;
using OpsConsole.Core.Timeline;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

/// <summary>The trace search page on PostgreSQL, where a text search may be bounded to the newest events.</summary>
public sealed class TraceSearchPostgresTests : ConsoleComponentTest, IClassFixture<PostgresTestDatabase>
{
    private readonly PostgresTestDatabase _database;
    private readonly PaymentTimeline _timeline;

    public TraceSearchPostgresTests(PostgresTestDatabase database)
    {
        _database = database;
        _timeline = new PaymentTimeline(database.Factory, [], maxCandidateEvents: 10, recentEventsSearched: 50);
        Services.AddLogging();
        Services.AddSingleton(_timeline);
        SignInAs("engineer", ConsoleRoles.Engineer);
    }

    [Fact]
    public async Task ABoundedTextSearch_SaysSinceWhenItSearched()
    {
        var scenario = await TraceSeed.CommonWordsAsync(_database.Factory, _timeline);
        Services.GetRequiredService<NavigationManager>().NavigateTo($"trace?q={Uri.EscapeDataString(scenario.Needle)}");

        var cut = Render<TraceSearch>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("a.trace-hit")));
        var partial = cut.Find("#trace-partial").TextContent;
        Assert.Contains("only the newest events were searched", partial);
        Assert.Contains("KST", partial);
        Assert.Equal(scenario.Recent.PaymentKey, cut.Find("a.trace-hit").TextContent);
    }
}
