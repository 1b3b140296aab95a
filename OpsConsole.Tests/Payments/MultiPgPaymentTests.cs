using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// With two PG connections configured (the sandbox as the toss one, a file PG), a payment and the lines pulled from
/// the PG carry the toss connection's name; its client settings are read from <c>Pgs:{name}</c>. A payment the caller
/// makes through the file PG (the sandbox's file persona) carries that PG's name and never reaches the toss pull; with
/// a real PG API (not the sandbox) a payment through a file PG is refused before anything is stored.
/// </summary>
public sealed class MultiPgPaymentTests
{
    [Fact]
    public async Task APaymentAndItsPulledSettlementLine_CarryTheTossConnectionsName()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Pgs:toss-kr:Kind"] = "toss",
            ["Pgs:toss-kr:MerchantIds"] = "opsconsole_sandbox",
            ["Pgs:toss-kr:SecretKey"] = "test_sk_opsconsole_sandbox",
            ["Pgs:inicis:Kind"] = "file",
            ["Pgs:inicis:MerchantIds"] = "INIpayTest",
        });
        var (key, order, amount) = await host.CheckoutAsync(12_300);

        var confirmed = await host.Get<PaymentService>().ConfirmAsync(new ConfirmCommand(key, order, amount));
        var today = BusinessCalendar.Today(TimeProvider.System);
        await host.Get<SettlementPuller>().PullAsync(today, today, "test");

        Assert.Equal(PaymentStatus.DONE, confirmed.Status);
        await using var db = await host.Get<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        Assert.Equal("toss-kr", (await db.Payments.SingleAsync(p => p.PaymentKey == key)).Pg);
        Assert.Equal(["toss-kr"], await db.Set<SettlementLine>().Where(l => l.PaymentKey == key).Select(l => l.Pg).ToListAsync());

        // Through the file PG: the sandbox's file persona takes the payment, the ledger records the connection named.
        var fileOrder = $"order-{Guid.NewGuid():N}"[..30];
        using var checkout = await host.Http.PostAsJsonAsync("sandbox/pg/v1/checkout",
            new { orderId = fileOrder, amount = 45_600, method = "CARD", mId = OpsConsole.Sandbox.SandboxFilePg.MerchantId });
        var fileKey = (await checkout.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("paymentKey").GetString()!;
        var viaFile = await host.Get<PaymentService>().ConfirmAsync(new ConfirmCommand(fileKey, fileOrder, 45_600, Pg: "inicis"));
        await host.Get<SettlementPuller>().PullAsync(today, today, "test");
        Assert.Equal(PaymentStatus.DONE, viaFile.Status);
        await using var again = await host.Get<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        Assert.Equal("inicis", (await again.Payments.SingleAsync(p => p.PaymentKey == fileKey)).Pg);
        Assert.False(await again.Set<SettlementLine>().AnyAsync(l => l.PaymentKey == fileKey));

        // Against a real PG API a file PG's payment is not sent to the toss API: refused, nothing stored.
        var realApi = new Core.Gateway.PgEndpoint(Microsoft.Extensions.Options.Options.Create(
            new Core.Gateway.PgOptions { BaseUrl = "https://api.tosspayments.com" }), host.Services) { SandboxEnabled = true };
        var payments = ActivatorUtilities.CreateInstance<PaymentService>(host.Services, realApi);
        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            payments.ConfirmAsync(new ConfirmCommand("pay_file_refused", "order-file-refused", 1_000, Pg: "inicis")));
        Assert.Equal("PG_NO_API", refused.Code);
        Assert.False(await again.Payments.AnyAsync(p => p.PaymentKey == "pay_file_refused"));
        var unknown = await Assert.ThrowsAsync<DomainException>(() =>
            payments.ConfirmAsync(new ConfirmCommand("pay_x", "order-x-0001", 1_000, Pg: "nicepay")));
        Assert.Equal("PG_UNKNOWN", unknown.Code);
    }

    [Fact]
    public void APaymentWithoutItsPg_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Payment.StartConfirm("pay_1", "order-0001", 100, "KRW", "t", DateTimeOffset.UnixEpoch, " "));
}
