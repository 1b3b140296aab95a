using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Sandbox;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// What the PG did that OpsConsole never asked for, on each provider: a payment whose confirm answer was lost and that
/// was then partly cancelled in the PG's own dashboard (sandbox fault CANCELED_OUTSIDE) is booked by the janitor with
/// every cancel the PG lists and no made-up approval key; reconciliation learns the approval's key from its settlement
/// line and reports nothing. (Before: the janitor booked a DONE payment with the approval key "{paymentKey}-approval"
/// and no cancel, and the run reported three false findings — that key MISSING_EXTERNAL, the real approval and the
/// cancel MISSING_INTERNAL.) An EXPIRED payment whose method the PG reports as null keeps no method.
/// </summary>
public abstract class PgOutsideChangesTests<TDatabase>(UsdPaymentAppFixture<TDatabase> fx)
    where TDatabase : TestDatabase, new()
{
    private Task RunJanitorLaterAsync(TimeSpan later) => fx.RunJanitorLaterAsync(later);

    [Fact]
    public async Task CancelMadeOutside_AfterALostConfirm_IsBookedWithThePgsKeys_AndReconciliationFindsNothing()
    {
        var (key, order, amount) = await fx.CheckoutAsync(30_000, fault: SandboxFaults.CanceledOutside);
        var confirmed = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        Assert.Equal(PaymentStatus.UNKNOWN, confirmed.Status);

        await RunJanitorLaterAsync(TimeSpan.FromSeconds(30));
        var d = (await fx.Payments.GetAsync(key))!;
        var date = BusinessCalendar.BusinessDateOf(d.Payment.ApprovedAt!.Value);
        var run = await fx.Host.Get<ReconciliationService>().RunAsync(date, RunTrigger.CLI, "test", pullFirst: true,
            settleDelay: TimeSpan.Zero);
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);

        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        var findings = await db.Set<Finding>().Where(f => f.PaymentKey == key && f.LastRunId == run.Id)
            .Select(f => $"{f.Type} {f.TransactionKey}").ToListAsync();
        Assert.True(findings.Count == 0, "false findings: " + string.Join("; ", findings));
        Assert.True(run.KeysLearned >= 1);

        var atPg = (await fx.Host.Get<Core.Gateway.IPaymentGateway>().GetPaymentAsync(key)).Value!;
        var pgCancel = Assert.Single(atPg.Cancels!);
        d = (await fx.Payments.GetAsync(key))!;
        Assert.Equal((PaymentStatus.PARTIAL_CANCELED, 20_000L), (d.Payment.Status, d.Payment.BalanceAmount));
        Assert.Equal(PaymentMethod.CARD, d.Payment.Method);
        var cancel = Assert.Single(d.Transactions, t => t.Kind == TransactionKind.CANCEL);
        Assert.Equal((pgCancel.TransactionKey, 10_000L), (cancel.TransactionKey, cancel.Amount));
        Assert.Equal("KRW", cancel.Currency);
        // Booked without a key (the PG did not tell it: nothing made up), then learnt from its settlement line.
        Assert.Contains(d.Events, e => e.Message.Contains("approval key not told by the PG", StringComparison.Ordinal));
        var learned = await db.PaymentTransactions.SingleAsync(t => t.PaymentKey == key && t.Kind == TransactionKind.APPROVAL);
        var approvalLine = await db.Set<SettlementLine>().SingleAsync(l => l.PaymentKey == key && l.Amount > 0);
        Assert.Equal(approvalLine.TransactionKey, learned.TransactionKey);
        Assert.Contains(await db.PaymentEvents.Where(e => e.PaymentKey == key).Select(e => e.Type).ToListAsync(),
            t => t == ApprovalKeyLearning.EventType);
    }

    /// <summary>The PayPal forum case's amounts (726.24 USD, a cancel of 181.56): checkout API → sandbox PG → ledger → reconciliation.</summary>
    [Fact]
    public async Task UsdPayment_ThroughTheCheckoutApi_IsStoredInCents_CancelledInPart_AndReconcilesWithItsUsdLines()
    {
        var orderId = $"order-{Guid.NewGuid():N}"[..30];
        using (var checkout = await fx.Host.Http.PostAsJsonAsync("sandbox/pg/v1/checkout",
                   new { orderId, amount = 726.24m, currency = "USD", method = "CARD" }))
            Assert.Equal(HttpStatusCode.Created, checkout.StatusCode);
        var key = await PaymentKeyOfAsync(orderId);

        using var finer = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId, amount = 726.245m, currency = "USD" });
        Assert.Equal(HttpStatusCode.BadRequest, finer.StatusCode);
        Assert.Contains("726.245 USD has more decimals than the currency's 2", await finer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var euro = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId, amount = 726.24m, currency = "EUR" });
        Assert.Contains("UNSUPPORTED_CURRENCY", await euro.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var confirm = await fx.Api.PostAsJsonAsync("api/v1/payments/confirm", new { paymentKey = key, orderId, amount = 726.24m, currency = "USD" });
        var body = await confirm.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(confirm.IsSuccessStatusCode, body.ToString());
        Assert.Equal((726.24m, "USD"), (body.GetProperty("amount").GetDecimal(), body.GetProperty("currency").GetString()));

        using var cancelRequest = new HttpRequestMessage(HttpMethod.Post, $"api/v1/payments/{key}/cancel")
        {
            Content = JsonContent.Create(new { cancelAmount = 181.56m, cancelReason = "partial refund" }),
        };
        cancelRequest.Headers.Add("Idempotency-Key", $"usd-{key}");
        using var cancel = await fx.Api.SendAsync(cancelRequest);
        var cancelled = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(cancel.IsSuccessStatusCode, cancelled.ToString());
        Assert.Equal(544.68m, cancelled.GetProperty("payment").GetProperty("balanceAmount").GetDecimal());

        var d = (await fx.Payments.GetAsync(key))!;
        Assert.Equal(("USD", 72_624L, 54_468L), (d.Payment.Currency, d.Payment.Amount, d.Payment.BalanceAmount));
        Assert.All(d.Transactions, t => Assert.Equal("USD", t.Currency));
        Assert.Equal([72_624L, 18_156L], d.Transactions.Select(t => t.Amount));

        var date = BusinessCalendar.BusinessDateOf(d.Payment.ApprovedAt!.Value);
        var run = await fx.Host.Get<ReconciliationService>().RunAsync(date, RunTrigger.CLI, "test", pullFirst: true,
            settleDelay: TimeSpan.Zero);
        Assert.Equal(RunStatus.SUCCEEDED, run.Status);
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.Equal([-18_156L, 72_624L], await db.Set<SettlementLine>().Where(l => l.PaymentKey == key && l.Currency == "USD")
            .OrderBy(l => l.Amount).Select(l => l.Amount).ToListAsync());
        Assert.Empty(await db.Set<Finding>().Where(f => f.PaymentKey == key && f.LastRunId == run.Id).ToListAsync());
    }

    private async Task<string> PaymentKeyOfAsync(string orderId)
    {
        var r = await fx.Host.Get<Core.Gateway.IPaymentGateway>().GetPaymentByOrderIdAsync(orderId);
        Assert.True(r.IsSuccess, r.Describe());
        return r.Value!.PaymentKey;
    }

    [Fact]
    public async Task ExpiredPayment_WithANullMethodAtThePg_KeepsNoMethod()
    {
        var (key, order, amount) = await fx.CheckoutAsync(5_000, fault: SandboxFaults.Expire);
        var p = await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, amount));
        Assert.Null(p.Method); // unknown until the PG names it: never a CARD placeholder
        if (p.Status != PaymentStatus.EXPIRED)
            await RunJanitorLaterAsync(TimeSpan.FromHours(1));

        var d = (await fx.Payments.GetAsync(key))!;
        Assert.Equal(PaymentStatus.EXPIRED, d.Payment.Status);
        Assert.Null(d.Payment.Method);
        Assert.Null((await fx.Host.Get<Core.Gateway.IPaymentGateway>().GetPaymentAsync(key)).Value!.Method);
    }
}

/// <summary>The app with KRW and USD accepted (<c>Pg:Currencies</c>).</summary>
public sealed class UsdPaymentAppFixture<TDatabase> : PaymentAppFixture<TDatabase> where TDatabase : TestDatabase, new()
{
    public override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Pg:Currencies"] = "KRW,USD" };
}

public sealed class PgOutsideChangesSqliteTests(UsdPaymentAppFixture<SqliteTestDatabase> fx)
    : PgOutsideChangesTests<SqliteTestDatabase>(fx), IClassFixture<UsdPaymentAppFixture<SqliteTestDatabase>>;

public sealed class PgOutsideChangesPostgresTests(UsdPaymentAppFixture<PostgresTestDatabase> fx)
    : PgOutsideChangesTests<PostgresTestDatabase>(fx), IClassFixture<UsdPaymentAppFixture<PostgresTestDatabase>>;
