using System.Globalization;

namespace OpsConsole.Sandbox;

/// <summary>
/// The sandbox PG's notion of "now": the app's clock, or, for one request, the instant in the
/// <see cref="Header"/> header. The demo generator sends it to write history; it exists only on the sandbox's
/// own endpoints (the sandbox is a stand-in for the outside world, off in production).
/// </summary>
public static class SandboxClock
{
    public const string Header = "Sandbox-Clock";

    private static readonly AsyncLocal<DateTimeOffset?> Override = new();

    public static DateTimeOffset Now(TimeProvider clock) => Override.Value ?? clock.GetUtcNow();

    /// <summary>Endpoint filter: runs the request at the instant its header names (if any).</summary>
    public static async ValueTask<object?> FromHeader(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var header = ctx.HttpContext.Request.Headers[Header].ToString();
        if (header.Length == 0) return await next(ctx);
        if (!DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
            return Results.Json(new { code = "INVALID_REQUEST", message = $"{Header} must be an ISO 8601 instant." }, statusCode: 400);
        Override.Value = at.ToUniversalTime();
        try
        {
            return await next(ctx);
        }
        finally
        {
            Override.Value = null;
        }
    }
}
