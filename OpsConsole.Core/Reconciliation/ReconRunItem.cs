using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// A working row of a run, written set-based by the engine: pass 1 inserts one row per differing key,
/// pass 2 one row per rechecked key (with <see cref="FindingType"/> null when the key now matches).
/// Findings are upserted from these rows; they stay as the raw evidence of each pass.
/// </summary>
public sealed class ReconRunItem
{
    private ReconRunItem()
    {
        TransactionKey = PaymentKey = OrderId = DiffFields = "";
    }

    public long Id { get; private set; }
    public long RunId { get; private set; }
    public int Pass { get; private set; }
    public string TransactionKey { get; private set; }
    public FindingType? FindingType { get; private set; }
    public string PaymentKey { get; private set; }
    public string OrderId { get; private set; }
    public string? TraceId { get; private set; }
    public PaymentStatus? PaymentStatus { get; private set; }
    public TransactionKind? InternalKind { get; private set; }
    public long? InternalAmount { get; private set; }
    public PaymentMethod? InternalMethod { get; private set; }
    public DateOnly? InternalBusinessDate { get; private set; }
    public DateTimeOffset? InternalOccurredAt { get; private set; }
    public int ExternalLineCount { get; private set; }
    public long? ExternalAmount { get; private set; }
    public long? ExternalAmountTotal { get; private set; }
    public long? ExternalFee { get; private set; }
    public long? ExternalExpectedFee { get; private set; }
    public PaymentMethod? ExternalMethod { get; private set; }
    public DateOnly? ExternalSoldDate { get; private set; }
    public DateTimeOffset? ExternalApprovedAt { get; private set; }
    public string DiffFields { get; private set; }
    public long MoneyAtRisk { get; private set; }

    /// <summary>
    /// ISO 4217 code of the amounts and of <see cref="MoneyAtRisk"/> (ours, else the PG's). Money is summed per currency,
    /// never across currencies. Nullable only so that a writer that predates it stays valid; every engine writes it.
    /// </summary>
    public string? Currency { get; private set; }

    /// <summary>Pass 2 with <c>Reconciliation:LiveCheck</c>: what the PG answered when asked live (see <see cref="ReconLiveCheck"/>).</summary>
    public string? PgLiveStatus { get; private set; }

    public long? PgLiveBalance { get; private set; }
    public DateTimeOffset? PgLiveCheckedAt { get; private set; }
}
