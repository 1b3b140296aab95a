using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OpsConsole.Core.Repairs;

public static class RepairSetup
{
    public static IHostApplicationBuilder AddRepairs(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RepairOptions>(builder.Configuration.GetSection("Repairs"));
        builder.Services.AddSingleton<RepairNotifier>();
        builder.Services.AddSingleton<RepairService>();
        return builder;
    }
}
