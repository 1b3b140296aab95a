using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsConsole.Core.Common;

namespace OpsConsole.Core.Audit;

/// <summary>
/// What an action changed, as an audit row's <c>before</c> and <c>after</c>: two JSON objects holding only the
/// fields whose values differ (a creation has no <c>before</c> and every set field in <c>after</c>). Values are
/// strings, numbers, booleans or null; fields named <c>…amount</c> are KRW. Rows written before this rule hold free
/// text, which <see cref="Parse"/> leaves to the caller.
/// </summary>
public sealed record AuditChange(string? Before, string? After)
{
    public static readonly AuditChange None = new(null, null);

    /// <summary>The fields whose values differ between the two snapshots (same field names on both sides).</summary>
    public static AuditChange Between(AuditFields? before, AuditFields after)
    {
        if (before is null) return Created(after);
        var b = new JsonObject();
        var a = new JsonObject();
        foreach (var name in before.Names.Union(after.Names))
        {
            var old = before.Get(name);
            var now = after.Get(name);
            if (JsonNode.DeepEquals(old, now)) continue;
            b[name] = old?.DeepClone();
            a[name] = now?.DeepClone();
        }
        return a.Count == 0 ? None : new AuditChange(b.ToJsonString(), a.ToJsonString());
    }

    /// <summary>A new thing: no <c>before</c>, its set fields as <c>after</c>.</summary>
    public static AuditChange Created(AuditFields after)
    {
        var a = new JsonObject();
        foreach (var name in after.Names)
            if (after.Get(name) is { } value) a[name] = value.DeepClone();
        return new AuditChange(null, a.ToJsonString());
    }

    /// <summary>
    /// The changed fields of a structured row, in order (after's fields first), or null when the row holds free
    /// text (rows written before structured changes) or nothing.
    /// </summary>
    public static IReadOnlyList<AuditFieldChange>? Parse(string? before, string? after)
    {
        if (before is null && after is null) return null;
        var b = ParseObject(before);
        var a = ParseObject(after);
        if ((before is not null && b is null) || (after is not null && a is null)) return null;
        var names = (a?.Select(p => p.Key) ?? []).Concat(b?.Select(p => p.Key) ?? []).Distinct().ToList();
        return names.Select(n => new AuditFieldChange(n, before is null ? null : Show(n, b![n]), Show(n, a?[n]), before is null))
            .ToList();
    }

    /// <summary>One line for places that show text (the payment timeline): <c>status REQUESTED → APPROVED · amount 45,800 KRW</c>.</summary>
    public static string? Summary(string? before, string? after)
    {
        if (before is null && after is null) return null;
        if (Parse(before, after) is not { } fields) return $"{before ?? "∅"} → {after ?? "∅"}";
        return string.Join(" · ", fields.Select(f => f.IsCreation ? $"{f.Label} {f.After}" : $"{f.Label} {f.Before} → {f.After}"));
    }

    private static JsonObject? ParseObject(string? text)
    {
        if (text is null || !text.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null; // masked or free text that merely starts with a brace
        }
    }

    private static string Show(string name, JsonNode? value)
    {
        if (value is null) return "∅";
        if (value is JsonValue v)
        {
            if (v.TryGetValue<long>(out var n))
                return name.EndsWith("amount", StringComparison.OrdinalIgnoreCase)
                    ? Money.Krw(n)
                    : n.ToString(CultureInfo.InvariantCulture);
            if (v.TryGetValue<bool>(out var flag)) return flag ? "yes" : "no";
            if (v.TryGetValue<string>(out var s)) return s.Length == 0 ? "\"\"" : s;
        }
        return value.ToJsonString();
    }
}

/// <summary>One changed field of an audit row, its values as shown (∅ for none; amounts as 45,800 KRW).</summary>
/// <param name="IsCreation">The row created the thing: there is no before.</param>
public sealed record AuditFieldChange(string Field, string? Before, string After, bool IsCreation)
{
    /// <summary>The field name in words: <c>approvedBy</c> → <c>approved by</c>.</summary>
    public string Label => string.Concat(Field.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>A snapshot of the fields an audited action may change, in a fixed order. Built with a collection initializer.</summary>
public sealed class AuditFields : IEnumerable<KeyValuePair<string, JsonNode?>>
{
    private readonly List<KeyValuePair<string, JsonNode?>> _fields = [];

    public IEnumerable<string> Names => _fields.Select(f => f.Key);

    public JsonNode? Get(string name) => _fields.FirstOrDefault(f => f.Key == name).Value;

    public void Add(string name, string? value) => _fields.Add(new(name, value is null ? null : JsonValue.Create(Masking.Mask(value))));

    public void Add(string name, long? value) => _fields.Add(new(name, value is null ? null : JsonValue.Create(value.Value)));

    public void Add(string name, bool? value) => _fields.Add(new(name, value is null ? null : JsonValue.Create(value.Value)));

    public void Add(string name, Enum? value) => Add(name, value?.ToString());

    public void Add(string name, IEnumerable<string>? values) => Add(name, values is null ? null : string.Join(", ", values));

    public IEnumerator<KeyValuePair<string, JsonNode?>> GetEnumerator() => _fields.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
