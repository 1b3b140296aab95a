using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Sandbox;

public enum SandboxFileFormat
{
    /// <summary>CSV in CP949 (what Korean PG admin sites hand out for Excel on Korean Windows).</summary>
    CSV,
    /// <summary>An Excel workbook (.xlsx), amounts as number cells.</summary>
    XLSX,
}

/// <summary>
/// The sandbox's second PG persona, <c>sandbox-inicis</c>: a PG without a settlement API that delivers settlement
/// files from its "admin site" in its own layout — two title rows, Korean headers, CP949 CSV or .xlsx, amounts with
/// thousands separators, every amount written positive and cancels shown by the 거래상태 column (취소 / 부분취소). The
/// layout is the sandbox's own, modelled on the shape of Korean PG exports (KG Inicis' file specification was not
/// available to us); the shipped profile <c>sandbox-inicis</c> (Core/Reconciliation/Profiles) reads it. The lines
/// are the sandbox PG's own settlement lines of the payments made through this persona.
/// </summary>
public sealed class SandboxFilePg(IDbContextFactory<SandboxDbContext> sandboxDb)
{
    public const string ProfileName = "sandbox-inicis";
    public const string MerchantId = "INIpayTest";

    public static readonly string[] Header =
        ["거래상태", "거래일자", "원승인일시", "원거래TID", "거래TID", "주문번호", "결제수단", "거래금액", "수수료", "부가세", "정산금액", "지급예정일", "상점아이디"];

    private static readonly Dictionary<string, string> MethodNames = new(StringComparer.Ordinal)
    {
        ["CARD"] = "신용카드", ["EASY_PAY"] = "간편결제", ["TRANSFER"] = "실시간계좌이체", ["VIRTUAL_ACCOUNT"] = "가상계좌",
        ["MOBILE_PHONE"] = "휴대폰", ["CULTURE_GIFT_CERTIFICATE"] = "문화상품권", ["BOOK_GIFT_CERTIFICATE"] = "도서문화상품권",
        ["GAME_GIFT_CERTIFICATE"] = "게임문화상품권",
    };

    private static readonly TimeZoneInfo Kst = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");

    /// <summary>
    /// The settlement file of the sold dates [<paramref name="from"/>, <paramref name="to"/>]: the lines of the payments
    /// made through this persona (checkout with <c>mId</c> <see cref="MerchantId"/>), planted settlement faults included.
    /// </summary>
    public async Task<byte[]> SettlementFileAsync(DateOnly from, DateOnly to, SandboxFileFormat format, CancellationToken ct = default)
    {
        await using var db = await sandboxDb.CreateDbContextAsync(ct);
        var lines = await db.SettlementLines.AsNoTracking()
            .Where(l => l.MerchantId == MerchantId && l.SoldDate >= from && l.SoldDate <= to)
            .OrderBy(l => l.SoldDate).ThenBy(l => l.Id)
            .ToListAsync(ct);
        return Render(lines, from, to, format);
    }

    /// <summary>
    /// The demo path: the persona's settlement file of the sold dates [<paramref name="from"/>, <paramref name="to"/>]
    /// written to <c>{DataDirectory}/sandbox-inicis/</c> and imported like an uploaded file through the shipped profile,
    /// as the lines of PG <paramref name="pg"/> (an import supersedes only its own PG's lines).
    /// </summary>
    public static async Task<SettlementImportResult> WriteAndImportAsync(IServiceProvider services, DateOnly from, DateOnly to,
        SandboxFileFormat format, string pg, CancellationToken ct)
    {
        var bytes = await services.GetRequiredService<SandboxFilePg>().SettlementFileAsync(from, to, format, ct);
        var config = services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();
        var dir = Path.Combine(config["DataDirectory"] is { Length: > 0 } d ? d : "data", ProfileName);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"정산내역_{from:yyyyMMdd}_{to:yyyyMMdd}.{(format == SandboxFileFormat.CSV ? "csv" : "xlsx")}");
        await File.WriteAllBytesAsync(path, bytes, ct);
        var profile = services.GetRequiredService<SettlementProfileStore>().Resolve(ProfileName);
        await using var stream = File.OpenRead(path);
        return await services.GetRequiredService<SettlementImporter>()
            .ImportAsync(stream, path, "sandbox-pg", SettlementImportMode.CommitReplacing, profile, pg, ct);
    }

    /// <summary>The file's bytes for these lines (pure).</summary>
    public static byte[] Render(IEnumerable<SandboxSettlementLine> lines, DateOnly from, DateOnly to, SandboxFileFormat format)
    {
        var rows = new List<object[]>
        {
            new object[] { "정산내역 조회" },
            new object[] { $"조회기간: {from:yyyy-MM-dd} ~ {to:yyyy-MM-dd}", $"상점아이디: {MerchantId}" },
            Header,
        };
        var all = lines.ToList();
        var approved = all.Where(l => l.Amount > 0).GroupBy(l => l.PaymentKey).ToDictionary(g => g.Key, g => g.First().Amount);
        foreach (var l in all)
        {
            // A cancel of less than the approval (when the approval is in the file) is a 부분취소.
            var status = l.Amount > 0 ? "승인" : approved.TryGetValue(l.PaymentKey, out var a) && -l.Amount < a ? "부분취소" : "취소";
            rows.Add(
            [
                status,
                l.SoldDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                TimeZoneInfo.ConvertTime(l.ApprovedAt, Kst).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                l.PaymentKey, l.TransactionKey, l.OrderId,
                MethodNames.GetValueOrDefault(l.Method, l.Method),
                Math.Abs(l.Amount), Math.Abs(l.Fee), Math.Abs(l.Vat), Math.Abs(l.PayOutAmount),
                l.PaidOutDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                MerchantId,
            ]);
        }
        return format == SandboxFileFormat.CSV ? Csv(rows) : Xlsx(rows);
    }

    private static byte[] Csv(List<object[]> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
            text.Append(string.Join(",", row.Select(Cell))).Append("\r\n");
        var cp949 = MappingProfile.ResolveEncoding("CP949")!;
        return cp949.GetBytes(text.ToString());

        static string Cell(object value)
        {
            var s = value is long n ? n.ToString("#,##0", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        }
    }

    private static byte[] Xlsx(List<object[]> rows)
    {
        var width = rows.Max(r => r.Length);
        var sheet = rows.Select(r =>
        {
            var d = new Dictionary<string, object?>();
            for (var i = 0; i < width; i++) d[$"c{i:D2}"] = i < r.Length ? r[i] : null;
            return d;
        }).ToList();
        using var stream = new MemoryStream();
        stream.SaveAs(sheet, printHeader: false, excelType: ExcelType.XLSX);
        return stream.ToArray();
    }
}
