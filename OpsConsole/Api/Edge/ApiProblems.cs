using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace OpsConsole.Api.Edge;

/// <summary>
/// The one error shape under <c>/api</c>: <c>application/problem+json</c> with <c>code</c>, <c>detail</c> and
/// <c>traceId</c>. Handlers that know better (the payments and repairs APIs) set their own code; everything else
/// (401/403/404/405/413/415/429/500) gets a generic one from the status.
/// </summary>
public static class ApiProblems
{
    public const string Unauthenticated = "unauthenticated";
    public const string InsufficientScope = "insufficient_scope";
    public const string RateLimited = "rate_limited";

    public static bool IsApiPath(PathString path) => path.StartsWithSegments("/api");

    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => Unauthenticated,
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        429 => RateLimited,
        503 => "service_unavailable",
        >= 500 => "internal_error",
        _ => $"http_{status}",
    };

    public static string DetailFor(int status) => status switch
    {
        400 => "The request is malformed.",
        401 => "Authentication is required: send 'Authorization: Bearer <API key or access token>'.",
        403 => "The credentials are valid but do not allow this action.",
        404 => "There is nothing at this address.",
        405 => "This address does not accept that HTTP method.",
        413 => "The request body is too large.",
        415 => "The request body must be application/json.",
        429 => "Too many requests; retry after the time in the Retry-After header.",
        503 => "The service is unavailable; retry later.",
        >= 500 => "An unexpected error occurred. Quote the traceId when you report it.",
        _ => $"HTTP {status}.",
    };

    /// <summary>Completes a problem the framework or a handler built: code, detail and trace id when absent.</summary>
    public static void Complete(ProblemDetails problem, HttpContext http)
    {
        var status = problem.Status ?? http.Response.StatusCode;
        problem.Status ??= status;
        problem.Extensions.TryAdd("code", CodeFor(status));
        problem.Detail ??= DetailFor(status);
        // The framework's default is the whole traceparent (00-trace-span-flags); the console and the timeline
        // search by the 32-hex trace id, so that is what a caller quotes. A handler's own traceId is kept.
        var activity = Activity.Current;
        if (!problem.Extensions.TryGetValue("traceId", out var existing) || existing is null ||
            (activity is not null && Equals(existing, activity.Id)) || Equals(existing, http.TraceIdentifier))
            problem.Extensions["traceId"] = activity?.TraceId.ToString() ?? http.TraceIdentifier;
    }

    /// <summary>The one problem shape: status, <c>code</c> (also the title), detail, a type URL from the code.</summary>
    public static ProblemDetails Create(int status, string code, string detail, IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = code,
            Detail = detail,
            Type = $"https://opsconsole.dev/problems/{code.ToLowerInvariant().Replace('_', '-')}",
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
            problem.Extensions[key] = value;
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>A handler's problem result in the one shape.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Result(int status, string code, string detail,
        IDictionary<string, object?>? extensions = null) => TypedResults.Problem(Create(status, code, detail, extensions));

    /// <summary>A domain error as a problem: its HTTP status, code and message.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Result(OpsConsole.Core.Common.DomainException e) =>
        Result(e.HttpStatus, e.Code, e.Message);

    /// <summary>Writes a problem response (status, code, detail) through the app's problem details service.</summary>
    public static async Task WriteAsync(HttpContext http, int status, string code, string detail)
    {
        http.Response.StatusCode = status;
        var problem = Create(status, code, detail);
        Complete(problem, http); // the 32-hex trace id on every path, not only under /api
        var service = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }))
        {
            Complete(problem, http);
            await http.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
