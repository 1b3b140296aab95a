using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Data;

namespace OpsConsole.Tests.Cash;

public static class CashTestSupport
{
    /// <summary>A fixture file under OpsConsole.Tests/Cash/Fixtures (read from the source tree).</summary>
    public static string Fixture(string name, [CallerFilePath] string callerPath = "") =>
        Path.Combine(Path.GetDirectoryName(callerPath)!, "Fixtures", name);

    /// <summary>The accounts of the tests: the genkgo samples' EUR IBAN and a Korean KRW account.</summary>
    public static CashOptions Options() => new()
    {
        Accounts = new(StringComparer.OrdinalIgnoreCase)
        {
            ["eur-main"] = new() { Number = "NL26 VAYB 8060 4768 90", Bank = "VAYB", Currency = "EUR" },
            ["kb-operating"] = new() { Number = "110-123-456789", Bank = "KB국민은행", Currency = "KRW" },
        },
    };

    public static async Task ClearAsync(OpsDbContextFactory factory)
    {
        await using var db = factory.CreateDbContext();
        foreach (var table in new[] { "bank_transactions", "bank_statement_imports", "audit_log" })
#pragma warning disable EF1002 // table names are constants of this test
            await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table}");
#pragma warning restore EF1002
    }

    /// <summary>A camt.053 statement of the KRW account with the given entries (Ntry XML), in version <paramref name="version"/>.</summary>
    public static byte[] KrwCamt(string entries, string version = "06", string account = "110123456789") => Encoding.UTF8.GetBytes($"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
          <BkToCstmrStmt>
            <GrpHdr><MsgId>KR-TEST-1</MsgId><CreDtTm>2026-03-17T06:00:00+09:00</CreDtTm></GrpHdr>
            <Stmt>
              <Id>STMT-20260316</Id>
              <CreDtTm>2026-03-17T06:00:00+09:00</CreDtTm>
              <FrToDt><FrDtTm>2026-03-16T00:00:00+09:00</FrDtTm><ToDtTm>2026-03-16T23:59:59+09:00</ToDtTm></FrToDt>
              <Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>KRW</Ccy></Acct>
        {entries}
            </Stmt>
          </BkToCstmrStmt>
        </Document>
        """);

    public static string Entry(string amount, string indicator, string booking, string? name = "토스페이먼츠(주)",
        string? ustrd = "토스페이먼츠 정산", string? reference = "REF-1", string ccy = "KRW") => $"""
              <Ntry>
                <Amt Ccy="{ccy}">{amount}</Amt>
                <CdtDbtInd>{indicator}</CdtDbtInd>
                <Sts><Cd>BOOK</Cd></Sts>
                {booking}
                <ValDt><Dt>2026-03-16</Dt></ValDt>
                {(reference is null ? "" : $"<AcctSvcrRef>{reference}</AcctSvcrRef>")}
                <NtryDtls><TxDtls>
                  <RltdPties>{(name is null ? "" : indicator == "DBIT" ? $"<Cdtr><Pty><Nm>{name}</Nm></Pty></Cdtr>" : $"<Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>")}</RltdPties>
                  {(ustrd is null ? "" : $"<RmtInf><Ustrd>{ustrd}</Ustrd></RmtInf>")}
                </TxDtls></NtryDtls>
              </Ntry>
        """;
}
