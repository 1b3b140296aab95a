using System.Text;
using OpsConsole.Core.Data;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// Writes the rows a warehouse pass brought back into the console's <c>recon_run_items</c>, in batches of
/// multi-row INSERTs, so that the run's persistence (CONFIRMED/TRANSIENT upserts, sightings, totals) works on
/// them exactly as on the rows the console engines insert themselves.
/// </summary>
internal static class WarehouseItemWriter
{
    private const int BatchSize = 400;

    private static readonly string[] Columns =
    [
        "run_id", "pass", "transaction_key", "finding_type", "payment_key", "order_id", "trace_id", "payment_status",
        "internal_kind", "internal_amount", "internal_method", "internal_business_date", "internal_occurred_at",
        "external_line_count", "external_amount", "external_amount_total", "external_fee", "external_expected_fee",
        "external_method", "external_sold_date", "external_approved_at", "diff_fields", "money_at_risk", "currency",
    ];

    public static async Task<int> WriteAsync(OpsDbContext db, IReconSqlDialect dialect, long runId, int pass,
        IReadOnlyList<WarehouseItem> items, CancellationToken ct)
    {
        var written = 0;
        foreach (var batch in items.Chunk(BatchSize))
        {
            var sql = new StringBuilder($"INSERT INTO recon_run_items ({string.Join(", ", Columns)}) VALUES ");
            var parameters = new Dictionary<string, object?>();
            for (var r = 0; r < batch.Length; r++)
            {
                var values = Values(dialect, runId, pass, batch[r]);
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < values.Length; c++)
                {
                    var name = $"p{r}_{c}";
                    parameters[name] = values[c];
                    sql.Append(c == 0 ? "" : ", ").Append('@').Append(name);
                }
                sql.Append(')');
            }
            written += await ReconSql.ExecuteAsync(db, sql.ToString(), parameters, ct);
        }
        return written;
    }

    private static object?[] Values(IReconSqlDialect d, long runId, int pass, WarehouseItem i) =>
    [
        runId, pass, i.TransactionKey, i.FindingType?.ToString(), i.PaymentKey, i.OrderId, i.TraceId,
        i.PaymentStatus?.ToString(), i.InternalKind?.ToString(), i.InternalAmount, i.InternalMethod?.ToString(),
        i.InternalBusinessDate is { } ibd ? d.DateValue(ibd) : null,
        i.InternalOccurredAt is { } io ? d.InstantValue(io) : null,
        i.ExternalLineCount, i.ExternalAmount, i.ExternalAmountTotal, i.ExternalFee, i.ExternalExpectedFee,
        i.ExternalMethod?.ToString(),
        i.ExternalSoldDate is { } sd ? d.DateValue(sd) : null,
        i.ExternalApprovedAt is { } ea ? d.InstantValue(ea) : null,
        i.DiffFields, i.MoneyAtRisk, i.Currency,
    ];
}
