using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

/// <summary>One row a warehouse pass returns: the same evidence as a <c>recon_run_items</c> row.</summary>
public sealed record WarehouseItem(
    string TransactionKey,
    FindingType? FindingType,
    string PaymentKey,
    string OrderId,
    string? TraceId,
    PaymentStatus? PaymentStatus,
    TransactionKind? InternalKind,
    long? InternalAmount,
    PaymentMethod? InternalMethod,
    DateOnly? InternalBusinessDate,
    DateTimeOffset? InternalOccurredAt,
    int ExternalLineCount,
    long? ExternalAmount,
    long? ExternalAmountTotal,
    long? ExternalFee,
    long? ExternalExpectedFee,
    PaymentMethod? ExternalMethod,
    DateOnly? ExternalSoldDate,
    DateTimeOffset? ExternalApprovedAt,
    string DiffFields,
    long MoneyAtRisk,
    string? Currency = null)
{
    internal static WarehouseItem FromRow(BigQueryRow r) => new(
        r.GetString("transaction_key")!,
        Parse<FindingType>(r.GetString("finding_type")),
        r.GetString("payment_key") ?? "",
        r.GetString("order_id") ?? "",
        r.GetString("trace_id"),
        Parse<PaymentStatus>(r.GetString("payment_status")),
        Parse<TransactionKind>(r.GetString("internal_kind")),
        r.GetInt64("internal_amount"),
        Parse<PaymentMethod>(r.GetString("internal_method")),
        r.GetDate("internal_business_date"),
        r.GetTimestamp("internal_occurred_at"),
        (int)(r.GetInt64("external_line_count") ?? 0),
        r.GetInt64("external_amount"),
        r.GetInt64("external_amount_total"),
        r.GetInt64("external_fee"),
        r.GetInt64("external_expected_fee"),
        Parse<PaymentMethod>(r.GetString("external_method")),
        r.GetDate("external_sold_date"),
        r.GetTimestamp("external_approved_at"),
        r.GetString("diff_fields") ?? "",
        r.GetInt64("money_at_risk") ?? 0,
        r.GetString("currency"));

    private static T? Parse<T>(string? value) where T : struct, Enum =>
        value is null ? null
        : Enum.TryParse<T>(value, ignoreCase: false, out var v) ? v
        : throw new FormatException($"The warehouse returned '{value}', which is not a {typeof(T).Name} ({string.Join(", ", Enum.GetNames<T>())}).");
}
