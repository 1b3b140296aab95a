using Microsoft.Extensions.Configuration;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>Two PG connections as in docs/configuration.md: Toss by API (<c>tosspayments</c>) and KG Inicis by files (<c>INIpayTest</c>).</summary>
public static class TwoPgs
{
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Pgs:toss:Kind"] = "toss",
        ["Pgs:toss:MerchantIds"] = "tosspayments",
        ["Pgs:toss:SecretKey"] = "test_sk_opsconsole_sandbox",
        ["Pgs:inicis:Kind"] = "file",
        ["Pgs:inicis:MerchantIds"] = "INIpayTest",
    };

    public static PgConnections Connections { get; } =
        PgConnections.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(Settings).Build());

    /// <summary>Toss by API and the sandbox's file persona (<c>sandbox-inicis</c>, the PG its shipped profile names).</summary>
    public static PgConnections WithSandboxInicis { get; } = PgConnections.FromConfiguration(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pgs:toss:Kind"] = "toss",
            ["Pgs:toss:MerchantIds"] = "tosspayments",
            ["Pgs:toss:SecretKey"] = "test_sk_opsconsole_sandbox",
            ["Pgs:sandbox-inicis:Kind"] = "file",
            ["Pgs:sandbox-inicis:MerchantIds"] = "INIpayTest",
        }).Build());
}
