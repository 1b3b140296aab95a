using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.RepairsUi;

/// <summary>/api/v1/repairs over real HTTP with console sessions: roles, maker-checker, problems, the PG outcome.</summary>
public sealed class RepairsApiTests(RepairsAppFixture fx) : IClassFixture<RepairsAppFixture>
{
    private static async Task<JsonElement> JsonAsync(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    private static object Refund(string key, long amount, long? findingId = null, long? confirm = null) => new
    {
        kind = "REFUND", paymentKey = key, findingId, amount, confirmAmount = confirm ?? amount,
        reasonCode = "CHARGED_BUT_FAILED", comment = "customer saw a failure but was charged",
    };

    private static async Task AssertProblemAsync(HttpResponseMessage r, HttpStatusCode status, string code)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == status, $"expected {(int)status} {code}, got {(int)r.StatusCode}: {body}");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task FinanceRequests_SameFinanceCannotApprove_OncallApproves_AndThePgShowsItCancelled()
    {
        var (key, amount, findingId) = await fx.ChargedButFailedFindingAsync(9_000);
        using var finance = await fx.SignedInClientAsync("finance");
        using var oncall = await fx.SignedInClientAsync("oncall");

        using var requested = await finance.PostAsJsonAsync("api/v1/repairs", Refund(key, amount, findingId));
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var repair = await JsonAsync(requested);
        var id = repair.GetProperty("id").GetInt64();
        Assert.Equal("REQUESTED", repair.GetProperty("status").GetString());
        Assert.Equal("finance", repair.GetProperty("requestedBy").GetString());
        Assert.Equal($"/api/v1/repairs/{id}", requested.Headers.Location?.OriginalString);

        // Waiting for oncall, not for the requester.
        var forOncall = await JsonAsync(await oncall.GetAsync("api/v1/repairs?pending=true&waitingForMe=true"));
        Assert.Contains(forOncall.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
        var forFinance = await JsonAsync(await finance.GetAsync("api/v1/repairs?pending=true&waitingForMe=true"));
        Assert.DoesNotContain(forFinance.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);

        using var self = await finance.PostAsync($"api/v1/repairs/{id}/approve", null);
        await AssertProblemAsync(self, HttpStatusCode.Conflict, "SELF_APPROVAL");

        using var approved = await oncall.PostAsync($"api/v1/repairs/{id}/approve", null);
        Assert.True(approved.StatusCode == HttpStatusCode.OK, await approved.Content.ReadAsStringAsync());
        var done = await JsonAsync(approved);
        Assert.Equal("SUCCEEDED", done.GetProperty("status").GetString());
        Assert.Equal("oncall", done.GetProperty("approvedBy").GetString());

        var atPg = await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key);
        Assert.Equal("CANCELED", atPg.Value!.Status);
        Assert.Equal(0, atPg.Value.BalanceAmount);

        var detail = await JsonAsync(await oncall.GetAsync($"api/v1/repairs/{id}"));
        var steps = detail.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("action").GetString()).ToList();
        // The refused self-approval is evidence too.
        Assert.Equal(["repair.request", "repair.approve.refused", "repair.approve", "repair.execute", "repair.succeeded", "repair.recheck"],
            steps.Where(s => s!.StartsWith("repair.", StringComparison.Ordinal)).ToList());
        await using var db = await fx.Database.Factory.CreateDbContextAsync();
        Assert.Equal(FindingStatus.RESOLVED, (await db.Set<Finding>().SingleAsync(f => f.Id == findingId)).Status);

