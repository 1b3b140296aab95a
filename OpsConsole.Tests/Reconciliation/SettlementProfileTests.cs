using System.Runtime.CompilerServices;
using System.Text;
using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Sandbox;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>PG settlement files in their own layout, through mapping profiles (pure: the scanner, no database).</summary>
public sealed class SettlementProfileTests
{
    /// <summary>A fixture under OpsConsole.Tests/Reconciliation/Fixtures (read from the source tree), whoever asks.</summary>
    internal static string Fixture(string name) => Path.Combine(ThisDirectory(), "Fixtures", name);

    private static string ThisDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    internal static readonly MappingProfile Inicis =
        new SettlementProfileStore(new DatabaseOptions { DataDirectory = Path.GetTempPath() }).Resolve(SandboxFilePg.ProfileName);

    private static readonly Encoding Cp949 = MappingProfile.ResolveEncoding("CP949")!;

    internal static async Task<(List<ParsedSettlementLine> Lines, SettlementCsvScan Scan)> ScanAsync(byte[] bytes, MappingProfile? profile)
    {
        var lines = new List<ParsedSettlementLine>();
        var scan = await SettlementCsvScanner.ScanAsync(new MemoryStream(bytes, writable: false), long.MaxValue, profile, l =>
        {
            lines.Add(l);
            return ValueTask.CompletedTask;
        }, CancellationToken.None);
        return (lines, scan);
    }

    private static string FixtureText() => Cp949.GetString(File.ReadAllBytes(Fixture("sandbox-inicis.cp949.csv")));

