using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Security;

/// <summary>
/// Walks EVERY endpoint of the app (its EndpointDataSource, so endpoints added later are included) and every
/// console page, with no credentials and as each caller, and checks the outcome against <see cref="Expected"/>:
/// the one table of who may do what. An endpoint that declares neither RequireAuthorization nor AllowAnonymous,
/// or that has no row, fails the test. New kinds of callers (API clients with scopes) are rows of
/// <see cref="Callers"/>; their expectations are functions of the caller.
/// </summary>
public sealed partial class AuthorizationMatrixTests(ITestOutputHelper output) : IAsyncLifetime
{
    public enum Outcome { Allowed, Unauthenticated, Denied }

    /// <summary>Who calls. <see cref="Role"/> null with <see cref="SignedIn"/> true: a user nobody gave a role yet.</summary>
    public sealed record Caller(string Name, bool SignedIn, string? Role, string? UserName = null, string? Password = null)
    {
        public override string ToString() => Name;
    }

    public static readonly IReadOnlyList<Caller> Callers =
    [
        new("anonymous", false, null),
        new("no-role", true, null, "newcomer", "newcomer-password-1"),
        new("admin", true, "admin", "admin"),
        new("finance", true, "finance", "finance"),
        new("engineer", true, "engineer", "engineer"),
        new("oncall", true, "oncall", "oncall"),
    ];

    /// <summary>What an endpoint expects of a caller.</summary>
    /// <param name="AnswersWithSignInPage">Its normal answer is a redirect to the sign-in page (sign-in, sign-out).</param>
    public sealed record Access(string Description, Func<Caller, Outcome?> Expect, bool EndsSession = false, bool CookieNotAccepted = false,
        bool AnswersWithSignInPage = false);

    private static Access Anyone => new("anonymous", _ => Outcome.Allowed);

    private static Access Roles(params string[] roles) => new($"roles {string.Join(",", roles)}",
        c => !c.SignedIn ? Outcome.Unauthenticated : c.Role is not null && roles.Contains(c.Role) ? Outcome.Allowed : Outcome.Denied);

    private static Access AnyRole => Roles("admin", "finance", "engineer", "oncall");

    private static Access SignedIn => new("signed in", c => c.SignedIn ? Outcome.Allowed : Outcome.Unauthenticated);

    /// <summary>API-client endpoints: a console cookie must grant nothing (the same answer as no credentials).</summary>
    private static Access NotCookieAccessible => new("not cookie-accessible", _ => null, CookieNotAccepted: true);

    private static readonly string[] Workers = ["finance", "oncall", "admin"];

