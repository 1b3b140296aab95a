namespace OpsConsole.Core.Timeline;

/// <summary>
/// Settings <c>Tracing:*</c>: deep-link templates to the tracing and log tools, by display name, e.g.
/// <c>Tracing:Links:Jaeger = https://jaeger.example/trace/{traceId}</c>. Placeholders: <c>{traceId}</c>,
/// <c>{fromMs}</c>/<c>{toMs}</c> (Unix milliseconds), <c>{fromIso}</c>/<c>{toIso}</c> (UTC ISO-8601),
/// <c>{fromSec}</c>/<c>{toSec}</c>; the window is the payment's lifetime ± <see cref="WindowMinutes"/>.
/// </summary>
public sealed class TraceLinkOptions
{
    public Dictionary<string, string> Links { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public int WindowMinutes { get; set; } = 15;
}

public sealed record TraceLink(string Name, string Url);

public static class TraceLinks
{
    public static IReadOnlyList<TraceLink> Build(TraceLinkOptions options, string? traceId, DateTimeOffset from,
        DateTimeOffset to)
    {
        if (string.IsNullOrWhiteSpace(traceId)) return [];
        var window = TimeSpan.FromMinutes(Math.Max(0, options.WindowMinutes));
        var start = from.ToUniversalTime() - window;
        var end = to.ToUniversalTime() + window;
        var values = new Dictionary<string, string>
        {
            ["{traceId}"] = traceId,
            ["{fromMs}"] = start.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["{toMs}"] = end.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["{fromSec}"] = start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["{toSec}"] = end.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["{fromIso}"] = start.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["{toIso}"] = end.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        };
        var links = new List<TraceLink>();
        foreach (var (name, template) in options.Links)
        {
            if (string.IsNullOrWhiteSpace(template)) continue;
            var url = template;
            foreach (var (placeholder, value) in values)
                url = url.Replace(placeholder, Uri.EscapeDataString(value), StringComparison.Ordinal);
            links.Add(new TraceLink(name, url));
        }
        return links;
    }
}
