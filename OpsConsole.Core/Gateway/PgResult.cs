namespace OpsConsole.Core.Gateway;

public enum PgOutcome
{
    /// <summary>The PG answered 2xx with a readable body.</summary>
    Success,
    /// <summary>The PG answered a definitive refusal (4xx with a readable {code, message}).</summary>
    Rejected,
    /// <summary>Timeout, 5xx, dropped connection, unreadable answer: the PG may or may not have acted.</summary>
    Unknown,
}

/// <summary>
/// The outcome of one PG call, with what the payment timeline records about it. Every caller must handle
/// all three outcomes; "Unknown" never means "failed".
/// </summary>
public sealed record PgResult<T>(
    PgOutcome Outcome,
    T? Value,
    string HttpMethod,
    string Path,
    int? StatusCode,
    string? Code,
    string? Message,
    long LatencyMs,
    string RequestSummary,
    string ResponseSummary)
{
    /// <summary>The call ended because the PG did not answer in time (an <see cref="PgOutcome.Unknown"/> outcome).</summary>
    public bool TimedOut { get; init; }

    public bool IsSuccess => Outcome == PgOutcome.Success;
    public bool IsRejected => Outcome == PgOutcome.Rejected;
    public bool IsUnknown => Outcome == PgOutcome.Unknown;

    public string Describe() => Outcome switch
    {
        PgOutcome.Success => $"{HttpMethod} {Path} → {StatusCode}",
        PgOutcome.Rejected => $"{HttpMethod} {Path} → {StatusCode} {Code}: {Message}",
        _ => $"{HttpMethod} {Path} → outcome unknown ({(StatusCode is { } s ? s + " " : "")}{Message})",
    };
}
