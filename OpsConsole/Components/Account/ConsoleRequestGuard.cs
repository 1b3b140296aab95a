using Microsoft.AspNetCore.Antiforgery;

namespace OpsConsole.Components.Account;

/// <summary>
/// No action by cross-site request. Every state-changing request (POST, PUT, PATCH, DELETE) that carries the
/// console's session cookie must come from the console's own origin (<c>Origin</c> and <c>Sec-Fetch-Site</c>,
/// when the client sends them: another port or a sibling subdomain is another origin), carry a valid
/// antiforgery token (form field or the <see cref="HeaderName"/> header, from <c>GET /account/antiforgery</c>),
/// and, under <c>/api</c>, send any body as <c>application/json</c>. Refusals are problem details with a
/// <c>code</c>: 403 <c>cross_origin</c> / <c>antiforgery</c>, 415 <c>unsupported_media_type</c>.
/// Endpoints that never accept the cookie (the sandbox PG, the outside world) opt out with <see cref="Exempt"/>.
/// </summary>
public static class ConsoleRequestGuard
{
    /// <summary>The header that carries the antiforgery request token for scripts and the console's own JS.</summary>
    public const string HeaderName = "X-CSRF-TOKEN";

    /// <summary>Endpoint metadata: the guard does not apply (endpoints that do not accept the console cookie).</summary>
    public sealed class ExemptMetadata;

    public static TBuilder Exempt<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExemptMetadata());

    public static bool IsStateChanging(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>The request's verdict on its origin headers; null when they allow it (or the client sent none).</summary>
    public static string? CrossOriginReason(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && !site.Equals("same-origin", StringComparison.OrdinalIgnoreCase))
            return $"Sec-Fetch-Site is {site}";
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            var own = $"{request.Scheme}://{request.Host.Value}";
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || !Uri.TryCreate(own, UriKind.Absolute, out var self) ||
                !string.Equals(o.Scheme, self.Scheme, StringComparison.OrdinalIgnoreCase) ||
                !string.Equals(o.Host, self.Host, StringComparison.OrdinalIgnoreCase) || o.Port != self.Port)
                return $"Origin {origin} is not {own}";
        }
        return null;
    }

    public static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    public static bool IsJson(HttpRequest request) =>
        request.ContentType is { } type &&
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>After authentication and routing: refuses forged state-changing requests before authorization.</summary>
    public static IApplicationBuilder UseConsoleRequestGuard(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            var request = http.Request;
            var endpoint = http.GetEndpoint();
            if (!IsStateChanging(request.Method) || endpoint?.Metadata.GetMetadata<ExemptMetadata>() is not null ||
                !request.Cookies.ContainsKey(ConsoleCookies.Session))
            {
                await next(http);
                return;
            }

            if (CrossOriginReason(request) is { } why)
            {
                await RefuseAsync(http, StatusCodes.Status403Forbidden, "cross_origin",
                    $"A state-changing request must come from the console's own origin ({why}).");
                return;
            }

            // The Blazor circuit's own transport (negotiate, disconnect) is same-origin checked above;
            // its messages are authorized per component, it takes no token.
            if (request.Path.StartsWithSegments("/_blazor"))
            {
                await next(http);
                return;
            }

            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                await RefuseAsync(http, StatusCodes.Status403Forbidden, "antiforgery",
                    $"Missing or invalid antiforgery token: send the {HeaderName} header (GET /account/antiforgery) or the form's token.");
                return;
            }

            if (request.Path.StartsWithSegments("/api") && HasBody(request) && !IsJson(request))
            {
                await RefuseAsync(http, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                    "The body must be application/json.");
                return;
            }
            await next(http);
        });

    private static Task RefuseAsync(HttpContext http, int status, string code, string detail) =>
        Api.Edge.ApiProblems.WriteAsync(http, status, code, detail);
}
