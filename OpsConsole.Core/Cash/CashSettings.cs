using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash;

/// <summary>Where a <c>Cash:*</c> setting's value comes from.</summary>
public enum CashSettingSource
{
    /// <summary>The configuration only (appsettings, environment, command line).</summary>
    Configuration,

    /// <summary>Stored by an admin in the console (there is no configured value).</summary>
    Console,

    /// <summary>Stored by an admin in the console, overriding the configured value.</summary>
    ConsoleOverridesConfiguration,
}

/// <summary>A <c>Cash:*</c> setting in force (key relative to <c>Cash:</c>) with its origin, for the admin page.</summary>
public sealed record CashSettingView(string Key, string Value, CashSettingSource Source, string? ConfiguredValue,
    string? UpdatedBy, DateTimeOffset? UpdatedAt);

/// <summary>
/// The <c>Cash:*</c> settings in force: the configured ones (checked at start) overridden key by key by the ones an
/// admin stored in the console (<c>cash_settings</c>). A change is a set of keys saved together: the settings it
/// produces are checked whole (<see cref="CashOptionsValidator"/>) before anything is stored, so a bad change stores
/// nothing; every changed key is audited before → after. Payout runs and statement imports read the settings in force
/// when they start.
/// </summary>
public sealed class CashSettings(IDbContextFactory<OpsDbContext> dbFactory, IOptions<CashOptions> options, AuditLog audit,
    TimeProvider clock)
{
    public const string AuditTarget = "cash-setting";

    /// <summary>The settings in force: configuration with the console's overrides.</summary>
    public Task<CashOptions> EffectiveAsync(CancellationToken ct = default) => EffectiveAsync(dbFactory, options.Value, ct);

    /// <summary>As above, for services that hold the configured settings and the database themselves.</summary>
    public static async Task<CashOptions> EffectiveAsync(IDbContextFactory<OpsDbContext> dbFactory, CashOptions configured,
        CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Set<CashSettingRecord>().AsNoTracking().ToListAsync(ct);
        if (stored.Count == 0) return configured;
        var values = Flatten(configured);
        foreach (var s in stored) values[s.Key] = s.Value;
        var errors = new List<string>();
        var effective = Build(values, errors);
        if (errors.Count > 0)
            throw DomainException.BadInput("CASH_SETTINGS_INVALID",
                "The Cash settings stored in the console no longer fit the configuration: " + string.Join(" ", errors) +
                " Fix them on Admin → Cash settings.");
        return effective;
    }

    /// <summary>Every setting in force, configured or stored, and where it comes from, ordered by key.</summary>
    public async Task<IReadOnlyList<CashSettingView>> ListAsync(CancellationToken ct = default)
    {
        var configured = Flatten(options.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Set<CashSettingRecord>().AsNoTracking().ToDictionaryAsync(s => s.Key, ct);
        return configured.Keys.Union(stored.Keys, StringComparer.OrdinalIgnoreCase)
            .Select(k =>
            {
                var conf = configured.GetValueOrDefault(k);
                return stored.TryGetValue(k, out var s)
                    ? new CashSettingView(k, s.Value, conf is null ? CashSettingSource.Console : CashSettingSource.ConsoleOverridesConfiguration,
                        conf, s.UpdatedBy, s.UpdatedAt)
                    : new CashSettingView(k, conf!, CashSettingSource.Configuration, conf, null, null);
            })
            .OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Parses a change: one <c>Key = value</c> per line (the key with or without <c>Cash:</c>; an empty value takes the
    /// console's value away so the configured one applies again; blank lines and <c>#</c> comments ignored).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> ParseChange(string text)
    {
        var changes = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0)
            {
                errors.Add($"line {n}: expected Key = value.");
                continue;
            }
            var key = line[..eq].Trim();
            if (key.StartsWith("Cash:", StringComparison.OrdinalIgnoreCase)) key = key[5..];
            var value = line[(eq + 1)..].Trim();
            if (!changes.TryAdd(key, value.Length == 0 ? null : value))
                errors.Add($"line {n}: {key} is changed twice.");
        }
        if (errors.Count > 0) throw DomainException.BadInput("CASH_SETTINGS_INVALID", string.Join(" ", errors));
        if (changes.Count == 0) throw DomainException.BadInput("CASH_SETTINGS_INVALID", "The change is empty.");
        return changes;
    }

    /// <summary>
    /// Stores <paramref name="changes"/> (key relative to <c>Cash:</c> → value, null to take the console's value away)
    /// together: refused with every problem named and nothing stored when a key is unknown, a value does not parse or
    /// the resulting settings are invalid (an unknown account, a negative window, a bad D+N …).
    /// </summary>
    public async Task SaveAsync(IReadOnlyDictionary<string, string?> changes, string actor, CancellationToken ct = default)
    {
        var errors = new List<string>();
        var canonical = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in changes)
        {
            if (Canonical(key, errors) is { } k) canonical[k] = value is null ? null : Normalize(k, value.Trim(), errors);
        }
        if (errors.Count > 0) throw DomainException.BadInput("CASH_SETTINGS_INVALID", string.Join(" ", errors));

        var configured = Flatten(options.Value);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Set<CashSettingRecord>().ToListAsync(ct);
        var before = new Dictionary<string, string>(configured, StringComparer.OrdinalIgnoreCase);
        foreach (var s in stored) before[s.Key] = s.Value;
        var after = new Dictionary<string, string>(configured, StringComparer.OrdinalIgnoreCase);
        foreach (var s in stored.Where(s => !canonical.ContainsKey(s.Key))) after[s.Key] = s.Value;
        foreach (var (k, v) in canonical.Where(c => c.Value is not null)) after[k] = v!;

        var built = Build(after, errors);
        if (errors.Count == 0 && new CashOptionsValidator().Validate(null, built) is { Failed: true } invalid)
            errors.AddRange(invalid.Failures);
        if (errors.Count > 0) throw DomainException.BadInput("CASH_SETTINGS_INVALID", string.Join(" ", errors));

        var now = clock.GetUtcNow();
        foreach (var (key, value) in canonical)
        {
            var record = stored.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));
            if (value is null)
            {
                if (record is null)
                    throw DomainException.BadInput("CASH_SETTINGS_INVALID", $"{key} has no value stored in the console to take away.");
                db.Remove(record);
            }
            else if (record is null) db.Add(CashSettingRecord.Create(key, value, actor, now));
            else if (record.Value != value) record.Update(value, actor, now);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(e))
        {
            throw DomainException.Conflict("CASH_SETTINGS_CHANGED", "The Cash settings were changed by someone else meanwhile; reload and try again.");
        }
        foreach (var key in canonical.Keys)
        {
            var b = before.GetValueOrDefault(key);
            var a = after.GetValueOrDefault(key);
            if (b == a) continue;
            await audit.WriteAsync(actor, b is null ? "cash-setting.create" : a is null ? "cash-setting.delete" : "cash-setting.update",
                AuditTarget, key, Shown(key, b), Shown(key, a));
        }
    }

    /// <summary>A value as the console shows it: account numbers keep their last four characters.</summary>
    public static string? Shown(string key, string? value) =>
        value is not null && key.EndsWith(":Number", StringComparison.OrdinalIgnoreCase)
            ? value.Length <= 4 ? "••••" : $"••••{value[^4..]}"
            : value;

    /// <summary><paramref name="o"/> as keys relative to <c>Cash:</c> (the keys <see cref="Build"/> reads).</summary>
    public static Dictionary<string, string> Flatten(CashOptions o)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["DateWindowBusinessDays"] = o.DateWindowBusinessDays.ToString(CultureInfo.InvariantCulture),
            ["AmountTolerance"] = o.AmountTolerance.ToString(CultureInfo.InvariantCulture),
        };
        if (o.ExtraClosures.Count > 0)
            values["ExtraClosures"] = string.Join(", ", o.ExtraClosures.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        foreach (var (name, a) in o.Accounts)
        {
            if (a.Number is not null) values[$"Accounts:{name}:Number"] = a.Number;
            if (a.Bank is not null) values[$"Accounts:{name}:Bank"] = a.Bank;
            values[$"Accounts:{name}:Currency"] = a.Currency;
        }
        foreach (var (mId, p) in o.Pgs)
        {
            if (p.Account is not null) values[$"Pgs:{mId}:Account"] = p.Account;
            if (p.Counterparty is not null) values[$"Pgs:{mId}:Counterparty"] = p.Counterparty;
            foreach (var (method, days) in p.PayoutDays)
                values[$"Pgs:{mId}:PayoutDays:{method}"] = days.ToString(CultureInfo.InvariantCulture);
        }
        return values;
    }

    /// <summary>The settings <paramref name="values"/> (from <see cref="Flatten"/>) describe; problems go to <paramref name="errors"/>.</summary>
    public static CashOptions Build(IReadOnlyDictionary<string, string> values, List<string> errors)
    {
        var o = new CashOptions();
        foreach (var (key, value) in values.OrderBy(v => v.Key, StringComparer.OrdinalIgnoreCase))
        {
            var parts = key.Split(':');
            switch (parts)
            {
                case ["DateWindowBusinessDays"]:
                    if (Int(key, value, errors) is { } window) o.DateWindowBusinessDays = window;
                    break;
                case ["AmountTolerance"]:
                    if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var tolerance)) o.AmountTolerance = tolerance;
                    else errors.Add($"Cash:{key} '{value}' is not a whole amount in minor units.");
                    break;
                case ["ExtraClosures"]:
                    foreach (var d in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) o.ExtraClosures.Add(day);
                        else errors.Add($"Cash:{key}: '{d}' is not a date (yyyy-MM-dd).");
                    }
                    break;
                case ["Accounts", var name, var field]:
                    var account = o.Accounts.TryGetValue(name, out var a) ? a : o.Accounts[name] = new CashAccountOptions();
                    if (field.Equals("Number", StringComparison.OrdinalIgnoreCase)) account.Number = value;
                    else if (field.Equals("Bank", StringComparison.OrdinalIgnoreCase)) account.Bank = value;
                    else account.Currency = value;
                    break;
                case ["Pgs", var mId, var field]:
                    var pg = Pg(o, mId);
                    if (field.Equals("Account", StringComparison.OrdinalIgnoreCase)) pg.Account = value;
                    else pg.Counterparty = value;
                    break;
                case ["Pgs", var mId, _, var method]:
                    if (Int(key, value, errors) is { } days) Pg(o, mId).PayoutDays[method] = days;
                    break;
                default:
                    errors.Add($"Cash:{key} is not a Cash setting.");
                    break;
            }
        }
        return o;
    }

    private static CashPgOptions Pg(CashOptions o, string mId) =>
        o.Pgs.TryGetValue(mId, out var pg) ? pg : o.Pgs[mId] = new CashPgOptions();

    private static int? Int(string key, string value, List<string> errors)
    {
        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        errors.Add($"Cash:{key} '{value}' is not a whole number.");
        return null;
    }

    /// <summary>The key with its fixed parts spelled as <see cref="Flatten"/> spells them; null (and an error) when unknown.</summary>
    private static string? Canonical(string key, List<string> errors)
    {
        static bool Is(string a, string b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);
        static bool Name(string s) => s.Length is > 0 and <= 64 && s.Trim() == s;
        var parts = key.Trim().Split(':');
        string? canonical = parts switch
        {
            [var f] when Is(f, "DateWindowBusinessDays") => "DateWindowBusinessDays",
            [var f] when Is(f, "AmountTolerance") => "AmountTolerance",
            [var f] when Is(f, "ExtraClosures") => "ExtraClosures",
            [var s, var n, var f] when Is(s, "Accounts") && Name(n) && new[] { "Number", "Bank", "Currency" }.FirstOrDefault(x => Is(x, f)) is { } field
                => $"Accounts:{n}:{field}",
            [var s, var m, var f] when Is(s, "Pgs") && Name(m) && new[] { "Account", "Counterparty" }.FirstOrDefault(x => Is(x, f)) is { } field
                => $"Pgs:{m}:{field}",
            [var s, var m, var f, var method] when Is(s, "Pgs") && Is(f, "PayoutDays") && Name(m) && Name(method)
                => $"Pgs:{m}:PayoutDays:{method.ToUpperInvariant()}",
            _ => null,
        };
        if (canonical is null)
            errors.Add($"Cash:{key} is not a Cash setting (Accounts:{{name}}:Number|Bank|Currency, Pgs:{{mId}}:Account|Counterparty|PayoutDays:{{METHOD}}, DateWindowBusinessDays, AmountTolerance, ExtraClosures).");
        return canonical;
    }

    /// <summary>A value as it is stored: <c>D+2</c> becomes <c>2</c>, closures are normalised dates; bad values are errors.</summary>
    private static string Normalize(string key, string value, List<string> errors)
    {
        if (key.Contains(":PayoutDays:", StringComparison.Ordinal))
        {
            var n = value.StartsWith("D+", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
            if (!int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var days))
            {
                errors.Add($"Cash:{key} '{value}' is not D+N business days (e.g. D+2 or 2).");
                return value;
            }
            return days.ToString(CultureInfo.InvariantCulture);
        }
        return value;
    }
}
