using OpsConsole.Core.Payments;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Repairs;

/// <summary>
/// <c>Repairs:SingleApproverMaxAmount</c> (500 in the fixture) caps the SUM of refunds approved without a
/// second person, per payment and per requester per business day: small requests cannot add up past it.
/// </summary>
public abstract class SingleApproverCapTests<TDatabase>(RepairAppFixture<TDatabase> fx) where TDatabase : TestDatabase, new()
{
    private RepairService Repairs => fx.Host.Get<RepairService>();
    private static readonly string[] Finance = ["finance"];

    private async Task<string> PaidAsync(long amount)
    {
        var (key, order, a) = await fx.CheckoutAsync(amount);
        Assert.Equal(PaymentStatus.DONE, (await fx.Payments.ConfirmAsync(new ConfirmCommand(key, order, a))).Status);
        return key;
    }

    private static RepairCommand Refund(string key, long amount, string by) =>
        new(RepairKind.REFUND, key, null, amount, amount, "CUSTOMER_REQUEST", "split refund", by);

    [Fact]
    public async Task SixSmallRefundsOfOnePayment_ByDifferentPeople_TheSixthWaitsForASecondApprover()
    {
        var key = await PaidAsync(10_000);
        var statuses = new List<RepairStatus>();
        for (var i = 0; i < 6; i++)
            statuses.Add((await Repairs.RequestAsync(Refund(key, 100, $"cap-pay-{Guid.NewGuid():N}"), Finance)).Status);

        Assert.Equal([.. Enumerable.Repeat(RepairStatus.SUCCEEDED, 5), RepairStatus.REQUESTED], statuses);
        Assert.Equal(9_500, (await fx.Payments.GetAsync(key))!.Payment.BalanceAmount);
    }

    [Fact]
    public async Task SixSmallRefundsByOneRequesterInADay_OnDifferentPayments_TheSixthWaitsForASecondApprover()
    {
        var requester = $"cap-req-{Guid.NewGuid():N}";
        var keys = new List<string>();
        for (var i = 0; i < 6; i++) keys.Add(await PaidAsync(5_000));

        var statuses = new List<RepairStatus>();
        foreach (var key in keys)
            statuses.Add((await Repairs.RequestAsync(Refund(key, 100, requester), Finance)).Status);

        Assert.Equal([.. Enumerable.Repeat(RepairStatus.SUCCEEDED, 5), RepairStatus.REQUESTED], statuses);
        Assert.Equal(5_000, (await fx.Payments.GetAsync(keys[5]))!.Payment.BalanceAmount);
        Assert.Equal(RepairStatus.REQUESTED, (await Repairs.RequestAsync(Refund(await PaidAsync(5_000), 1, requester), Finance)).Status);
    }

    [Fact]
    public async Task TwoSmallRefundsRequestedAtOnce_TogetherOverTheLimit_DoNotBothSkipTheSecondApprover()
    {
        var requester = $"cap-race-{Guid.NewGuid():N}";
        var a = await PaidAsync(5_000);
        var b = await PaidAsync(5_000);

        var results = await Task.WhenAll(Task.Run(() => Repairs.RequestAsync(Refund(a, 300, requester), Finance)),
            Task.Run(() => Repairs.RequestAsync(Refund(b, 300, requester), Finance)));

        Assert.Single(results, r => r.ApprovedBy == SingleApproverRule.Approver);
    }

    [Theory]
    [InlineData(100, 0, 0, 500, true)]
    [InlineData(100, 400, 0, 500, true)]
    [InlineData(100, 401, 0, 500, false)]
    [InlineData(100, 0, 401, 500, false)]
    [InlineData(501, 0, 0, 500, false)]
    [InlineData(100, 0, 0, 0, false)]
    [InlineData(1, long.MaxValue, 0, 500, false)]
    public void Rule_AllowsOnlyWhileBothSumsStayWithinTheLimit(long amount, long paymentSum, long daySum, long max, bool allowed) =>
        Assert.Equal(allowed, SingleApproverRule.Allows(amount, paymentSum, daySum, max));
}

public sealed class SingleApproverCapSqliteTests(RepairAppFixture<SqliteTestDatabase> fx)
    : SingleApproverCapTests<SqliteTestDatabase>(fx), IClassFixture<RepairAppFixture<SqliteTestDatabase>>;

public sealed class SingleApproverCapPostgresTests(RepairAppFixture<PostgresTestDatabase> fx)
    : SingleApproverCapTests<PostgresTestDatabase>(fx), IClassFixture<RepairAppFixture<PostgresTestDatabase>>;
