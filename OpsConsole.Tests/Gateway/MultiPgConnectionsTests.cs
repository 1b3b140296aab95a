using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpsConsole.Core;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Tests.Gateway;

/// <summary>
/// The PG connections (<c>Pgs:{name}</c>): read and checked at start, each problem named; without <c>Pgs</c> the
/// single <c>Pg</c> section is one toss connection, so existing settings keep working.
/// </summary>
public sealed class MultiPgConnectionsTests
{
    /// <summary>The documented example (docs/configuration.md): Toss by API, KG Inicis by files.</summary>
    private static readonly Dictionary<string, string?> TwoPgs = new()
    {
        ["Pgs:toss:Kind"] = "toss",
        ["Pgs:toss:MerchantIds"] = "tosspayments, opsconsole_sandbox",
        ["Pgs:toss:SecretKey"] = "test_sk_two_pgs",
        ["Pgs:inicis:Kind"] = "file",
        ["Pgs:inicis:MerchantIds:0"] = "INIpayTest",
        ["Pgs:inicis:MerchantIds:1"] = "INIpayShop2",
    };

    private static IConfiguration Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static string Refusal(Dictionary<string, string?> values) =>
        Assert.Throws<ConfigurationError>(() => PgConnections.FromConfiguration(Config(values))).Message;

    private static Dictionary<string, string?> TwoPgsWith(params (string Key, string? Value)[] changes)
    {
        var values = new Dictionary<string, string?>(TwoPgs);
        foreach (var (key, value) in changes)
        {
            if (value is null) values.Remove(key);
            else values[key] = value;
        }
        return values;
    }

    [Fact]
    public void WithoutPgs_TheSinglePgSectionIsOneTossConnectionServingEveryMerchant()
    {
        var pgs = PgConnections.FromConfiguration(Config(new() { ["Pg:SecretKey"] = "sk" }));

        var only = Assert.Single(pgs.All);
        Assert.Equal((PgConnections.LegacyName, PgKind.Toss), (only.Name, only.Kind));
        Assert.Same(only, pgs.Api);
        Assert.True(only.Serves("any_mid"));
        Assert.Null(pgs.ApiSection);
        Assert.Same(only, pgs.Resolve(null));
    }

    [Fact]
    public void TwoPgs_AreReadWithTheirKindsAndMerchantIds()
    {
        var pgs = PgConnections.FromConfiguration(Config(TwoPgs));

        Assert.Equal(["inicis", "toss"], pgs.All.Select(c => c.Name));
        Assert.Equal(["INIpayTest", "INIpayShop2"], pgs.Find("inicis")!.MerchantIds);
        Assert.Equal(["tosspayments", "opsconsole_sandbox"], pgs.Find("toss")!.MerchantIds);
        Assert.Equal("toss", pgs.Api!.Name);
        Assert.Equal("Pgs:toss", pgs.ApiSection);
        Assert.True(pgs.Find("inicis")!.Serves("INIpayTest"));
        Assert.False(pgs.Find("inicis")!.Serves("tosspayments"));
        Assert.False(pgs.Find("inicis")!.Serves(null));
    }

    [Theory]
    [InlineData("Pgs:inicis:Kind", "excel", "Pgs:inicis:Kind 'excel' is not a known kind (toss or file).")]
    [InlineData("Pgs:inicis:Kind", "Toss", "Pgs:inicis:Kind 'Toss' is not a known kind (toss or file).")]
    [InlineData("Pgs:inicis:MerchantIds:1", "tosspayments", "Pgs:toss:MerchantIds: merchant id 'tosspayments' is already served by PG 'inicis'")]
    [InlineData("Pgs:toss:SecretKey", null, "Pgs:toss:SecretKey is missing: a toss connection needs its API secret key.")]
    [InlineData("Pgs:inicis:SecretKey", "sk", "Pgs:inicis:SecretKey is set on a file connection")]
    [InlineData("Pgs:inicis:Kind", "toss", "Pgs: 2 toss connections (inicis, toss)")]
    public void ABadConnection_IsRefusedAtStart_WithTheSettingNamed(string key, string? value, string expected)
    {
        var changes = new List<(string, string?)> { (key, value) };
        if (key == "Pgs:inicis:Kind" && value == "toss") changes.Add(("Pgs:inicis:SecretKey", "sk2"));

        var message = Refusal(TwoPgsWith([.. changes]));

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void AConnectionWithoutKindOrMerchantIds_IsRefused_EveryProblemListed()
    {
        var message = Refusal(TwoPgsWith(("Pgs:inicis:Kind", null), ("Pgs:toss:MerchantIds", null)));

        Assert.Contains("Pgs:inicis:Kind is missing (toss or file).", message, StringComparison.Ordinal);
        Assert.Contains("Pgs:toss:MerchantIds is empty", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NeedsTheNameWhenSeveralAreConfigured_AndRefusesAnUnknownOne()
    {
        var pgs = PgConnections.FromConfiguration(Config(TwoPgs));

        var missing = Assert.Throws<DomainException>(() => pgs.Resolve(null));
        var unknown = Assert.Throws<DomainException>(() => pgs.Resolve("nicepay"));

        Assert.Equal("--pg is required: 2 PG connections are configured (inicis, toss).", missing.Message);
        Assert.Equal("--pg 'nicepay' is not a configured PG connection (configured: inicis, toss).", unknown.Message);
        Assert.Equal("inicis", pgs.Resolve("inicis").Name);
    }

    [Fact]
    public void TheTossConnectionsSettings_AreReadOverTheSharedPgSettings()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(TwoPgs)
        {
            ["Pg:AttemptTimeout"] = "00:00:07",
            ["Pg:SecretKey"] = "sk_shared",
            ["Pgs:toss:BaseUrl"] = "https://api.tosspayments.com",
        });
        builder.AddOpsConsoleCore();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<PgOptions>>().Value;

        Assert.Equal(("test_sk_two_pgs", "https://api.tosspayments.com", TimeSpan.FromSeconds(7)),
            (options.SecretKey, options.BaseUrl, options.AttemptTimeout));
        Assert.Equal(2, services.GetRequiredService<PgConnections>().All.Count);
    }

    [Fact]
    public void ABadPgsSection_StopsTheStart()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(TwoPgsWith(("Pgs:inicis:Kind", "api")));

        var e = Assert.Throws<ConfigurationError>(() => builder.AddOpsConsoleCore());

        Assert.Contains("Pgs:inicis:Kind 'api' is not a known kind", e.Message, StringComparison.Ordinal);
    }
}