        // Approving again is refused with the state it is in.
        using var again = await oncall.PostAsync($"api/v1/repairs/{id}/approve", null);
        await AssertProblemAsync(again, HttpStatusCode.Conflict, "ILLEGAL_TRANSITION");
    }

    [Fact]
    public async Task Engineer_Gets403Problems_ForRequestApproveAndReject_ButCanRead()
    {
        var (key, amount) = await fx.ChargedButFailedPaymentAsync();
        using var engineer = await fx.SignedInClientAsync("engineer");
        using var finance = await fx.SignedInClientAsync("finance");

        using var request = await engineer.PostAsJsonAsync("api/v1/repairs", Refund(key, amount));
        await AssertProblemAsync(request, HttpStatusCode.Forbidden, "FORBIDDEN");

        using var requested = await finance.PostAsJsonAsync("api/v1/repairs", Refund(key, amount));
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var id = (await JsonAsync(requested)).GetProperty("id").GetInt64();

        using var approve = await engineer.PostAsync($"api/v1/repairs/{id}/approve", null);
        await AssertProblemAsync(approve, HttpStatusCode.Forbidden, "FORBIDDEN");
        using var reject = await engineer.PostAsJsonAsync($"api/v1/repairs/{id}/reject", new { reason = "no" });
        await AssertProblemAsync(reject, HttpStatusCode.Forbidden, "FORBIDDEN");

        using var read = await engineer.GetAsync($"api/v1/repairs/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("REQUESTED", (await JsonAsync(read)).GetProperty("repair").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SecondRequest_WhileOneIsPending_Is409_SayingWhoHoldsIt_AndRejectNeedsAReason()
    {
        var (key, amount) = await fx.ChargedButFailedPaymentAsync();
        using var finance = await fx.SignedInClientAsync("finance");
        using var finance2 = await fx.SignedInClientAsync("finance2");

        using var first = await finance.PostAsJsonAsync("api/v1/repairs", Refund(key, amount));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await JsonAsync(first)).GetProperty("id").GetInt64();

        using var second = await finance2.PostAsJsonAsync("api/v1/repairs", Refund(key, amount));
        await AssertProblemAsync(second, HttpStatusCode.Conflict, "REPAIR_IN_PROGRESS");
        Assert.Contains("finance", (await JsonAsync(second)).GetProperty("detail").GetString());

        using var noReason = await finance2.PostAsJsonAsync($"api/v1/repairs/{id}/reject", new { reason = " " });
        await AssertProblemAsync(noReason, HttpStatusCode.BadRequest, "REASON_REQUIRED");
        using var rejected = await finance2.PostAsJsonAsync($"api/v1/repairs/{id}/reject", new { reason = "duplicate of a ticket" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        Assert.Equal("REJECTED", (await JsonAsync(rejected)).GetProperty("status").GetString());

        // Nothing moved at the PG.
        Assert.Equal("DONE", (await fx.Host.Get<IPaymentGateway>().GetPaymentAsync(key)).Value!.Status);
    }

    [Theory]
    [InlineData("{\"kind\":\"REFUND\",\"paymentKey\":\"{key}\",\"amount\":7000,\"confirmAmount\":700,\"reasonCode\":\"OTHER\",\"comment\":\"x\"}", "AMOUNT_NOT_CONFIRMED")]
    [InlineData("{\"kind\":\"REFUND\",\"paymentKey\":\"{key}\",\"amount\":7001,\"confirmAmount\":7001,\"reasonCode\":\"OTHER\",\"comment\":\"x\"}", "INVALID_AMOUNT")]
    [InlineData("{\"kind\":\"REFUND\",\"paymentKey\":\"{key}\",\"amount\":7000,\"confirmAmount\":7000,\"reasonCode\":\"BECAUSE\",\"comment\":\"x\"}", "INVALID_REASON_CODE")]
    [InlineData("{\"kind\":\"EVERYTHING\",\"paymentKey\":\"{key}\"}", "INVALID_KIND")]
    [InlineData("not json", "INVALID_REQUEST")]
    public async Task BadRequests_Are400Problems_AndCreateNothing(string json, string code)
    {
        var (key, _) = await fx.ChargedButFailedPaymentAsync();
        using var finance = await fx.SignedInClientAsync("finance");
        using var r = await finance.PostAsync("api/v1/repairs",
            new StringContent(json.Replace("{key}", key), System.Text.Encoding.UTF8, "application/json"));
        await AssertProblemAsync(r, HttpStatusCode.BadRequest, code);
        var list = await JsonAsync(await finance.GetAsync($"api/v1/repairs?paymentKey={key}"));
        Assert.Empty(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task WithoutASession_Is401()
    {
        using var anonymous = new HttpClient { BaseAddress = fx.Host.BaseUri };
        using var r = await anonymous.GetAsync("api/v1/repairs?pending=true");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
    }
}
