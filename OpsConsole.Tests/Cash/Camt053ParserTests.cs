using OpsConsole.Core.Cash;
using static OpsConsole.Tests.Cash.CashTestSupport;

namespace OpsConsole.Tests.Cash;

public sealed class Camt053ParserTests
{
    private static byte[] Read(string fixture) => File.ReadAllBytes(Fixture(fixture));

    [Fact]
    public void PublishedV02Sample_IbanAccount_DtBookingDate_DebtorName()
    {
        var (entries, errors, info) = Camt053Parser.Parse(Read("camt053.v02.genkgo-minimal.xml"), Options());

        Assert.Empty(errors);
        Assert.Equal("camt.053.001.02", info!.Version);
        Assert.Equal(["eur-main"], info.Accounts);
        var e = Assert.Single(entries);
        Assert.Equal("eur-main", e.AccountName);
        Assert.Equal(885, e.Amount);
        Assert.Equal("EUR", e.Currency);
        Assert.Equal(BankDirection.CREDIT, e.Direction);
        Assert.Equal(new DateOnly(2014, 12, 31), e.BookingDate);
        Assert.Null(e.BookingTime);
        Assert.Equal(new DateOnly(2015, 1, 2), e.ValueDate);
        Assert.Equal("NAME NAME", e.Counterparty); // the debtor of a credit, not the creditor (us)
        Assert.Null(e.Memo); // structured remittance only
        Assert.Null(e.AccountServicerRef);
        Assert.Null(e.Balance);
        Assert.Equal(1, e.LineNumber);
        Assert.Equal(new DateOnly(2007, 10, 18), info.PeriodFrom);
    }

    [Fact]
    public void PublishedV08Sample_OthrAccount_DtTmBookingInKst_PartyUnderPty_AcctSvcrRef()
    {
        var (entries, errors, info) = Camt053Parser.Parse(Read("camt053.v08.genkgo.xml"), Options());

        Assert.Empty(errors);
        Assert.Equal("camt.053.001.08", info!.Version);
        var e = Assert.Single(entries);
        Assert.Equal("eur-main", e.AccountName);
        // 2014-12-31T13:15:00+01:00 is 21:15 KST the same day.
        Assert.Equal(new DateOnly(2014, 12, 31), e.BookingDate);
        Assert.Equal(new TimeOnly(21, 15), e.BookingTime);
        Assert.Equal("NAME NAME", e.Counterparty);
        Assert.Equal("AAAASESS-FP-CN_98765/01", e.AccountServicerRef);
    }

    [Theory]
    [InlineData("02")]
    [InlineData("04")]
    [InlineData("10")]
    [InlineData("13")]
    public void AnyVersionFrom02_IsReadFromTheNamespace(string version)
    {
        var xml = KrwCamt(Entry("1234000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>") +
                          Entry("500", "DBIT", "<BookgDt><DtTm>2026-03-16T23:30:00+09:00</DtTm></BookgDt>", name: "국민은행", ustrd: "수수료", reference: null),
            version);

        var (entries, errors, info) = Camt053Parser.Parse(xml, Options());

        Assert.Empty(errors);
        Assert.Equal($"camt.053.001.{version}", info!.Version);
        Assert.Equal(2, entries.Count);
        Assert.Equal((1_234_000L, BankDirection.CREDIT, "토스페이먼츠(주)", "토스페이먼츠 정산", "REF-1"),
            (entries[0].Amount, entries[0].Direction, entries[0].Counterparty, entries[0].Memo, entries[0].AccountServicerRef));
        Assert.Equal((500L, BankDirection.DEBIT, "국민은행", "수수료", (string?)null),
            (entries[1].Amount, entries[1].Direction, entries[1].Counterparty, entries[1].Memo, entries[1].AccountServicerRef));
        Assert.Equal(new TimeOnly(23, 30), entries[1].BookingTime);
        Assert.Equal([1, 2], entries.Select(e => e.LineNumber));
        Assert.All(entries, e => Assert.Equal("kb-operating", e.AccountName));
    }

    [Fact]
    public void Version01_OrAnotherMessage_IsRefusedClearly()
    {
        var (_, errors01, _) = Camt053Parser.Parse(KrwCamt("", "01"), Options());
        var (_, errors54, _) = Camt053Parser.Parse(
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\"/>"u8.ToArray(), Options());

        Assert.Contains("camt.053.001.01 is not supported", Assert.Single(errors01).Message, StringComparison.Ordinal);
        Assert.Contains("not an ISO 20022 camt.053 statement", Assert.Single(errors54).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountNotConfigured_IsAnErrorNamingTheSetting()
    {
        var (entries, errors, _) = Camt053Parser.Parse(KrwCamt(Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>"), account: "999-000"), Options());

        Assert.Empty(entries);
        var e = Assert.Single(errors);
        Assert.Equal("Acct/Id", e.Field);
        Assert.Contains("account 999-000 is not configured (set Cash:Accounts:{name}:Number = 999-000)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadEntries_AreAllReportedWithTheirXmlLines_NeverDefaulted()
    {
        var xml = KrwCamt(
            Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>") +
            Entry("1000", "CRDT", "") + // no booking date
            Entry("12.5", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>") + // KRW has no decimals
            Entry("1000", "XXXX", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>") +
            Entry("1000", "CRDT", "<BookgDt><Dt>2026-02-30</Dt></BookgDt>") +
            Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>", ccy: "USD"));

        var (_, errors, _) = Camt053Parser.Parse(xml, Options());

        Assert.Equal(["BookgDt", "Amt", "CdtDbtInd", "BookgDt", "Amt@Ccy"], errors.Select(e => e.Field));
        Assert.Equal(errors.Count, errors.Select(e => e.Line).Distinct().Count());
        Assert.All(errors, e => Assert.True(e.Line > 8, e.ToString()));
        Assert.Contains("has no booking date", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("more decimals", errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("USD differs from the account's currency KRW (Cash:Accounts:kb-operating:Currency)", errors[4].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PendingEntries_AreNotImported_ButCounted()
    {
        var pending = Entry("777", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>").Replace("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>", StringComparison.Ordinal);

        var (entries, errors, info) = Camt053Parser.Parse(KrwCamt(pending + Entry("1000", "CRDT", "<BookgDt><Dt>2026-03-16</Dt></BookgDt>")), Options());

        Assert.Empty(errors);
        Assert.Equal(1000, Assert.Single(entries).Amount);
        Assert.Equal(1, info!.SkippedEntries);
    }

    [Fact]
    public void NotWellFormedXml_IsRejectedWithItsLine()
    {
        var (_, errors, _) = Camt053Parser.Parse("<Document>\n<Stmt>\n</Document>"u8.ToArray(), Options());

        Assert.Equal(3, Assert.Single(errors).Line);
    }

    [Fact]
    public void XmlWithADtd_IsRefused()
    {
        var (_, errors, _) = Camt053Parser.Parse("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"boom\">]><Document/>"u8.ToArray(), Options());

        Assert.Single(errors);
    }
}
