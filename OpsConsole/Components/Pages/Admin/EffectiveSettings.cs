using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;
using OpsConsole.Api.Edge;
using OpsConsole.Components.Account;
using OpsConsole.Core.Alerts;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Outbox;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Repairs;
using OpsConsole.Core.Timeline;
using OpsConsole.Core.Warehouse;
using OpsConsole.Hosting;
using OpsConsole.Sandbox;

namespace OpsConsole.Components.Pages.Admin;

/// <summary>One effective setting: its configuration key, its value as shown (secrets masked) and where it came from.</summary>
/// <param name="Source">The configuration source that set it (appsettings.json, environment, …) or "default".</param>
public sealed record SettingRow(string Key, string Value, bool IsMasked, string Source);

/// <summary>Where a section's values come from: the bound options object (defaults included), or raw configuration under <see cref="Path"/>.</summary>
public sealed record SettingsSource(string Path, Func<IServiceProvider, object?>? Options = null);

public sealed record SettingsSection(string Title, string Description, IReadOnlyList<SettingsSource> Sources);

/// <summary>
/// The Admin area's read-only view of the configuration that matters, as the running app uses it: the bound options
/// objects (so defaults show too), each value with the source that set it. Secrets never leave the server: anything
/// named like a key, secret, password, token or webhook is masked, and connection strings keep everything but their
/// password.
/// </summary>
public static class EffectiveSettings
{
    private static SettingsSource Bound<T>(string path) where T : class => new(path, sp => sp.GetService<IOptions<T>>()?.Value);

    public static readonly IReadOnlyList<SettingsSection> Sections =
    [
        new("Database", "Provider and connection (ConnectionStrings:OpsConsole, DataDirectory).",
            [new("Database", sp => sp.GetService<DatabaseOptions>())]),
        new("Payment gateway", "The PG's API (Toss Payments v1 or the sandbox): base URL, secret key, timeouts, retries.",
            [Bound<PgOptions>("Pg")]),
        new("Reconciliation", "Schedule, settle delay, recheck and live checks.",
            [Bound<ReconciliationOptions>("Reconciliation")]),
        new("Alerts", "Slack webhook and delivery.", [Bound<AlertOptions>("Alerts")]),
        new("Cash", "Bank accounts, PG payout contracts, closures, tolerances.", [Bound<CashOptions>("Cash")]),
        new("Repairs", "Approval time-to-live, single-approver cap, batch concurrency.", [Bound<RepairOptions>("Repairs")]),
        new("Jobs", "Janitor and outbox dispatcher.", [Bound<JanitorOptions>("Janitor"), Bound<OutboxOptions>("Outbox")]),
        new("Sign-in and sessions", "Local accounts' lockout, sign-in throttle, session revalidation, single sign-on and API tokens.",
            [new("Auth:Lockout", sp => sp.GetService<IOptions<IdentityOptions>>()?.Value.Lockout), Bound<SignInThrottleOptions>("Auth:SignIn"),
             Bound<OpsConsole.Components.Account.SessionOptions>("Auth"), new("Auth:Oidc"), Bound<JwtApiOptions>("Auth:Jwt"), Bound<ApiRateLimitOptions>("Api:RateLimit")]),
        new("Demo and sandbox", "Demo users and the sandbox PG (never in production).",
            [Bound<DemoOptions>("Demo"), Bound<SandboxOptions>("Sandbox")]),
        new("Warehouse", "BigQuery for warehouse-scale runs.", [Bound<BigQueryOptions>(BigQueryOptions.Section)]),
        new("Operations", "Tracing links, metrics, reverse proxy.",
            [Bound<TraceLinkOptions>("Tracing"), Bound<MetricsOptions>("Metrics"), Bound<ProxyOptions>("Proxy")]),
    ];

    public static IReadOnlyList<SettingRow> Read(SettingsSection section, IServiceProvider services, IConfiguration configuration)
    {
        var rows = new List<SettingRow>();
        foreach (var source in section.Sources)
        {
            if (source.Options is null)
            {
                foreach (var (key, value) in configuration.GetSection(source.Path).AsEnumerable(makePathsRelative: false)
                             .Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
                    rows.Add(Row(key, value, configuration));
                continue;
            }
            var options = source.Options(services);
            if (options is not null)
                Walk(source.Path, options, 0, rows, configuration);
        }
        return rows;
    }

    private static void Walk(string prefix, object value, int depth, List<SettingRow> rows, IConfiguration configuration)
    {
        foreach (var p in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}:{p.Name}";
            object? v;
            try
            {
                v = p.GetValue(value);
            }
            catch (TargetInvocationException)
            {
                continue; // a computed property that needs more than configuration
            }
            Add(key, v, depth, rows, configuration);
        }
    }

    private static void Add(string key, object? v, int depth, List<SettingRow> rows, IConfiguration configuration)
    {
        switch (v)
        {
            case null or string or bool or Enum or TimeSpan or DateOnly or DateTimeOffset or Uri:
            case IConvertible:
                rows.Add(Row(key, Format(v), configuration));
                break;
            case IDictionary dictionary:
                if (dictionary.Count == 0) rows.Add(Row(key, null, configuration));
                foreach (DictionaryEntry e in dictionary)
                    Add($"{key}:{e.Key}", e.Value, depth + 1, rows, configuration);
                break;
            case IEnumerable items:
                rows.Add(Row(key, string.Join(", ", items.Cast<object?>().Select(Format)), configuration));
                break;
            default:
                if (depth < 4) Walk(key, v, depth + 1, rows, configuration);
                break;
        }
    }

    private static string? Format(object? v) => v switch
    {
        null => null,
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    private static SettingRow Row(string key, string? value, IConfiguration configuration)
    {
        var shown = Mask(key, value);
        return new SettingRow(key, shown ?? "(not set)", shown != value, SourceOf(key, configuration));
    }

    /// <summary>The value as the page may show it; secrets masked.</summary>
    public static string? Mask(string key, string? value)
    {
        if (string.IsNullOrEmpty(value)) return value;
        var name = key[(key.LastIndexOf(':') + 1)..].ToLowerInvariant();
        if (name.Contains("connectionstring")) return MaskConnectionString(value);
        if (name.Contains("webhook"))
            return Uri.TryCreate(value, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}/•••" : "••••• (set)";
        if (name is "number" or "accountnumber")
            return value.Length <= 4 ? "••••" : $"••••{value[^4..]}";
        if (SecretWords.Any(name.Contains)) return "••••• (set)";
        return value;
    }

    private static readonly string[] SecretWords = ["key", "secret", "password", "token", "credential"];

    private static string MaskConnectionString(string value)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = value };
            foreach (var k in builder.Keys.Cast<string>().ToList())
                if (k.Contains("password", StringComparison.OrdinalIgnoreCase) || k.Equals("pwd", StringComparison.OrdinalIgnoreCase))
                    builder[k] = "•••••";
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "••••• (set)";
        }
    }

    private static string SourceOf(string key, IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root) return "";
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _)) continue;
            return provider switch
            {
                JsonConfigurationProvider json => json.Source.Path ?? "json",
                EnvironmentVariablesConfigurationProvider => "environment",
                _ when provider.GetType().Name.StartsWith("CommandLine", StringComparison.Ordinal) => "command line",
                _ when provider.GetType().Name.StartsWith("Memory", StringComparison.Ordinal) => "in-memory",
                _ => provider.GetType().Name.Replace("ConfigurationProvider", "", StringComparison.Ordinal),
            };
        }
        return "default";
    }
}
