using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Payments;

/// <summary>
/// With two PG connections configured (the sandbox as the toss one, a file PG), a payment and the lines pulled from
/// the PG carry the toss connection's name; its client settings are read from <c>Pgs:{name}</c>.
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
    }

    [Fact]
    public void APaymentWithoutItsPg_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Payment.StartConfirm("pay_1", "order-0001", 100, "KRW", "t", DateTimeOffset.UnixEpoch, " "));
}