    /// <summary>"METHOD /pattern" → access. Pages are GET rows like endpoints.</summary>
    public static readonly IReadOnlyDictionary<string, Access> Expected = new Dictionary<string, Access>
    {
        // account
        ["POST /account/signin"] = Anyone with { AnswersWithSignInPage = true },
        ["GET /account/signin/oidc"] = Anyone,
        ["POST /account/signout"] = SignedIn with { EndsSession = true, AnswersWithSignInPage = true },
        ["GET /account/antiforgery"] = SignedIn,
        // repairs API (cookie + antiforgery)
        ["GET /api/v1/repairs"] = AnyRole,
        ["GET /api/v1/repairs/{id:long}"] = AnyRole,
        ["POST /api/v1/repairs"] = Roles(Workers),
        ["POST /api/v1/repairs/{id:long}/approve"] = Roles(Workers),
        ["POST /api/v1/repairs/{id:long}/reject"] = Roles(Workers),
        ["POST /api/v1/repair-batches"] = Roles(Workers),
        ["GET /api/v1/repair-batches/{id:long}"] = AnyRole,
        ["POST /api/v1/repair-batches/{id:long}/approve"] = Roles(Workers),
        ["POST /api/v1/repair-batches/{id:long}/reject"] = Roles(Workers),
        ["GET /api/v1/repair-batches/{id:long}/report.csv"] = AnyRole,
        // checkout API for other services: API clients only (issue 14 §1), never the console cookie
        ["POST /api/v1/payments/confirm"] = NotCookieAccessible,
        ["POST /api/v1/payments/{paymentKey}/cancel"] = NotCookieAccessible,
        ["GET /api/v1/payments/{paymentKey}"] = NotCookieAccessible,
        // console endpoints
        ["POST /console/runs"] = Roles("oncall", "admin"),
        ["GET /console/settlements/template.csv"] = Roles(Workers),
        ["GET /console/findings/export.csv"] = AnyRole,
        ["GET /console/audit/export.csv"] = Roles("admin", "finance", "oncall"),
        // sandbox PG: the outside world, anonymous to the console, its own secret key
        ["POST /sandbox/pg/v1/checkout"] = Anyone,
        ["POST /sandbox/pg/v1/payments/confirm"] = NotCookieAccessible,
        ["POST /sandbox/pg/v1/payments/{paymentKey}/cancel"] = NotCookieAccessible,
        ["GET /sandbox/pg/v1/payments/orders/{orderId}"] = NotCookieAccessible,
        ["GET /sandbox/pg/v1/payments/{paymentKey}"] = NotCookieAccessible,
        ["GET /sandbox/pg/v1/settlements"] = NotCookieAccessible,
        // operations: probes, the scrape endpoint (loopback and configured networks only), the API's document
        ["GET /healthz/live"] = Anyone,
        ["GET /healthz/ready"] = Anyone,
        ["GET /metrics"] = Anyone,
        ["GET /openapi/{documentName}.json"] = Anyone,
        // pages
        ["GET /"] = AnyRole,
        ["GET /admin"] = Roles("admin"),
        ["GET /admin/api-clients"] = Roles("admin"),
        ["GET /admin/users"] = Roles("admin"),
        ["GET /admin/settings"] = Roles("admin"),
        ["GET /admin/fee-contracts"] = Roles("admin"),
        ["GET /admin/cash-settings"] = Roles("admin"),
        ["GET /discrepancies"] = AnyRole,
        ["GET /discrepancies/{Id:long}"] = AnyRole,
        ["GET /trace"] = AnyRole,
        ["GET /trace/payment/{PaymentKey}"] = AnyRole,
        ["GET /runs"] = AnyRole,
        ["GET /repairs"] = AnyRole,
        ["GET /repairs/{Id:long}"] = AnyRole,
        ["GET /repairs/batches/{Id:long}"] = AnyRole,
        ["GET /audit"] = Roles("admin", "finance", "oncall"),
        ["GET /cash"] = Roles("finance", "oncall", "admin"),
        ["GET /cash/findings/{Id:long}"] = Roles("finance", "oncall", "admin"),
        ["GET /signin"] = Anyone,
        ["GET /access-denied"] = SignedIn, // anonymous: sent to sign in
        ["GET /not-found"] = Anyone,
        ["GET /Error"] = Anyone,
    };

