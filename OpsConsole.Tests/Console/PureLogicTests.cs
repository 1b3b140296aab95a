using OpsConsole.Core.Common;
using System.Security.Claims;
using OpsConsole.Components.Account;
using OpsConsole.Components.Pages.Audit;
using OpsConsole.Components.Shared;
using OpsConsole.Core.Timeline;

namespace OpsConsole.Tests.Console;

public sealed class MaskingTests
{
    [Theory]
    [InlineData("card 4111 1111 1111 1111 declined", "card **** **** **** 1111 declined")]
    [InlineData("card=4111111111111111", "card=************1111")]
    [InlineData("mail kim.minsu@example.co.kr", "mail k***@example.co.kr")]
    [InlineData("phone 010-1234-5678 called", "phone 010-****-5678 called")]
    [InlineData("phone 01012345678", "phone 010-****-5678")]
    public void Mask_HidesCardAndContactData(string input, string expected) =>
        Assert.Equal(expected, Masking.Mask(input));

    [Theory]
    [InlineData("approvedAt 1732520000000 amount 15000")]
    [InlineData("trace 4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("order ORD-20261125-000123")]
    public void Mask_LeavesTimestampsIdsAndAmountsAlone(string input) =>
        Assert.Equal(input, Masking.Mask(input));
}

public sealed class TraceLinkTests
{
    [Fact]
    public void Build_FillsTraceIdAndAWindowAroundThePayment()
    {
        var options = new TraceLinkOptions
        {
            WindowMinutes = 10,
            Links =
            {
                ["Jaeger"] = "https://jaeger.example/trace/{traceId}",
                ["Grafana Tempo"] = "https://grafana.example/explore?traceId={traceId}&from={fromMs}&to={toMs}",
                ["Datadog"] = "https://app.datadoghq.com/apm/trace/{traceId}?start={fromMs}&end={toMs}",
            },
        };
        var from = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
        var to = from.AddMinutes(3);

        var links = TraceLinks.Build(options, "4bf92f3577b34da6a3ce929d0e0e4736", from, to);

        Assert.Equal(3, links.Count);
        Assert.Equal("https://jaeger.example/trace/4bf92f3577b34da6a3ce929d0e0e4736", links.Single(l => l.Name == "Jaeger").Url);
        var grafana = links.Single(l => l.Name == "Grafana Tempo").Url;
        Assert.Contains($"from={from.AddMinutes(-10).ToUnixTimeMilliseconds()}", grafana);
        Assert.Contains($"to={to.AddMinutes(10).ToUnixTimeMilliseconds()}", grafana);
    }

    [Fact]
    public void Build_WithoutTraceId_GivesNoLinks() =>
        Assert.Empty(TraceLinks.Build(new TraceLinkOptions { Links = { ["Jaeger"] = "x/{traceId}" } }, null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
}

public sealed class AccountLogicTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://0.0.0.0:5000", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://[::]:80", false)]
    [InlineData("https://10.1.2.3:443", false)]
    public void LoopbackGuard_KnowsLoopbackFromReachableAddresses(string address, bool loopback) =>
        Assert.Equal(loopback, LoopbackGuard.ListensOnlyOnLoopback([address]));

    [Fact]
    public void LoopbackGuard_OneReachableAddressIsEnough() =>
        Assert.False(LoopbackGuard.ListensOnlyOnLoopback(["http://127.0.0.1:5000", "http://0.0.0.0:5001"]));

    [Fact]
    public void OidcRoles_FromJsonArrayOrRepeatedClaims_KeepOnlyConsoleRoles()
    {
        Claim[] claims =
        [
            new("groups", "[\"oncall\",\"Finance\",\"payroll\"]"),
            new("groups", "admin"),
            new("other", "engineer"),
        ];

        var roles = OidcRoleMapper.MapRoles(claims, "groups");

        Assert.Equal(["oncall", "finance", "admin"], roles);
    }

    [Fact]
    public void OidcPrincipal_IsInConsoleRolesAndMarkedAsSso()
    {
        var external = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "u-1"), new Claim("preferred_username", "kim"), new Claim("roles", "oncall")], "oidc"));

        var principal = OidcRoleMapper.ToConsolePrincipal(external, "roles", "preferred_username");

        Assert.Equal("kim", principal.Identity!.Name);
        Assert.True(principal.IsInRole(ConsoleRoles.Oncall));
        Assert.True(ConsoleActions.RunReconciliation.IsAllowedFor(principal));
        Assert.True(principal.HasClaim(OidcRoleMapper.SourceClaim, "oidc"));
    }

    [Theory]
    [InlineData("/audit?x=1", "/audit?x=1")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData(null, "/")]
    public void ReturnUrl_OnlyLocalPaths(string? input, string expected) =>
        Assert.Equal(expected, AccountEndpoints.SafeReturnUrl(input));
}

public sealed class CsvAndFilterTests
{
    [Fact]
    public void Csv_QuotesSeparatorsAndDefusesFormulas_ButKeepsNumbersNumbers()
    {
        Assert.Equal("\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),-1500,'-1500",
            CsvCells.Row(CsvCells.Text("a,b"), CsvCells.Text("say \"hi\""), CsvCells.Text("=SUM(A1)"), CsvCells.Number(-1500),
                CsvCells.Text("-1500")));
    }

    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1+2", "'+1+2")]
    [InlineData("-1+2", "'-1+2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("a=1", "a=1")]
    [InlineData("", "")]
    public void Csv_TextCell_StartingAFormula_GetsAnApostrophe(string text, string cell) =>
        Assert.Equal(cell, CsvCells.Text(text));

    [Fact]
    public void AuditFilter_RoundTripsThroughTheUrl()
    {
        var filter = new AuditFilter("admin", "auth.", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 25), "finance");

        var query = filter.ToQueryString();
        var parsed = System.Web.HttpUtility.ParseQueryString(query);
        var back = AuditFilter.FromQuery(parsed["actor"], parsed["action"], parsed["from"], parsed["to"], parsed["target"]);

        Assert.Equal("actor=admin&action=auth.&from=2026-11-01&to=2026-11-25&target=finance", query);
        Assert.Equal(filter, back);
        Assert.Equal("audit_actor-admin_action-auth._target-finance_2026-11-01_2026-11-25.csv", filter.ToFileName());
    }

    [Fact]
    public void AuditFilter_IgnoresBlankAndMalformedValues() =>
        Assert.Equal(new AuditFilter(), AuditFilter.FromQuery(" ", null, "25/11/2026", "", null));
}
