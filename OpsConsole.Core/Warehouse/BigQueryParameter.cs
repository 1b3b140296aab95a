using System.Globalization;
using System.Text.Json.Serialization;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// A named query parameter (<c>@name</c> in Standard SQL). Values travel as strings in the REST API, in
/// the canonical text form of their type, so nothing is lost to floating point.
/// </summary>
public sealed record BigQueryParameter(string Name, string Type, string? Value, IReadOnlyList<string>? ArrayValues = null,
    string? ArrayType = null)
{
    /// <summary>For an <c>ARRAY&lt;STRUCT&lt;…&gt;&gt;</c> parameter: the struct's fields (name, scalar type) in order.</summary>
    public IReadOnlyList<(string Name, string Type)>? StructFields { get; init; }

    /// <summary>For an <c>ARRAY&lt;STRUCT&lt;…&gt;&gt;</c> parameter: the rows, each with one text value (or null) per field.</summary>
    public IReadOnlyList<IReadOnlyList<string?>>? StructRows { get; init; }

    /// <summary>
    /// An <c>ARRAY&lt;STRUCT&lt;…&gt;&gt;</c> parameter (read in SQL as <c>UNNEST(@name)</c>): a small table sent with the
    /// query, values in the canonical text form of their type (INT64, STRING, DATE, BOOL).
    /// </summary>
    public static BigQueryParameter StructArray(string name, IReadOnlyList<(string Name, string Type)> fields,
        IEnumerable<IReadOnlyList<string?>> rows)
    {
        var list = rows.ToList();
        if (list.Any(r => r.Count != fields.Count))
            throw new ArgumentException($"Every row of @{name} needs {fields.Count} values.", nameof(rows));
        return new BigQueryParameter(name, "ARRAY", null, null, "STRUCT") { StructFields = fields, StructRows = list };
    }

    public static BigQueryParameter String(string name, string? value) => new(name, "STRING", value);

    public static BigQueryParameter Int64(string name, long value) =>
        new(name, "INT64", value.ToString(CultureInfo.InvariantCulture));

    public static BigQueryParameter Numeric(string name, decimal value) =>
        new(name, "NUMERIC", value.ToString(CultureInfo.InvariantCulture));

    public static BigQueryParameter Date(string name, DateOnly value) =>
        new(name, "DATE", value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>Sent in UTC with microseconds, e.g. <c>2026-11-24 15:00:00.000000+00:00</c>.</summary>
    public static BigQueryParameter Timestamp(string name, DateTimeOffset value) =>
        new(name, "TIMESTAMP", value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture));

    public static BigQueryParameter StringArray(string name, IEnumerable<string> values) =>
        new(name, "ARRAY", null, values.ToList(), "STRING");

    /// <summary>How the parameter reads in reviews and in <c>--print-sql</c>.</summary>
    public override string ToString() => StructFields is not null
        ? $"@{Name} ARRAY<STRUCT<{string.Join(", ", StructFields.Select(f => $"{f.Name} {f.Type}"))}>> = [{StructRows!.Count} rows]"
        : ArrayValues is null
        ? $"@{Name} {Type} = {(Value is null ? "NULL" : $"'{Value}'")}"
        : $"@{Name} ARRAY<{ArrayType}> = [{string.Join(", ", ArrayValues.Take(20).Select(v => $"'{v}'"))}{(ArrayValues.Count > 20 ? $", … {ArrayValues.Count} values" : "")}]";

    internal QueryParameterJson ToJson() => StructFields is not null
        ? new(Name,
            new ParameterTypeJson("ARRAY", new ParameterTypeJson("STRUCT",
                StructTypes: StructFields.Select(f => new StructTypeJson(f.Name, new ParameterTypeJson(f.Type))).ToList())),
            new ParameterValueJson(null, StructRows!.Select(r => new ParameterValueJson(null, StructValues:
                StructFields.Select((f, i) => (f.Name, Value: new ParameterValueJson(r[i])))
                    .ToDictionary(x => x.Name, x => x.Value))).ToList()))
        : new(
        Name,
        ArrayValues is null
            ? new ParameterTypeJson(Type)
            : new ParameterTypeJson("ARRAY", new ParameterTypeJson(ArrayType ?? "STRING")),
        ArrayValues is null
            ? new ParameterValueJson(Value)
            : new ParameterValueJson(null, ArrayValues.Select(v => new ParameterValueJson(v)).ToList()));
}

internal sealed record QueryParameterJson(string Name, ParameterTypeJson ParameterType, ParameterValueJson ParameterValue);

internal sealed record ParameterTypeJson(
    string Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ParameterTypeJson? ArrayType = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<StructTypeJson>? StructTypes = null);

internal sealed record StructTypeJson(string Name, ParameterTypeJson Type);

internal sealed record ParameterValueJson(
    string? Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ParameterValueJson>? ArrayValues = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, ParameterValueJson>? StructValues = null);
