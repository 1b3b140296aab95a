using OpsConsole.Core.Repairs;

namespace OpsConsole.Components.Pages.Repairs;

/// <summary>What the operator filled in the repair form; becomes a <see cref="RepairCommand"/> with the actor.</summary>
public sealed record RepairDraft(RepairKind Kind, long? Amount, long? ConfirmAmount, string ReasonCode, string Comment)
{
    public RepairCommand ToCommand(string paymentKey, long? findingId, string requestedBy) =>
        new(Kind, paymentKey, findingId, Amount, ConfirmAmount, ReasonCode, Comment, requestedBy);
}
