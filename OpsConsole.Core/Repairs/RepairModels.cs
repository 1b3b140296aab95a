using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Repairs;

/// <param name="MaxAmount">The largest refund allowed (REFUND only).</param>
public sealed record RepairOption(RepairKind Kind, bool Allowed, string Why, long MaxAmount = 0);

/// <summary>What the server allows for a payment right now, with both ledgers' states, shown before anything moves.</summary>
/// <param name="Ledger">Our ledger's payment; null when only the PG knows it (MISSING_INTERNAL).</param>
public sealed record RepairPreview(
    PaymentSnapshot? Ledger,
    TossPayment? Pg,
    string? PgError,
    IReadOnlyList<RepairOption> Options,
    RepairRequest? OpenRepair)
{
    public string PaymentKey => Ledger?.PaymentKey ?? Pg?.PaymentKey ?? "";

    /// <summary>The order, from our ledger or else from the PG.</summary>
    public string OrderId => Ledger?.OrderId ?? Pg?.OrderId ?? "";

    /// <summary>Only the PG knows this payment: a refund or a record first brings the PG's payment into our ledger.</summary>
    public bool OnlyAtPg => Ledger is null;
}

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
