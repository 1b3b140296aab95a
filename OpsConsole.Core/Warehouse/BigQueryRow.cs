using System.Globalization;
using System.Text.Json;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// One result row decoded from BigQuery's <c>{"f":[{"v":…}]}</c> form by the schema: INT64 → long,
/// FLOAT64 → double, NUMERIC/BIGNUMERIC → decimal, BOOL → bool, DATE → DateOnly, TIMESTAMP → DateTimeOffset
/// (UTC; int64 microseconds or float seconds), DATETIME → DateTime, TIME → TimeOnly, REPEATED → list,
/// RECORD → nested row; everything else stays a string. NULL is null.
/// </summary>
public sealed class BigQueryRow
{
    private readonly IReadOnlyList<BigQueryField> _schema;
    private readonly object?[] _values;

    private BigQueryRow(IReadOnlyList<BigQueryField> schema, object?[] values)
    {
        _schema = schema;
        _values = values;
    }

    public int FieldCount => _values.Length;

    public object? this[int index] => _values[index];

    public object? this[string name] => _values[IndexOf(name)];

    public string? GetString(string name) => (string?)this[name];

    public long? GetInt64(string name) => (long?)this[name];

    public decimal? GetNumeric(string name) => (decimal?)this[name];

    public DateOnly? GetDate(string name) => (DateOnly?)this[name];

    public DateTimeOffset? GetTimestamp(string name) => (DateTimeOffset?)this[name];

    public bool? GetBool(string name) => (bool?)this[name];

    public IReadOnlyList<object?> GetArray(string name) => (IReadOnlyList<object?>?)this[name] ?? [];

    private int IndexOf(string name)
    {
        for (var i = 0; i < _schema.Count; i++)
            if (string.Equals(_schema[i].Name, name, StringComparison.OrdinalIgnoreCase))
                return i;
        throw new KeyNotFoundException($"The result has no column '{name}' (columns: {string.Join(", ", _schema.Select(f => f.Name))}).");
    }

    internal static BigQueryRow Decode(IReadOnlyList<BigQueryField> schema, JsonElement row)
    {
        var cells = row.GetProperty("f");
        if (cells.GetArrayLength() != schema.Count)
            throw new FormatException($"A row has {cells.GetArrayLength()} cells but the schema has {schema.Count} fields.");
        var values = new object?[schema.Count];
        var i = 0;
        foreach (var cell in cells.EnumerateArray())
        {
            values[i] = DecodeField(schema[i], cell.TryGetProperty("v", out var v) ? v : default);
            i++;
        }
        return new BigQueryRow(schema, values);
    }

    private static object? DecodeField(BigQueryField field, JsonElement v)
    {
        if (v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return field.IsRepeated ? Array.Empty<object?>() : null;
        if (field.IsRepeated)
        {
            var scalar = field with { Mode = "NULLABLE" };
            return v.EnumerateArray()
                .Select(item => DecodeField(scalar, item.TryGetProperty("v", out var iv) ? iv : default))
                .ToList();
        }
        if (field.Type is "RECORD" or "STRUCT")
            return Decode(field.Fields, v);
        var s = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        var inv = CultureInfo.InvariantCulture;
        return field.Type switch
        {
            "INTEGER" or "INT64" => long.Parse(s, NumberStyles.Integer, inv),
            "FLOAT" or "FLOAT64" => double.Parse(s, NumberStyles.Float, inv),
            "NUMERIC" or "BIGNUMERIC" => decimal.Parse(s, NumberStyles.Float, inv),
            "BOOLEAN" or "BOOL" => bool.Parse(s),
            "DATE" => DateOnly.ParseExact(s, "yyyy-MM-dd", inv),
            "TIMESTAMP" => ParseTimestamp(s),
            "DATETIME" => DateTime.Parse(s, inv, DateTimeStyles.None),
            "TIME" => TimeOnly.Parse(s, inv),
            _ => s,
        };
    }

    // With formatOptions.useInt64Timestamp the value is microseconds since the epoch ("1732460400000000");
    // without it, float seconds ("1.7324604E9").
    private static DateTimeOffset ParseTimestamp(string s)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
            return DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
        var seconds = double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        return DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * 1_000_000) * 10);
    }
}
