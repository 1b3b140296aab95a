using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Api.Edge;

/// <summary>Settings <c>Api:RateLimit:*</c>: requests each API client may make per window (fixed window).</summary>
public sealed class ApiRateLimitOptions
{
    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>The window the permits apply to; 1 s unless a test needs a deterministic one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Settings <c>Auth:Jwt:*</c>: OAuth2 client-credentials access tokens from the company's identity provider.
/// Off unless <see cref="Authority"/> is set.
/// </summary>
public sealed class JwtApiOptions
{
    public string? Authority { get; set; }
    public string? Audience { get; set; }
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The IdP's token endpoint, shown in the OpenAPI document's client-credentials flow.</summary>
    public string? TokenUrl { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
