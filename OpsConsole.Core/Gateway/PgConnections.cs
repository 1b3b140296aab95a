using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Gateway;

/// <summary>How OpsConsole talks to a PG connection.</summary>
public enum PgKind
{
    /// <summary>The Toss Payments v1 API (or the sandbox): payments, look-ups, cancels and settlement pulls.</summary>
    Toss,

    /// <summary>No API: the PG's settlement files are imported (<c>import-settlements --pg NAME</c>).</summary>
    File,
}

/// <summary>
/// One PG contract the company runs: its name (what every payment, settlement line, run and finding carries in its
/// <c>pg</c> column), its kind and the PG merchant ids (<c>mId</c>) it serves. The fee contract stays per merchant id
/// (<c>Pg:Contracts:{mId}</c>); a connection only lists its merchant ids.
/// </summary>
/// <param name="MerchantIds">Empty for the single connection of a configuration without <c>Pgs</c>: it serves every merchant id.</param>
public sealed record PgConnection(string Name, PgKind Kind, IReadOnlyList<string> MerchantIds)
{
    /// <summary>Whether a line of <paramref name="mId"/> (null: the line names none) may come from this connection.</summary>
    public bool Serves(string? mId) => MerchantIds.Count == 0 || (mId is not null && MerchantIds.Contains(mId, StringComparer.Ordinal));
}

/// <summary>
/// The configured PG connections (<c>Pgs:{name}</c>), checked once at start. Without a <c>Pgs</c> section the
/// single <c>Pg</c> section is one <see cref="PgKind.Toss"/> connection named <see cref="LegacyName"/>, so existing
/// settings keep working. The one <see cref="PgKind.Toss"/> connection is the PG client's: its <c>Pgs:{name}:*</c>
/// settings (base URL, secret key, timeouts, …) are read over the shared <c>Pg:*</c> ones.
/// </summary>
public sealed partial class PgConnections
{
    /// <summary>The name of the connection a configuration without <c>Pgs</c> has.</summary>
    public const string LegacyName = "toss";

    /// <summary>Longest connection name (the <c>pg</c> columns are this long).</summary>
    public const int MaxNameLength = 40;

    private PgConnections(IReadOnlyList<PgConnection> all, bool hasApi)
    {
        All = all;
        Api = hasApi ? all.First(c => c.Kind == PgKind.Toss) : null;
    }

    /// <summary>What a configuration without <c>Pgs</c> has: the one toss connection <see cref="LegacyName"/>, serving every merchant id.</summary>
    public static PgConnections Single { get; } = new([new PgConnection(LegacyName, PgKind.Toss, [])], hasApi: true);

    /// <summary>Every connection, by name.</summary>
    public IReadOnlyList<PgConnection> All { get; }

    /// <summary>The <see cref="PgKind.Toss"/> connection (payments and settlement pulls go through it); null when every PG delivers files.</summary>
    public PgConnection? Api { get; }

    /// <summary>The configuration section of the API connection's client settings (over <c>Pg</c>), or null.</summary>
    public string? ApiSection => Api is null || ReferenceEquals(this, Single) ? null : $"Pgs:{Api.Name}";

    public PgConnection? Find(string name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// The connection an operator named (<c>--pg</c>, the upload's PG). Required when more than one is configured;
    /// with one, null means that one.
    /// </summary>
    public PgConnection Resolve(string? name, string option = "--pg")
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            if (All.Count == 1) return All[0];
            throw DomainException.BadInput("PG_REQUIRED",
                $"{option} is required: {All.Count} PG connections are configured ({Names}).");
        }
        return Find(name.Trim()) ?? throw DomainException.BadInput("PG_UNKNOWN",
            $"{option} '{name.Trim()}' is not a configured PG connection (configured: {Names}).");
    }

    /// <summary>The configured names, comma-separated.</summary>
    public string Names => string.Join(", ", All.Select(c => c.Name));

    /// <summary>Reads and checks <c>Pgs</c> (or the single <c>Pg</c>); every problem is one line of the error.</summary>
    public static PgConnections FromConfiguration(IConfiguration config)
    {
        var pgs = config.GetSection("Pgs");
        if (!pgs.GetChildren().Any())
            return Single;

        var errors = new List<string>();
        var all = new List<PgConnection>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in pgs.GetChildren().OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var name = section.Key;
            if (!NamePattern().IsMatch(name))
            {
                errors.Add($"Pgs:{name}: a PG name is 1 to {MaxNameLength} letters, digits, '-' or '_'.");
                continue;
            }
            var kindText = section["Kind"];
            if (string.IsNullOrWhiteSpace(kindText))
            {
                errors.Add($"Pgs:{name}:Kind is missing (toss or file).");
                continue;
            }
            PgKind kind;
            switch (kindText.Trim())
            {
                case "toss": kind = PgKind.Toss; break;
                case "file": kind = PgKind.File; break;
                default:
                    errors.Add($"Pgs:{name}:Kind '{kindText}' is not a known kind (toss or file).");
                    continue;
            }

            var ids = MerchantIdsOf(section.GetSection("MerchantIds"));
            if (ids.Count == 0)
                errors.Add($"Pgs:{name}:MerchantIds is empty: list the PG merchant ids (mId) this connection serves.");
            foreach (var id in ids)
            {
                if (owner.TryGetValue(id, out var other))
                    errors.Add($"Pgs:{name}:MerchantIds: merchant id '{id}' is already served by PG '{other}'; a merchant id belongs to one PG.");
                else
                    owner[id] = name;
            }

            if (kind == PgKind.Toss && string.IsNullOrWhiteSpace(section["SecretKey"]))
                errors.Add($"Pgs:{name}:SecretKey is missing: a toss connection needs its API secret key.");
            if (kind == PgKind.File)
                foreach (var apiSetting in new[] { "SecretKey", "BaseUrl" })
                    if (section[apiSetting] is not null)
                        errors.Add($"Pgs:{name}:{apiSetting} is set on a file connection: a file PG has no API.");
            all.Add(new PgConnection(name, kind, ids));
        }

        var api = all.Where(c => c.Kind == PgKind.Toss).ToList();
        if (api.Count > 1)
            errors.Add($"Pgs: {api.Count} toss connections ({string.Join(", ", api.Select(c => c.Name))}); OpsConsole has one PG " +
                       "API client (payments and settlement pulls): configure one toss connection, the others as file.");
        if (errors.Count > 0)
            throw new ConfigurationError("The PG connections are invalid:\n  " + string.Join("\n  ", errors));
        return new PgConnections(all, hasApi: api.Count == 1);
    }

    /// <summary><c>MerchantIds</c> as a comma-separated value or as an array (<c>MerchantIds:0</c>, …), trimmed.</summary>
    private static List<string> MerchantIdsOf(IConfigurationSection section)
    {
        var values = section.Value is { } single
            ? single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : section.GetChildren().Select(c => c.Value?.Trim() ?? "").Where(v => v.Length > 0);
        return values.Distinct(StringComparer.Ordinal).ToList();
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex NamePattern();
}
