namespace OpsConsole.Core.Warehouse;

/// <summary>
/// Where each ledger sits in the warehouse and what its columns are called. The defaults are the layout of
/// docs/bigquery.md; a data team whose tables use other names maps them here instead of renaming tables.
/// </summary>
public sealed class WarehouseTableLayout
{
    /// <summary>Internal ledger: one row per approval or cancel (cancel amounts positive).</summary>
    public string Transactions { get; set; } = "payment_transactions";

    /// <summary>PG settlement lines: one row per transaction (cancel amounts negative).</summary>
    public string SettlementLines { get; set; } = "settlement_lines";

    /// <summary>Internal payments (status per payment key), for CHARGED_BUT_FAILED.</summary>
    public string Payments { get; set; } = "payments";

    public TransactionColumns TransactionColumns { get; set; } = new();

    public SettlementColumns SettlementColumns { get; set; } = new();

    public PaymentColumns PaymentColumns { get; set; } = new();
}

public sealed class TransactionColumns
{
    public string PaymentKey { get; set; } = "payment_key";
    public string OrderId { get; set; } = "order_id";
    public string TransactionKey { get; set; } = "transaction_key";
    /// <summary>APPROVAL or CANCEL.</summary>
    public string Kind { get; set; } = "kind";
    public string Amount { get; set; } = "amount";
    public string Method { get; set; } = "method";
    public string OccurredAt { get; set; } = "occurred_at";
    /// <summary>ISO 4217 code of <see cref="Amount"/> (minor units).</summary>
    public string Currency { get; set; } = "currency";
    /// <summary>The KST business date the row is partitioned by (DATE).</summary>
    public string? BusinessDate { get; set; } = "business_date";
    /// <summary>The PG connection name of the transaction's payment (a run compares one PG's rows).</summary>
    public string Pg { get; set; } = "pg";
}

public sealed class SettlementColumns
{
    public string PaymentKey { get; set; } = "payment_key";
    public string TransactionKey { get; set; } = "transaction_key";
    public string OrderId { get; set; } = "order_id";
    public string Method { get; set; } = "method";
    public string Amount { get; set; } = "amount";
    public string Fee { get; set; } = "fee";
    public string ApprovedAt { get; set; } = "approved_at";
    /// <summary>ISO 4217 code of <see cref="Amount"/> and <see cref="Fee"/> (minor units).</summary>
    public string Currency { get; set; } = "currency";
    /// <summary>The PG's KST business date (DATE); the partition column.</summary>
    public string SoldDate { get; set; } = "sold_date";
    /// <summary>The PG connection name of the line (a run compares one PG's rows).</summary>
    public string Pg { get; set; } = "pg";

    // Read only when fee contracts are configured (Pg:Contracts): what a contract prices by, the VAT and the
    // reported fee breakdown (Toss's mId, card.issuerCode, easyPay.provider, card.installmentPlanMonths,
    // card.interestPayer, vat, fees[BASE], fees[INSTALLMENT]).
    public string MId { get; set; } = "m_id";
    public string CardIssuerCode { get; set; } = "card_issuer_code";
    public string EasyPayProvider { get; set; } = "easy_pay_provider";
    public string CardInstallmentPlanMonths { get; set; } = "card_installment_plan_months";
    public string CardInterestPayer { get; set; } = "card_interest_payer";
    public string Vat { get; set; } = "vat";
    public string FeeBase { get; set; } = "fee_base";
    public string FeeInstallment { get; set; } = "fee_installment";

    /// <summary>The mapped column of a fee column the reconciliation rules name (e.g. <c>m_id</c>).</summary>
    public string Column(string name) => name switch
    {
        "m_id" => MId,
        "card_issuer_code" => CardIssuerCode,
        "easy_pay_provider" => EasyPayProvider,
        "card_installment_plan_months" => CardInstallmentPlanMonths,
        "card_interest_payer" => CardInterestPayer,
        "vat" => Vat,
        "fee_base" => FeeBase,
        "fee_installment" => FeeInstallment,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a settlement fee column."),
    };
}

public sealed class PaymentColumns
{
    public string PaymentKey { get; set; } = "payment_key";
    public string Status { get; set; } = "status";
    public string TraceId { get; set; } = "trace_id";
    /// <summary>The payment's PG connection name.</summary>
    public string Pg { get; set; } = "pg";
}
