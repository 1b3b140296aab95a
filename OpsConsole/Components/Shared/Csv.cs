namespace OpsConsole.Components.Shared;

/// <summary>RFC 4180 fields, with a guard against spreadsheet formula injection (=, +, -, @ at the start).</summary>
public static class Csv
{
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !long.TryParse(value, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }

    public static string Line(params string?[] fields) => string.Join(',', fields.Select(Field));
}
