namespace OpsConsole.Core.Common;

/// <summary>An error the caller can act on. <see cref="Code"/> is stable; the message is for people.</summary>
public class DomainException(string code, string message, int httpStatus = 409) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>The HTTP status the API answers with (400 bad input, 404 unknown, 409 conflict with state).</summary>
    public int HttpStatus { get; } = httpStatus;

    public static DomainException BadInput(string code, string message) => new(code, message, 400);
    public static DomainException NotFound(string code, string message) => new(code, message, 404);
    public static DomainException Conflict(string code, string message) => new(code, message, 409);
}