    /// <summary>Framework plumbing, not the app's endpoints: static files and the Blazor circuit's transport.</summary>
    private static bool IsFramework(RouteEndpoint e) =>
        e.RoutePattern.RawText is { } p &&
        (p.StartsWith("_framework", StringComparison.Ordinal) || p.StartsWith("/_framework", StringComparison.Ordinal) ||
         p.StartsWith("_blazor", StringComparison.Ordinal) || p.StartsWith("/_blazor", StringComparison.Ordinal) ||
         p.StartsWith("_content", StringComparison.Ordinal) ||
         p.Contains(":file}", StringComparison.Ordinal) || // the static web assets' file fallback

         e.Metadata.Any(m => m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal)));

    private AppHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await SecurityHost.StartAsync(new Dictionary<string, string?>(ConsoleAppHost.RelaxedSignInThrottle!)
        {
            ["Metrics:Prometheus"] = "true", // so the scrape endpoint is mapped and walked too
        });
        await SecurityHost.CreateUserAsync(_host, "newcomer", "newcomer-password-1");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed record Row(string Key, string Method, string Path, bool IsPage, RouteEndpoint Endpoint);

    private IReadOnlyList<Row> Walk()
    {
        var rows = new List<Row>();
        foreach (var e in _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (IsFramework(e)) continue;
            var pattern = "/" + (e.RoutePattern.RawText ?? "").Trim('/');
            var isPage = e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
            var methods = e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods.Where(m => isPage ? m == "GET" : true))
                rows.Add(new Row($"{method} {pattern}", method, Fill(pattern), isPage, e));
        }
        return rows.DistinctBy(r => r.Key).ToList();
    }

    private static string Fill(string pattern) =>
        RouteParameter().Replace(pattern, m => m.Groups[2].Value.Contains("long", StringComparison.Ordinal) ||
                                               m.Groups[2].Value.Contains("int", StringComparison.Ordinal) ? "987654" : "matrix-nope");

    [GeneratedRegex(@"\{([^}:]+)(:[^}]*)?\}")]
    private static partial Regex RouteParameter();

    [Fact]
    public void EveryEndpoint_DeclaresItsAuthorization_AndHasARowInTheTable()
    {
        var rows = Walk();
        var undeclared = rows.Where(r => !r.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any() &&
                                         r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null).Select(r => r.Key).ToList();
        var missing = rows.Where(r => !Expected.ContainsKey(r.Key)).Select(r => r.Key).ToList();
        var stale = Expected.Keys.Except(rows.Select(r => r.Key)).ToList();

        Assert.True(undeclared.Count == 0, "Endpoints without RequireAuthorization or AllowAnonymous: " + string.Join(", ", undeclared));
        Assert.True(missing.Count == 0, "Endpoints without a row in Expected: " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows of Expected that match no endpoint: " + string.Join(", ", stale));
        Assert.Contains(rows, r => r.IsPage); // the pages are walked too
    }

    public static TheoryData<string> CallerNames() => new(Callers.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(CallerNames))]
    public async Task EveryEndpointAndPage_AnswersEachCaller_AsTheTableSays(string callerName)
    {
        var caller = Callers.Single(c => c.Name == callerName);
        var anonymous = SecurityHost.NewClient(_host);
        var client = await ClientForAsync(caller);
        var failures = new List<string>();
        foreach (var row in Walk().Where(r => Expected.ContainsKey(r.Key)))
        {
            var access = Expected[row.Key];
            var c = access.EndsSession ? await ClientForAsync(caller) : client;
            var (status, outcome) = await CallAsync(c, row);
            if (access.AnswersWithSignInPage && status == "302" && (caller.SignedIn || !access.EndsSession))
                outcome = Outcome.Allowed; // signed in or out: back to the sign-in page
            if (access.CookieNotAccepted)
            {
                var (anonStatus, _) = await CallAsync(anonymous, row);
                if (status != anonStatus)
                    failures.Add($"{row.Key}: as {caller} {status}, anonymous {anonStatus} (a cookie must grant nothing here)");
                continue;
            }
            var expected = access.Expect(caller);
            if (expected != outcome)
                failures.Add($"{row.Key}: as {caller} expected {expected} ({access.Description}), got {outcome} ({status})");
            if (status.StartsWith('5'))
                failures.Add($"{row.Key}: as {caller} answered {status}");
        }
        output.WriteLine($"{caller}: {Walk().Count} endpoints and pages walked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<HttpClient> ClientForAsync(Caller caller)
    {
        if (!caller.SignedIn) return SecurityHost.NewClient(_host);
        return await SecurityHost.SignedInAsync(_host, caller.UserName!, caller.Password ?? ConsoleAppHost.DemoPassword);
    }

    /// <summary>
    /// One request as the console's own JS would send it (same origin, antiforgery header, JSON body), so that
    /// only authorization decides; then the outcome: 401 or a redirect to sign-in is Unauthenticated, 403 or a
    /// redirect to access-denied is Denied, anything else got past authorization.
    /// </summary>
    private async Task<(string Status, Outcome Outcome)> CallAsync(HttpClient client, Row row)
    {
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), row.Path.TrimStart('/'));
        request.Headers.Add("Origin", client.BaseAddress!.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        var acceptsForm = row.Endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes
            .Any(t => t.Contains("form", StringComparison.OrdinalIgnoreCase)) == true;
        if (row.Method != "GET")
            request.Content = acceptsForm
                ? new FormUrlEncodedContent(new Dictionary<string, string> { ["matrix"] = "1" })
                : new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var code = (int)response.StatusCode;
        var status = code >= 400 ? $"{code} {Truncate(await response.Content.ReadAsStringAsync())}" : code.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var location = response.Headers.Location is { } l ? new Uri(client.BaseAddress, l).PathAndQuery : "";
        var outcome = code == 401 || (code == 302 && location.StartsWith("/signin", StringComparison.OrdinalIgnoreCase))
            ? Outcome.Unauthenticated
            : code == 403 || (code == 302 && location.StartsWith("/access-denied", StringComparison.OrdinalIgnoreCase))
                ? Outcome.Denied
                : Outcome.Allowed;
        return (status, outcome);
    }

    private static string Truncate(string body) => body.Length <= 160 ? body : body[..160];
}