    [Fact]
    public async Task Cp949Csv_ThroughTheShippedProfile_GivesSettlementLinesWithCancelsNegated()
    {
        var (lines, scan) = await ScanAsync(File.ReadAllBytes(Fixture("sandbox-inicis.cp949.csv")), Inicis);

        Assert.Empty(scan.Errors);
        Assert.Equal(4, lines.Count);
        var card = lines[0];
        Assert.Equal(new ParsedSettlementLine(4, "INIMX_CARD_20261205_0001", "INIMX_CARD_20261205_0001", "ord-20261205-0001",
            PaymentMethod.CARD, 34_000, 860, 782, 78, 33_140, new DateTimeOffset(2026, 12, 5, 1, 15, 30, TimeSpan.Zero),
            new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 8), "KRW", "INIpayTest") { MethodText = "카드" }, card);
        // 23:59:59 KST stays on its KST business date; its approval instant is 14:59:59 UTC.
        Assert.Equal((PaymentMethod.EASY_PAY, 1_250_000L, new DateTimeOffset(2026, 12, 5, 14, 59, 59, TimeSpan.Zero)),
            (lines[1].Method, lines[1].Amount, lines[1].ApprovedAt));
        // 부분취소 / 취소 rows: written positive, stored as negative lines (amount, fee, VAT, supply, payout).
        Assert.Equal((-10_000L, -250L, -227L, -23L, -9_750L, "INIMX_CANC_20261206_0003"),
            (lines[2].Amount, lines[2].Fee, lines[2].SupplyAmount, lines[2].Vat, lines[2].PayOutAmount, lines[2].TransactionKey));
        Assert.Equal((PaymentMethod.TRANSFER, -5_000L), (lines[3].Method, lines[3].Amount));
        Assert.Equal([new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 6)], scan.SoldDates);
    }

    [Fact]
    public async Task Xlsx_ThroughTheSameProfile_GivesTheSameLinesAsTheCsv()
    {
        var (fromCsv, _) = await ScanAsync(File.ReadAllBytes(Fixture("sandbox-inicis.cp949.csv")), Inicis);

        var (fromXlsx, scan) = await ScanAsync(File.ReadAllBytes(Fixture("sandbox-inicis.xlsx")), Inicis);

        Assert.Empty(scan.Errors);
        Assert.Equal(fromCsv, fromXlsx);
        Assert.Equal(64, scan.Sha256.Length);
    }

    [Fact]
    public async Task Cp949File_ReadWithAUtf8Profile_IsRejectedAsOneEncodingError()
    {
        var (lines, scan) = await ScanAsync(File.ReadAllBytes(Fixture("sandbox-inicis.cp949.csv")), Inicis with { Encoding = "UTF-8" });

        var error = Assert.Single(scan.Errors);
        Assert.Contains("not valid UTF-8", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line); // the title row is the first with Korean text
        Assert.Empty(lines);
    }

    [Fact]
    public async Task BadRows_RejectTheFile_NamingEachLineAndKoreanColumn_AndNothingIsDefaulted()
    {
        var text = FixtureText()
            .Replace("신용카드,\"34,000\",860,78", "신용카드,\"34,000\",,78", StringComparison.Ordinal)          // fee missing
            .Replace("간편결제,\"1,250,000\"", "포인트결제,\"1,250,0x0\"", StringComparison.Ordinal)           // unknown method, bad amount
            .Replace("부분취소,2026-12-06", ",2026-12-06", StringComparison.Ordinal)                            // status missing
            .Replace("취소,2026-12-06,2026-12-06 08:00:01", "취소,2026/12/06,2026-12-06 08:00:01", StringComparison.Ordinal); // date format

        var (lines, scan) = await ScanAsync(Cp949.GetBytes(text), Inicis);

        Assert.Contains(new SettlementRowError(4, "수수료", "is empty"), scan.Errors);
        Assert.Contains(scan.Errors, e => e is { Line: 5, Field: "거래금액" } && e.Message.Contains("'1,250,0x0'", StringComparison.Ordinal));
        Assert.Contains(scan.Errors, e => e is { Line: 5, Field: "결제수단" } && e.Message.Contains("not a known payment method", StringComparison.Ordinal));
        Assert.Contains(scan.Errors, e => e is { Line: 6, Field: "거래상태" });
        Assert.Contains(scan.Errors, e => e is { Line: 7, Field: "거래일자" } && e.Message.Contains("yyyy-MM-dd", StringComparison.Ordinal));
        Assert.Empty(lines); // a rejected file hands nothing to the store
    }

    [Fact]
    public async Task CancelByStatus_WithANegativeAmountOrANegativeApproval_IsRejected()
    {
        var text = FixtureText()
            .Replace("부분취소,2026-12-06,2026-12-05 10:15:30,INIMX_CARD_20261205_0001,INIMX_CANC_20261206_0003,ord-20261205-0001,신용카드,\"10,000\"",
                "부분취소,2026-12-06,2026-12-05 10:15:30,INIMX_CARD_20261205_0001,INIMX_CANC_20261206_0003,ord-20261205-0001,신용카드,\"-10,000\"", StringComparison.Ordinal)
            .Replace("간편결제,\"1,250,000\"", "간편결제,\"-1,250,000\"", StringComparison.Ordinal);

        var (_, scan) = await ScanAsync(Cp949.GetBytes(text), Inicis);

        Assert.Contains(scan.Errors, e => e is { Line: 6, Field: "거래금액" } && e.Message.Contains("cancel row", StringComparison.Ordinal));
        Assert.Contains(scan.Errors, e => e is { Line: 5, Field: "거래금액" } && e.Message.Contains("is not a cancel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingColumn_IsAHeaderErrorOnTheHeaderRow()
    {
        var text = FixtureText().Replace("지급예정일", "지급일", StringComparison.Ordinal);

        var (_, scan) = await ScanAsync(Cp949.GetBytes(text), Inicis);

        var error = Assert.Single(scan.Errors);
        Assert.Equal((3, "지급예정일"), (error.Line, error.Field));
    }

    [Fact]
    public void Profile_ThatStatesNoCurrencyOrNoCancelRule_IsRefused()
    {
        var noCurrency = Inicis with { Fixed = new Dictionary<string, string>() };
        var noCancel = Inicis with { Cancel = null };

        Assert.Contains(SettlementFileProfile.ProfileProblems(noCurrency), p => p.Contains("\"currency\" needs a column or a \"fixed\" value", StringComparison.Ordinal));
        Assert.Contains(SettlementFileProfile.ProfileProblems(noCancel), p => p.Contains("\"cancel\" is required", StringComparison.Ordinal));
        var e = Assert.Throws<DomainException>(() => SettlementFileProfile.Require(noCurrency));
        Assert.Equal("PROFILE_INVALID", e.Code);
    }

    [Fact]
    public async Task NegativeAmountProfile_InUtf8WithACurrencyColumn_ReadsSignedCancels()
    {
        var profile = MappingProfile.Parse("""
            {"name":"signed","encoding":"UTF-8","headerRow":1,"dateFormat":"yyyyMMdd","dateTimeFormat":"yyyyMMddHHmmss",
             "timeZone":"Asia/Seoul","columns":{"paymentKey":"TID","transactionKey":"TID","orderId":"OID","method":"PAYMETHOD",
             "amount":"AMT","fee":"FEE","supplyAmount":"SUPPLY","vat":"VAT","payOutAmount":"PAYOUT","approvedAt":"APPDTTM",
             "soldDate":"TRDATE","paidOutDate":"PAYDATE","currency":"CUR"},
             "cancel":{"by":"negativeAmount"}}
            """, "test");
        var csv = "TID,OID,PAYMETHOD,AMT,FEE,SUPPLY,VAT,PAYOUT,APPDTTM,TRDATE,PAYDATE,CUR\n" +
                  "t1,o1,카드,\"1,000\",25,23,2,975,20261205101530,20261205,20261207,KRW\n" +
                  "t2,o1,카드,-500,-12,-11,-1,-488,20261205101530,20261206,20261208,KRW\n" +
                  "t3,o3,카드,700,17,16,1,683,20261205101530,20261205,20261207,\n";

        var (lines, scan) = await ScanAsync(Encoding.UTF8.GetBytes(csv), profile);

        // The blank currency of line 4 is refused, never taken as KRW.
        Assert.Equal([new SettlementRowError(4, "CUR", "is empty (the file states no currency of its own)")], scan.Errors);
        Assert.Equal([1_000L, -500L], lines.Select(l => l.Amount));
    }

    [Fact]
    public async Task SettlementCsv_BlankCurrencyCell_IsRejected_ButAFileWithoutTheColumnIsKrwAsTheFormatStates()
    {
        const string row = "pay-1,tx-1,order-1,카드,10000,250,227,23,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17";
        const string header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate";

        var (_, blank) = await ScanAsync(Encoding.UTF8.GetBytes($"{header},currency,mId\n{row},,m1\n"), null);
        var (lines, absent) = await ScanAsync(Encoding.UTF8.GetBytes($"{header}\n{row}\n"), null);

        Assert.Equal([new SettlementRowError(2, "currency", "is empty (the file states no currency of its own)")], blank.Errors);
        Assert.Empty(absent.Errors);
        Assert.Equal("KRW", Assert.Single(lines).Currency);
    }

    [Fact]
    public async Task SandboxFilePg_CsvAndXlsx_RoundTripThroughTheShippedProfile()
    {
        var at = new DateTimeOffset(2026, 12, 5, 14, 59, 59, TimeSpan.Zero); // 23:59:59 KST
        SandboxSettlementLine Line(long id, string tx, long amount, long fee, DateOnly sold) => new()
        {
            Id = id, PaymentKey = "pk-1", TransactionKey = tx, OrderId = "ord-1", Method = "CARD", Currency = "KRW",
            Amount = amount, Fee = fee, Vat = fee / 11, SupplyAmount = fee - fee / 11, PayOutAmount = amount - fee,
            ApprovedAt = at, SoldDate = sold, PaidOutDate = sold.AddDays(2),
        };
        var sandbox = new[]
        {
            Line(1, "tx-a", 1_234_500, 30_863, new DateOnly(2026, 12, 5)),
            Line(2, "tx-c1", -400_000, -10_000, new DateOnly(2026, 12, 6)),
            Line(3, "tx-c2", -834_500, -20_863, new DateOnly(2026, 12, 6)),
        };

        foreach (var format in new[] { SandboxFileFormat.CSV, SandboxFileFormat.XLSX })
        {
            var bytes = SandboxFilePg.Render(sandbox, new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 6), format);
            var (lines, scan) = await ScanAsync(bytes, Inicis);

            Assert.Empty(scan.Errors);
            Assert.Equal(sandbox.Select(l => (l.TransactionKey, l.Amount, l.Fee, l.SupplyAmount, l.Vat, l.PayOutAmount, l.ApprovedAt, l.SoldDate, l.PaidOutDate)),
                lines.Select(l => (l.TransactionKey, l.Amount, l.Fee, l.SupplyAmount, l.Vat, l.PayOutAmount, l.ApprovedAt, l.SoldDate, l.PaidOutDate)));
            Assert.All(lines, l => Assert.Equal(("KRW", SandboxFilePg.MerchantId, PaymentMethod.CARD), (l.Currency, l.MId, l.Method)));
        }
        var csvText = Cp949.GetString(SandboxFilePg.Render(sandbox, new DateOnly(2026, 12, 5), new DateOnly(2026, 12, 6), SandboxFileFormat.CSV));
        Assert.Contains("부분취소,2026-12-06", csvText, StringComparison.Ordinal);
        Assert.Contains("\"1,234,500\"", csvText, StringComparison.Ordinal);
    }
}
