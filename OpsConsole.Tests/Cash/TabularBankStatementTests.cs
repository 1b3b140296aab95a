using System.Text;
using MiniExcelLibs;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using static OpsConsole.Tests.Cash.CashTestSupport;

namespace OpsConsole.Tests.Cash;

public sealed class TabularBankStatementTests
{
    private static readonly MappingProfile Kb = MappingProfile.Load(Fixture("kb-profile.json"));

    private static (List<ParsedBankTransaction> Rows, List<ImportRowError> Errors) Parse(byte[] bytes, MappingProfile profile)
    {
        var (table, errors) = TabularFileReader.Read(bytes, profile);
        if (table is null || errors.Count > 0) return ([], errors);
        return BankTabularParser.Parse(table, profile, "kb-operating", "KRW");
    }

    [Fact]
    public void Cp949Export_WithTitleRowsAndKoreanHeaders_IsRead()
    {
        var (rows, errors) = Parse(File.ReadAllBytes(Fixture("kb-export.cp949.csv")), Kb);

        Assert.Empty(errors);
        Assert.Equal(3, rows.Count);
        Assert.Equal(new ParsedBankTransaction(4, "kb-operating", new DateOnly(2026, 3, 16), null, new TimeOnly(9, 12, 1), 1_234_000,
            BankDirection.CREDIT, "KRW", "토스페이먼츠(주)", "타행이체", 5_234_000, null), rows[0]);
        Assert.Equal((500L, BankDirection.DEBIT, "국민은행", 5_233_500L), (rows[1].Amount, rows[1].Direction, rows[1].Counterparty, rows[1].Balance));
        Assert.Equal((98_765_400L, BankDirection.CREDIT, 6), (rows[2].Amount, rows[2].Direction, rows[2].LineNumber));
    }

