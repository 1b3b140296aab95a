using System.Globalization;

namespace OpsConsole.Cli;

/// <summary>
/// Options of a verb: <c>--name value</c> and bare flags <c>--json</c>. <c>--Key=Value</c> pairs are
/// configuration (ASP.NET Core's command-line provider) and are not verb options.
/// </summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _positionals = [];

    public CliArguments(IEnumerable<string> verbArgs)
    {
        var list = verbArgs.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                _positionals.Add(a);
                continue;
            }
            if (a.Contains('='))
                continue;
            var name = a[2..];
            string? value = null;
            if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
                value = list[++i];
            _options[name] = value;
        }
    }

    /// <summary>Bare words that are not option values, e.g. <c>recon</c> in <c>bench recon --payments 10</c>.</summary>
    public IReadOnlyList<string> Positionals => _positionals;

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public string Require(string name) =>
        Get(name) ?? throw new CliUsageException($"--{name} is required.");

    public int GetInt(string name, int defaultValue)
    {
        var v = Get(name);
        if (v is null) return defaultValue;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new CliUsageException($"--{name} must be a whole number (got '{v}').");
    }

    public long GetLong(string name, long defaultValue)
    {
        var v = Get(name);
        if (v is null) return defaultValue;
        return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new CliUsageException($"--{name} must be a whole number (got '{v}').");
    }

    public DateOnly? GetDate(string name)
    {
        var v = Get(name);
        if (v is null) return null;
        return DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new CliUsageException($"--{name} must be a date as YYYY-MM-DD (got '{v}').");
    }
}

/// <summary>Bad command-line input: printed without a stack trace, exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
