using OpsConsole.Core.Cash;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cash;

public sealed class CashOptionsTests
{
    private static IReadOnlyList<string> Failures(CashOptions options) =>
        new CashOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void ValidSettings_Pass()
    {
        var options = CashTestSupport.Options();
        options.Pgs["tosspayments"] = new CashPgOptions
        {
            Account = "kb-operating", Counterparty = "토스페이먼츠, TOSS",
            PayoutDays = new(StringComparer.OrdinalIgnoreCase) { ["CARD"] = 2, ["easy_pay"] = 1 },
        };

        Assert.Empty(Failures(options));
        Assert.Equal(["토스페이먼츠", "TOSS"], options.Pgs["tosspayments"].CounterpartyPatterns);
    }

    [Fact]
    public void EachBadSetting_IsNamed()
    {
        var options = CashTestSupport.Options();
        options.Accounts["dup"] = new CashAccountOptions { Number = "110123456789", Currency = "won" };
        options.Accounts["blank"] = new CashAccountOptions();
        options.Pgs["m1"] = new CashPgOptions { Account = "shinhan", Counterparty = " , ", PayoutDays = new() { ["BITCOIN"] = 2, ["CARD"] = -1 } };

        var failures = Failures(options);

        Assert.Contains("Cash:Accounts:dup:Number '110123456789' is also the number of account 'kb-operating'.", failures);
        Assert.Contains(failures, f => f.StartsWith("Cash:Accounts:dup:Currency 'won'", StringComparison.Ordinal));
        Assert.Contains("Cash:Accounts:blank:Number is required.", failures);
        Assert.Contains("Cash:Pgs:m1:Account 'shinhan' is not a configured account (Cash:Accounts:shinhan:Number is not set).", failures);
        Assert.Contains(failures, f => f.StartsWith("Cash:Pgs:m1:Counterparty is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cash:Pgs:m1:PayoutDays:BITCOIN: unknown payment method", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Cash:Pgs:m1:PayoutDays:CARD = -1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APgPayingIntoAnUnknownAccount_StopsTheStart_NamingTheSetting()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Cash:Accounts:kb:Number"] = "110-123-456789",
            ["Cash:Pgs:tosspayments:Account"] = "hana",
            ["Cash:Pgs:tosspayments:Counterparty"] = "토스페이먼츠",
        }));

        Assert.Contains("Cash:Pgs:tosspayments:Account 'hana' is not a configured account", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_AreBoundFromConfiguration_IncludingTheCalendarsExtraClosures()
    {
        await using var host = await AppHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Cash:Accounts:kb:Number"] = "110-123-456789",
            ["Cash:Accounts:kb:Bank"] = "KB국민은행",
            ["Cash:Pgs:tosspayments:Account"] = "kb",
            ["Cash:Pgs:tosspayments:Counterparty"] = "토스페이먼츠,TOSS",
            ["Cash:Pgs:tosspayments:PayoutDays:CARD"] = "2",
            ["Cash:ExtraClosures:0"] = "2026-07-17",
        });

        var options = host.Get<Microsoft.Extensions.Options.IOptions<CashOptions>>().Value;
        Assert.Equal(("110-123-456789", "KB국민은행", "KRW"), (options.Accounts["KB"].Number, options.Accounts["kb"].Bank, options.Accounts["kb"].Currency));
        Assert.Equal(2, options.Pgs["tosspayments"].PayoutDays["card"]);
        Assert.Equal(2, options.DateWindowBusinessDays);
        Assert.False(host.Get<KoreanBusinessCalendar>().IsBusinessDay(new DateOnly(2026, 7, 17)));
    }
}
