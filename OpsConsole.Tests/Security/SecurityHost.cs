using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using OpsConsole.Tests.Console;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Security;

/// <summary>Small helpers over <see cref="AppHost"/> for the security tests: cookie clients, users, problems.</summary>
public static class SecurityHost
{
    /// <param name="clock">Replaces the app's clock (registered before the app's own, which only fill gaps).</param>
    public static Task<AppHost> StartAsync(IDictionary<string, string?>? settings = null, TestDatabase? database = null,
        string? environment = null, TimeProvider? clock = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Demo:Enabled"] = "true" };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        return AppHost.StartAsync(database, all, b =>
        {
            if (environment is not null) b.Environment.EnvironmentName = environment;
            if (clock is not null) b.Services.AddSingleton(clock);
        });
    }

    /// <summary>A clock that stands still until the test moves it.</summary>
    public sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>
    /// A client with its own cookie jar that, unlike a browser, also returns <c>Secure</c> cookies over plain HTTP
    /// (a wildcard bind makes every cookie Secure; the tests talk to it without TLS).
    /// </summary>
    public static HttpClient NewClient(AppHost host) =>
        new(new CookieJar(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }))
        {
            // A wildcard bind (0.0.0.0) is reached on loopback.
            BaseAddress = new UriBuilder(host.BaseUri) { Host = host.BaseUri.Host == "0.0.0.0" ? "127.0.0.1" : host.BaseUri.Host }.Uri,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Signs in through the real form and fetches the antiforgery token into a default header.</summary>
    public static async Task<HttpClient> SignedInAsync(AppHost host, string user, string password = ConsoleAppHost.DemoPassword,
        bool withToken = true)
    {
        var client = NewClient(host);
        var response = await ConsoleAppHost.PostSignInAsync(client, user, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/",
            $"sign-in of {user} failed: {(int)response.StatusCode} {response.Headers.Location}");
        if (withToken) await ConsoleAppHost.UseAntiforgeryTokenAsync(client);
        return client;
    }

    /// <summary>A local account with the given roles (none: a user nobody gave a role yet).</summary>
    public static async Task CreateUserAsync(AppHost host, string name, string password, params string[] roles)
    {
        using var scope = host.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var roleManager = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var user = new IdentityUser(name);
        var created = await users.CreateAsync(user, password);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        foreach (var role in roles)
        {
            if (!await roleManager.RoleExistsAsync(role)) await roleManager.CreateAsync(new IdentityRole(role));
            await users.AddToRoleAsync(user, role);
        }
    }

    public static async Task<string> ProblemCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return json.GetProperty("code").GetString()!;
    }

    private sealed class CookieJar(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly Dictionary<string, string> _cookies = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_cookies)
            {
                if (_cookies.Count > 0)
                    request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                lock (_cookies)
                {
                    foreach (var header in setCookies)
                    {
                        var pair = header.Split(';', 2)[0];
                        var eq = pair.IndexOf('=');
                        if (eq <= 0) continue;
                        var (name, value) = (pair[..eq].Trim(), pair[(eq + 1)..].Trim());
                        var expired = header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);
                        if (expired || value.Length == 0) _cookies.Remove(name);
                        else _cookies[name] = value;
                    }
                }
            }
            return response;
        }
    }
}
