using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Repairs;

/// <param name="MaxAmount">The largest refund allowed (REFUND only).</param>
public sealed record RepairOption(RepairKind Kind, bool Allowed, string Why, long MaxAmount = 0);

/// <summary>What the server allows for a payment right now, with both ledgers' states, shown before anything moves.</summary>
public sealed record RepairPreview(
    PaymentSnapshot Ledger,
    TossPayment? Pg,
    string? PgError,
    IReadOnlyList<RepairOption> Options,
    RepairRequest? OpenRepair);

/// <param name="ConfirmAmount">The amount the operator typed to confirm; must equal <paramref name="Amount"/> for a refund.</param>
public sealed record RepairCommand(
    RepairKind Kind,
    string PaymentKey,
    long? FindingId,
    long? Amount,
    long? ConfirmAmount,
    string ReasonCode,
    string Comment,
    string RequestedBy);