    [Fact]
    public void Cp949File_ReadAsUtf8_IsRejected_NotGarbled()
    {
        var utf8 = Kb with { Encoding = "UTF-8" };

        var (_, errors) = Parse(File.ReadAllBytes(Fixture("kb-export.cp949.csv")), utf8);

        Assert.Contains("not valid UTF-8", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EucKr_IsTheSameCodePage()
    {
        var eucKr = Kb with { Encoding = "EUC-KR" };

        var (rows, errors) = Parse(File.ReadAllBytes(Fixture("kb-export.cp949.csv")), eucKr);

        Assert.Empty(errors);
        Assert.Equal(3, rows.Count);
    }

    private static MappingProfile Signed(string numberFormat = "#,##0") => MappingProfile.Parse($$$"""
        {"name":"signed","encoding":"UTF-8","headerRow":1,"dateFormat":"yyyy-MM-dd HH:mm:ss","numberFormat":"{{{numberFormat}}}",
         "columns":{"date":"when","amount":"amount","counterparty":"who","reference":"ref"}}
        """, "test");

    [Fact]
    public void SignedAmountColumn_GivesTheDirection_AndTheDateColumnCarriesTheTime()
    {
        var csv = "when,amount,who,ref\n2026-03-16 10:00:00,\"1,000\",A,r1\n2026-03-16 11:00:00,-250,B,\n2026-03-16 12:00:00,(300),C,r3\n";

        var (rows, errors) = Parse(Encoding.UTF8.GetBytes(csv), Signed());

        Assert.Empty(errors);
        Assert.Equal([(1000L, BankDirection.CREDIT), (250L, BankDirection.DEBIT), (300L, BankDirection.DEBIT)],
            rows.Select(r => (r.Amount, r.Direction)));
        Assert.Equal(new TimeOnly(11, 0), rows[1].BookingTime);
        Assert.Equal(["r1", null, "r3"], rows.Select(r => r.AccountServicerRef));
    }

    [Fact]
    public void EuropeanNumberFormat_GroupsWithDots()
    {
        var csv = "when,amount,who,ref\n2026-03-16 10:00:00,1.234.000,A,\n";

        var (rows, errors) = Parse(Encoding.UTF8.GetBytes(csv), Signed("#.##0"));

        Assert.Empty(errors);
        Assert.Equal(1_234_000, Assert.Single(rows).Amount);
    }

    [Fact]
    public void BadRows_AreAllListedWithLineNumbers_AndNoneDefaulted()
    {
        var header = "거래일자,거래시간,적요,입금액,출금액,잔액,기재내용\n";
        var csv = header +
                  "2026.03.16,09:00:00,ok,1000,0,1000,A\n" +       // line 2: fine
                  ",09:00:00,no date,1000,0,1000,A\n" +            // line 3: date missing
                  "2026.03.16,09:00:00,no amount,,,1000,A\n" +     // line 4: no amount at all
                  "2026.03.16,09:00:00,both,1000,500,1000,A\n" +   // line 5: both sides
                  "2026/03/16,25:00:00,bad,1.2.3,0,x,A\n" +        // line 6: date, time, credit, balance
                  "2026.03.16,09:00:00,decimals,10.5,0,1000,A\n";  // line 7: KRW has no decimals
        var profile = Kb with { Encoding = "UTF-8", HeaderRow = 1 };

        var (_, errors) = Parse(Encoding.UTF8.GetBytes(csv), profile);

        Assert.Equal([3, 4, 5, 6, 6, 6, 6, 7], errors.Select(e => e.Line));
        Assert.Equal("line 3: 거래일자: the date is missing", errors[0].ToString());
        Assert.Contains("no amount", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("both 입금액 (1000) and 출금액 (500)", errors[2].Message, StringComparison.Ordinal);
        Assert.Equal(["거래일자", "거래시간", "입금액", "잔액"], errors.Where(e => e.Line == 6).Select(e => e.Field));
        Assert.Equal("입금액", errors[7].Field);
    }

    [Fact]
    public void HeaderWithoutAProfileColumn_IsRejectedNamingIt()
    {
        var csv = "거래일자,적요,입금액,출금액,잔액\n2026.03.16,x,1,0,1\n";

        var (_, errors) = Parse(Encoding.UTF8.GetBytes(csv), Kb with { Encoding = "UTF-8", HeaderRow = 1 });

        Assert.Contains(errors, e => e.Field == "기재내용" && e.Message.Contains("\"counterparty\" is not in the header", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "거래시간");
    }

    [Fact]
    public void Xlsx_GeneratedInTheTest_IsReadWithTypedCells()
    {
        using var stream = new MemoryStream();
        var sheet = new List<Dictionary<string, object?>>
        {
            new() { ["A"] = "거래내역 (xlsx)", ["B"] = null, ["C"] = null, ["D"] = null, ["E"] = null, ["F"] = null },
            new() { ["A"] = "거래일자", ["B"] = "적요", ["C"] = "입금액", ["D"] = "출금액", ["E"] = "잔액", ["F"] = "기재내용" },
            new() { ["A"] = new DateTime(2026, 3, 16, 9, 30, 0), ["B"] = "타행이체", ["C"] = 1_234_000L, ["D"] = 0L, ["E"] = 5_234_000L, ["F"] = "토스페이먼츠" },
            new() { ["A"] = "2026.03.17", ["B"] = "수수료", ["C"] = null, ["D"] = "1,500", ["E"] = 5_232_500L, ["F"] = "국민은행" },
        };
        MiniExcel.SaveAs(stream, sheet, printHeader: false);
        var profile = MappingProfile.Parse("""
            {"name":"xlsx","headerRow":2,"dateFormat":"yyyy.MM.dd",
             "columns":{"date":"거래일자","memo":"적요","credit":"입금액","debit":"출금액","balance":"잔액","counterparty":"기재내용"}}
            """, "test");

        var bytes = stream.ToArray();
        var (table, readErrors) = TabularFileReader.Read(bytes, profile);
        var (rows, errors) = BankTabularParser.Parse(table!, profile, "kb-operating", "KRW");

        Assert.Empty(readErrors);
        Assert.Equal(TabularFormat.XLSX, table!.Format);
        Assert.Empty(errors);
        Assert.Equal(2, rows.Count);
        Assert.Equal((3, new DateOnly(2026, 3, 16), (TimeOnly?)new TimeOnly(9, 30), 1_234_000L, BankDirection.CREDIT, (long?)5_234_000),
            (rows[0].LineNumber, rows[0].BookingDate, rows[0].BookingTime, rows[0].Amount, rows[0].Direction, rows[0].Balance));
        Assert.Equal((4, new DateOnly(2026, 3, 17), 1_500L, BankDirection.DEBIT, "국민은행"),
            (rows[1].LineNumber, rows[1].BookingDate, rows[1].Amount, rows[1].Direction, rows[1].Counterparty));
    }

    [Fact]
    public void CorruptXlsx_IsRejectedWithAClearError()
    {
        var (table, errors) = TabularFileReader.Read([0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8], Kb);

        Assert.Null(table);
        Assert.Contains("not a readable Excel workbook", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"x","encoding":"SJIS","dateFormat":"yyyy","columns":{"date":"d"}}""", "encoding")]
    [InlineData("""{"name":"x","dateFormat":"yyyy","headerRow":0,"columns":{"date":"d"}}""", "headerRow")]
    [InlineData("""{"name":"x","dateFormat":"yyyy","numberFormat":"#'##0","columns":{"date":"d"}}""", "numberFormat")]
    [InlineData("""{"name":"x","dateFormat":"yyyy","columns":{"date":"d"},"colums":{}}""", "colums")]
    [InlineData("""{"name":"x","columns":{"date":"d"}}""", "dateFormat")]
    public void InvalidProfile_IsRefusedNamingTheProblem(string json, string named)
    {
        var e = Assert.Throws<DomainException>(() => MappingProfile.Parse(json, "p.json"));

        Assert.Equal("PROFILE_INVALID", e.Code);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BankProfile_NeedsCreditAndDebitOrOneAmount_AndKnownRoles()
    {
        var profile = MappingProfile.Parse("""{"name":"x","dateFormat":"yyyy","columns":{"date":"d","credit":"c","counterparty":"p","fee":"f"}}""", "t");

        var problems = BankTabularParser.ProfileProblems(profile);

        Assert.Contains(problems, p => p.Contains("\"credit\" and \"debit\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown column role \"fee\"", StringComparison.Ordinal));
        Assert.Empty(BankTabularParser.ProfileProblems(Kb));
    }
}
