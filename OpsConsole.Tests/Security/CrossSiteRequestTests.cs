using System.Net;
using System.Net.Http.Json;
using System.Text;
using OpsConsole.Core.Repairs;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.RepairsUi;

namespace OpsConsole.Tests.Security;

/// <summary>
/// No action by cross-site request: a same-site page (another port of the host) posting a plain form with the
/// approver's cookie, or any cookie request without the antiforgery token, changes nothing.
/// </summary>
public sealed class CrossSiteRequestTests(RepairsAppFixture fx) : IClassFixture<RepairsAppFixture>
{
    private string OtherPortOrigin => $"http://127.0.0.1:{(fx.Host.BaseUri.Port == 1 ? 2 : fx.Host.BaseUri.Port - 1)}";
    private string OwnOrigin => fx.Host.BaseUri.GetLeftPart(UriPartial.Authority);

    private async Task<long> RequestedRefundAsync()
    {
        var (key, amount) = await fx.ChargedButFailedPaymentAsync(6_000);
        var r = await fx.Host.Get<RepairService>().RequestAsync(new RepairCommand(RepairKind.REFUND, key, null, amount, amount,
            "CHARGED_BUT_FAILED", "customer saw a failure", "finance"), ["finance"]);
        Assert.Equal(RepairStatus.REQUESTED, r.Status);
        return r.Id;
    }

    /// <summary>What the browser sends for an attacker's &lt;form enctype="text/plain" method="post"&gt;: the cookie, no token.</summary>
    private static HttpRequestMessage TextPlainForm(string path, string? origin, string? fetchSite)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("x=y", Encoding.UTF8, "text/plain") };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    private async Task AssertStillRequestedAsync(long id) =>
        Assert.Equal(RepairStatus.REQUESTED, (await fx.Host.Get<RepairService>().GetAsync(id)).Status);

    [Fact]
    public async Task ApproveRepair_ByACrossOriginTextPlainFormPost_Is403_AndTheRepairStaysUnapproved()
    {
        var id = await RequestedRefundAsync();
        using var oncall = await fx.SignedInClientAsync("oncall");

        using var response = await oncall.SendAsync(TextPlainForm($"api/v1/repairs/{id}/approve", OtherPortOrigin, "same-site"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("cross_origin", await SecurityHost.ProblemCodeAsync(response));
        await AssertStillRequestedAsync(id);
    }

    [Fact]
    public async Task ApproveRepair_FromAnotherPort_IsRefusedEvenWithAValidToken()
    {
        var id = await RequestedRefundAsync();
        using var oncall = await fx.SignedInClientAsync("oncall"); // sends the token header

        using var response = await oncall.SendAsync(TextPlainForm($"api/v1/repairs/{id}/approve", OtherPortOrigin, null));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("cross_origin", await SecurityHost.ProblemCodeAsync(response));
        await AssertStillRequestedAsync(id);
    }

    [Fact]
    public async Task ApproveRepair_WithoutTheAntiforgeryToken_Is403_AndTheRepairStaysUnapproved()
    {
        var id = await RequestedRefundAsync();
        using var oncall = await SecurityHost.SignedInAsync(fx.Host, "oncall", withToken: false);

        using var plain = await oncall.SendAsync(TextPlainForm($"api/v1/repairs/{id}/approve", null, null));
        using var sameOrigin = await oncall.SendAsync(TextPlainForm($"api/v1/repairs/{id}/approve", OwnOrigin, "same-origin"));
        using var json = await oncall.PostAsJsonAsync($"api/v1/repairs/{id}/approve", new { });

        foreach (var response in new[] { plain, sameOrigin, json })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("antiforgery", await SecurityHost.ProblemCodeAsync(response));
        }
        await AssertStillRequestedAsync(id);
    }

    [Fact]
    public async Task ApproveRepair_WithTheTokenAndANonJsonBody_Is415_AndWithTheTokenFromTheOwnOrigin_Approves()
    {
        var id = await RequestedRefundAsync();
        using var oncall = await fx.SignedInClientAsync("oncall");

        using var textPlain = await oncall.SendAsync(TextPlainForm($"api/v1/repairs/{id}/approve", OwnOrigin, "same-origin"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, textPlain.StatusCode);
        Assert.Equal("unsupported_media_type", await SecurityHost.ProblemCodeAsync(textPlain));
        await AssertStillRequestedAsync(id);

        using var ok = new HttpRequestMessage(HttpMethod.Post, $"api/v1/repairs/{id}/approve");
        ok.Headers.Add("Origin", OwnOrigin);
        ok.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var approved = await oncall.SendAsync(ok);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync());
        Assert.Equal(RepairStatus.SUCCEEDED, (await fx.Host.Get<RepairService>().GetAsync(id)).Status);
    }

    [Fact]
    public async Task ApproveRepairBatch_ByACrossOriginTextPlainFormPost_Is403_AndTheBatchStaysUnapproved()
    {
        var found = await fx.ChargedButFailedFindingsAsync(3_000);
        using var finance = await fx.SignedInClientAsync("finance");
        using var requested = await finance.PostAsJsonAsync("api/v1/repair-batches",
            new { findingIds = new[] { found[0].FindingId }, reasonCode = "CHARGED_BUT_FAILED", comment = "customers saw failures" });
        Assert.True(requested.IsSuccessStatusCode, await requested.Content.ReadAsStringAsync());
        var batchId = (await requested.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        using var oncall = await SecurityHost.SignedInAsync(fx.Host, "oncall", withToken: false);

        using var crossOrigin = await oncall.SendAsync(TextPlainForm($"api/v1/repair-batches/{batchId}/approve", OtherPortOrigin, "same-site"));
        using var noToken = await oncall.SendAsync(TextPlainForm($"api/v1/repair-batches/{batchId}/approve", null, null));

        Assert.Equal("cross_origin", await SecurityHost.ProblemCodeAsync(crossOrigin));
        Assert.Equal("antiforgery", await SecurityHost.ProblemCodeAsync(noToken));
        Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        var batch = await fx.Host.Get<RepairBatchService>().GetAsync(batchId);
        Assert.Equal(RepairBatchStatus.REQUESTED, batch.Batch.Status);
    }

    [Fact]
    public async Task StartRun_ByACrossSiteFormPost_Is403()
    {
        using var oncall = await SecurityHost.SignedInAsync(fx.Host, "oncall", withToken: false);

        using var response = await oncall.SendAsync(new HttpRequestMessage(HttpMethod.Post, "console/runs")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["date"] = "2026-11-20" }),
            Headers = { { "Origin", "http://evil.example" }, { "Sec-Fetch-Site", "cross-site" } },
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("cross_origin", await SecurityHost.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task AntiforgeryToken_NeedsASession()
    {
        using var anonymous = SecurityHost.NewClient(fx.Host);

        using var response = await anonymous.GetAsync("account/antiforgery");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
