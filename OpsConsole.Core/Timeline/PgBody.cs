using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace OpsConsole.Core.Timeline;

/// <summary>
/// A PG request or response body as people read it: JSON indented, with Korean (and any other) text as itself
/// instead of <c>\uD55C…</c> escapes. Anything that is not a whole JSON document (a clipped body, plain text) is
/// returned unchanged. The result is plain text: it is safe only where it is rendered as text (Blazor encodes
/// it), never as markup. Characters that matter to HTML stay escaped all the same.
/// </summary>
public static class PgBody
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        // Every Unicode range may stay unescaped (Korean readable); the default encoder still escapes what matters to
        // HTML (<, >, &, ', ") as \u003C … so the text is harmless even if someone ever renders it as markup.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static string Pretty(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "";
        var trimmed = body.TrimStart();
        if (trimmed[0] is not ('{' or '[')) return body;
        try
        {
            using var document = JsonDocument.Parse(body);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, Indented))
                document.WriteTo(writer);
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray())
                // "+" is escaped by the default encoder; it is harmless in HTML and common in PG timestamps (+09:00).
                .Replace("\\u002B", "+", StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
