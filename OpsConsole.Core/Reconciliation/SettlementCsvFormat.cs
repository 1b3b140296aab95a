using System.Text;

namespace OpsConsole.Core.Reconciliation;

/// <summary>One column of the settlement CSV, as the Runs page and docs/formats.md describe it.</summary>
public sealed record SettlementCsvColumn(string Name, bool Required, string Meaning, string Example);

/// <summary>
/// The settlement CSV the console imports: one line per PG transaction (approval or cancel), columns by header
/// name in any order (Toss Payments' Settlement object fields, <c>GET /v1/settlements</c>), UTF-8 with or without
/// BOM, RFC 4180 quoting, LF or CRLF. The columns come from <see cref="SettlementLineParser"/>; the meanings and the
/// template are kept here, next to them, for the Runs page and the template download.
/// </summary>
public static class SettlementCsvFormat
{
    public static readonly IReadOnlyList<SettlementCsvColumn> Columns =
    [
        new("paymentKey", true, "the PG's payment key (≤ 200 characters)", "tpk_20261205_0001"),
        new("transactionKey", true, "the transaction's key: the approval's, or the cancel's own (≤ 200); the matching key", "tx_20261205_0001"),
        new("orderId", true, "our order id (≤ 64)", "ord-20261205-0001"),
        new("method", true, "payment method as the PG names it: 카드, 가상계좌, 간편결제, 휴대폰, 계좌이체, 문화상품권, 도서문화상품권, 게임문화상품권", "카드"),
        new("amount", true, "signed KRW integer: positive for an approval, negative for a cancel; never 0", "45800"),
        new("fee", true, "the PG's fee in KRW, VAT included (fee = supplyAmount + vat)", "1374"),
        new("supplyAmount", true, "the fee without VAT", "1249"),
        new("vat", true, "VAT on the fee", "125"),
        new("payOutAmount", true, "what the PG pays out for the line: amount − fee", "44426"),
        new("approvedAt", true, "ISO-8601 timestamp with an offset; on a cancel line, the original approval's time", "2026-12-05T10:15:30+09:00"),
        new("soldDate", true, "the KST business date of the transaction (yyyy-MM-dd); a file replaces the stored lines of its sold dates", "2026-12-05"),
        new("paidOutDate", true, "the payout date (yyyy-MM-dd), not before soldDate", "2026-12-07"),
        new("currency", false, "3-letter code; only KRW is accepted (empty means KRW)", "KRW"),
        new("mId", false, "the merchant id at the PG (≤ 64)", "tosspayments"),
    ];

    /// <summary>The template: the header and one example approval line, UTF-8 with a BOM (Excel on Korean Windows).</summary>
    public static byte[] TemplateCsv()
    {
        var text = string.Join(",", Columns.Select(c => c.Name)) + "\r\n" + string.Join(",", Columns.Select(c => c.Example)) + "\r\n";
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)];
    }
}
