using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Trace;
using OpsConsole.Core.Payments;
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
        Services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<Core.Data.OpsDbContext>>(database.Factory);
        // The payment page asks the PG about a key our ledger lacks: this PG knows none.
        Services.AddSingleton<Core.Gateway.IPaymentGateway>(new PgThatKnowsNothing());
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<Core.Payments.PaymentService>(sp,
            new Core.Payments.EventLog(database.Factory), new Core.Audit.AuditLog(database.Factory, TimeProvider.System),
            Options.Create(new Core.Payments.JanitorOptions()), Options.Create(new Core.Gateway.PgOptions())));
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
        // The PG connection the payment went through.
        Assert.Equal(Core.Gateway.PgConnections.LegacyName, cut.Find("#payment-pg").TextContent.Trim());
        Assert.DoesNotContain(TraceSeed.CardNumber, cut.Markup);
    }

    [Fact]
    public async Task SearchingTimeout_FindsTheTimedOutCalls_ByTheirKind_ThoughNoMessageSaysTimeout()
    {
        var timedOut = await TraceSeed.PaymentWithHistoryAsync(_database.Factory);
        var answered = await TraceSeed.PaymentWithHistoryAsync(_database.Factory);
        await using (var db = _database.Factory.CreateDbContext())
        {
            // What the client records when the PG does not answer in time: the message says "timed out", not "timeout".
            db.PaymentEvents.Add(PaymentEvent.PgCall(timedOut.PaymentKey, timedOut.OrderId, "POST", "/v1/payments/confirm",
                null, null, 10_000, "{\"amount\":15000}", "", "confirm: Unknown — POST /v1/payments/confirm → outcome unknown (timed out waiting for the PG)",
                timedOut.TraceId, null, timedOut.StartedAt.AddSeconds(11), timedOut: true));
            await db.SaveChangesAsync();
        }
        Navigation.NavigateTo("trace?q=timeout");

        var cut = Render<TraceSearch>();

        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll("#trace-results a.trace-hit"), a => a.TextContent == timedOut.PaymentKey));
        Assert.DoesNotContain(cut.FindAll("#trace-results a.trace-hit"), a => a.TextContent == answered.PaymentKey);
        Assert.Equal(["pg.timeout"], PaymentEventTypes.Matching("Timeout"));
        Assert.Empty(PaymentEventTypes.Matching("pg"));
    }

    [Fact]
    public async Task PaymentPage_PrettyPrintsPgBodies_WithKoreanReadable_AndMarkupKeptAsText()
    {
        var seeded = await TraceSeed.PaymentWithHistoryAsync(_database.Factory);
        await using (var db = _database.Factory.CreateDbContext())
        {
            // As stored: System.Text.Json's default escaping turns Korean into \uXXXX; a hostile field holds markup.
            db.PaymentEvents.Add(PaymentEvent.PgCall(seeded.PaymentKey, seeded.OrderId, "GET", $"/v1/payments/{seeded.PaymentKey}",
                200, null, 45, "", "{\"method\":\"\\uCE74\\uB4DC\",\"orderName\":\"<img src=x onerror=alert(1)>\",\"totalAmount\":45800}",
                "look-up: Success", seeded.TraceId, null, seeded.StartedAt.AddSeconds(5)));
            var payment = await db.Payments.SingleAsync(p => p.PaymentKey == seeded.PaymentKey);
            db.CancelAttempts.Add(CancelAttempt.Start(payment, "idem-" + seeded.PaymentKey, 45_800, true, "customer request",
                "oncall", seeded.TraceId, seeded.StartedAt.AddSeconds(6)));
            await db.SaveChangesAsync();
        }

        var cut = Render<PaymentTracePage>(p => p.Add(x => x.PaymentKey, seeded.PaymentKey));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("pre.pg-response")));
        var body = cut.FindAll("pre.pg-response").Single(e => e.TextContent.Contains("totalAmount")).TextContent;
        Assert.Contains("\"method\": \"카드\"", body);
        Assert.Contains("\n  \"totalAmount\": 45800", body);
        Assert.DoesNotContain("\\uCE74", body);
        Assert.Empty(cut.FindAll("#payment-timeline img"));
        Assert.DoesNotContain("<img", cut.Markup);
        Assert.Contains("Cancel requested: 45,800 KRW (full)", cut.Find("#payment-timeline").TextContent);
    }

    [Fact]
    public void PaymentPage_ForAnUnknownKey_SaysSo()
    {
        var cut = Render<PaymentTracePage>(p => p.Add(x => x.PaymentKey, "pk_does_not_exist"));

        cut.WaitForAssertion(() => Assert.Contains("pk_does_not_exist", cut.Find("#payment-not-found").TextContent));
    }

    private sealed class PgThatKnowsNothing : Core.Gateway.IPaymentGateway
    {
        public Task<Core.Gateway.PgResult<Core.Gateway.TossPayment>> GetPaymentAsync(string paymentKey, CancellationToken cancellationToken = default) =>
            Task.FromResult(new Core.Gateway.PgResult<Core.Gateway.TossPayment>(Core.Gateway.PgOutcome.Rejected, null, "GET",
                $"/v1/payments/{paymentKey}", 404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.", 1, "", ""));

        public Task<Core.Gateway.PgResult<Core.Gateway.TossPayment>> ConfirmAsync(Core.Gateway.TossConfirmRequest request, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<Core.Gateway.PgResult<Core.Gateway.TossPayment>> GetPaymentByOrderIdAsync(string orderId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<Core.Gateway.PgResult<Core.Gateway.TossPayment>> CancelAsync(string paymentKey, Core.Gateway.TossCancelRequest request, string idempotencyKey, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<Core.Gateway.PgResult<IReadOnlyList<Core.Gateway.TossSettlement>>> GetSettlementsAsync(DateOnly startDate, DateOnly endDate, int page, int size, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
