using System.ComponentModel.DataAnnotations;
using System.Net;

namespace OpsConsole.Hosting;

/// <summary>Settings <c>Metrics:*</c>.</summary>
public sealed class MetricsOptions : IValidatableObject
{
    /// <summary>Serve a Prometheus scrape endpoint at <see cref="Path"/>.</summary>
    public bool Prometheus { get; set; }

    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose hosts may scrape, besides the loopback, which always may.
    /// Anyone else gets 403. Behind a trusted proxy the forwarded client address counts.
    /// </summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>OTLP export of metrics, e.g. <c>http://otel-collector:4317</c>. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.</summary>
    public OtlpSettings Otlp { get; set; } = new();

    public sealed class OtlpSettings
    {
        public string? Endpoint { get; set; }

        /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
        public string Protocol { get; set; } = "grpc";
    }

    public IReadOnlyList<IPNetwork> Networks() => AllowedNetworks.Select(n => IPNetwork.Parse(n.Trim())).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var n in AllowedNetworks.Where(n => !IPNetwork.TryParse(n.Trim(), out _)))
            yield return new ValidationResult($"Metrics:AllowedNetworks: '{n}' is not a CIDR network like 10.0.0.0/8.");
        if (!Path.StartsWith('/'))
            yield return new ValidationResult("Metrics:Path must start with '/'.");
        if (Otlp.Endpoint is { Length: > 0 } e && !Uri.TryCreate(e, UriKind.Absolute, out _))
            yield return new ValidationResult($"Metrics:Otlp:Endpoint '{e}' is not an absolute URL.");
        if (Otlp.Protocol is not ("grpc" or "http/protobuf"))
            yield return new ValidationResult("Metrics:Otlp:Protocol must be grpc or http/protobuf.");
    }
}
