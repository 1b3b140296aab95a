using System.Globalization;
using Microsoft.Extensions.Configuration.Memory;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Sandbox;

/// <summary>
/// The demo's two PGs. On the embedded demo run (sandbox on, SQLite, <c>Demo:SeedOnFirstStart</c> on) without a
/// <c>Pgs</c> section, OpsConsole runs two PG connections, as defaults below the app's configuration:
/// <list type="bullet">
/// <item><c>Pgs:toss</c> — kind toss, the sandbox's Toss-like persona (<c>Sandbox:MerchantId</c>, the same secret key
/// as <c>Pg:SecretKey</c>); no fee contract (the flat rates of <c>Reconciliation:FeeRates</c>).</item>
/// <item><c>Pgs:sandbox-inicis</c> — kind file, the sandbox's file persona (<see cref="SandboxFilePg"/>, merchant id
/// <see cref="SandboxFilePg.MerchantId"/>), with a fee contract <c>Pg:Contracts:INIpayTest</c> whose base rates are the
/// persona's own (<c>Sandbox:FilePgFeeRates</c>).</item>
/// </list>
/// The CLI verbs of the same run build the same connections. Any configured <c>Pgs</c> section replaces both.
/// </summary>
public static class DemoPgConnections
{
    public const string FilePgName = SandboxFilePg.ProfileName;

    /// <summary>Whether this configuration is the embedded demo that gets the two PGs.</summary>
    public static bool Applies(IConfiguration config, IHostEnvironment env) =>
        SandboxSetup.IsEnabled(config, env)
        && config.GetValue("Demo:SeedOnFirstStart", true)
        && (config["Database:Provider"] is not { Length: > 0 } provider
            || Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out var p) && p == DatabaseProvider.Sqlite)
        && !config.GetSection("Pgs").GetChildren().Any();

    public static WebApplicationBuilder AddDemoPgConnections(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (!Applies(config, builder.Environment)) return builder;
        var sandbox = new SandboxOptions();
        config.GetSection("Sandbox").Bind(sandbox);
        var settings = new Dictionary<string, string?>
        {
            [$"Pgs:{PgConnections.LegacyName}:Kind"] = "toss",
            [$"Pgs:{PgConnections.LegacyName}:MerchantIds"] = sandbox.MerchantId,
            [$"Pgs:{PgConnections.LegacyName}:SecretKey"] = config["Pg:SecretKey"] is { Length: > 0 } key ? key : new PgOptions().SecretKey,
            [$"Pgs:{FilePgName}:Kind"] = "file",
            [$"Pgs:{FilePgName}:MerchantIds"] = SandboxFilePg.MerchantId,
        };
        if (!config.GetSection($"Pg:Contracts:{SandboxFilePg.MerchantId}").Exists())
            foreach (var (method, rate) in sandbox.FilePgFeeRates)
                settings[$"Pg:Contracts:{SandboxFilePg.MerchantId}:BaseRates:{method}"] = rate.ToString(CultureInfo.InvariantCulture);
        config.Sources.Insert(0, new MemoryConfigurationSource { InitialData = settings });
        return builder;
    }
}
