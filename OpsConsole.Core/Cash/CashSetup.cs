using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OpsConsole.Core.Cash;

public static class CashSetup
{
    /// <summary>Settings <c>Cash:*</c> (validated on start), the business-day calendar, profiles and the statement importer.</summary>
    public static IHostApplicationBuilder AddCash(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CashOptions>().BindConfiguration("Cash").ValidateOnStart();
        services.AddSingleton<IValidateOptions<CashOptions>, CashOptionsValidator>();
        services.AddSingleton(sp => new KoreanBusinessCalendar(sp.GetRequiredService<IOptions<CashOptions>>().Value.ExtraClosures));
        services.AddSingleton<CashSettings>();
        services.AddSingleton<BankProfileStore>();
        services.AddSingleton<BankStatementImporter>();
        services.AddSingleton<Payouts.PayoutReconciliationService>();
        services.AddSingleton<Payouts.CashViewService>();
        services.AddSingleton<Reconciliation.IScheduledRunFollower, Payouts.PayoutScheduleFollower>();
        return builder;
    }
}
