using OpsConsole.Core.Common;

namespace OpsConsole.Core.Repairs;

/// <summary>Why an entity refuses a state change: the page shows <see cref="Message"/>, the service throws it.</summary>
public sealed record Refusal(string Code, string Message)
{
    public DomainException ToException() => Code is "REASON_REQUIRED"
        ? DomainException.BadInput(Code, Message)
        : DomainException.Conflict(Code, Message);
}
