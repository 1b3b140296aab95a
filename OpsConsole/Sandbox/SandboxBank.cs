using System.Globalization;
using System.Security;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Cash;
using OpsConsole.Core.Cash.Payouts;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Sandbox;

/// <summary>A payout fault the sandbox bank planted and the finding the payout run must report (null: none).</summary>
public sealed record SandboxPayoutFault(string Fault, DateOnly PaidOutDate, DateOnly BookedOn, long Expected, long Deposited,
    string? ExpectedFinding);

/// <summary>A sandbox bank statement: camt.053 bytes and what was planted in it.</summary>
public sealed record SandboxStatement(byte[] Camt053, int Deposits, IReadOnlyList<SandboxPayoutFault> Faults);

/// <summary>
/// The sandbox PG pays out: from its own settlement lines (the outside world's store) it computes each paidOutDate's
/// payout (net of cancels, negative days carried into the next payout) and books them into the sandbox bank account
/// the way a PG's bank transfer arrives — one deposit per banking day, so payouts of a weekend or holiday arrive
/// together on the next business day — with planted faults: one payout missing, one short (a 1,500 KRW bank fee),
/// one a business day late, and an unrelated refund deposit from the PG. Written as ISO 20022 camt.053.001.08.
/// The demo imports it (<see cref="BankStatementImporter"/>) and reconciles the payouts.
/// </summary>
public sealed class SandboxBank(IDbContextFactory<SandboxDbContext> sandboxDb, KoreanBusinessCalendar calendar)
{
    public const string AccountName = "sandbox-bank";
    public const string AccountNumber = "999-000-000001";
    public const string Counterparty = "토스페이먼츠(샌드박스)";
    public const long ShortBy = 1_500;
    public const long UnrelatedAmount = 12_340;

    /// <summary>Cash settings for the sandbox PG when none are configured (defaults below the app's configuration).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> DefaultCashSettings(string merchantId) =>
    [
        new("Cash:Accounts:sandbox-bank:Number", AccountNumber),
        new("Cash:Accounts:sandbox-bank:Bank", "샌드박스은행"),
        new("Cash:Accounts:sandbox-bank:Currency", "KRW"),
        new($"Cash:Pgs:{merchantId}:Account", AccountName),
        new($"Cash:Pgs:{merchantId}:Counterparty", "토스페이먼츠"),
        new($"Cash:Pgs:{merchantId}:PayoutDays:CARD", "2"),
    ];

    /// <summary>
    /// The demo: the statement of [<paramref name="from"/>, <paramref name="to"/>] written to
    /// <c>{DataDirectory}/sandbox-bank/</c>, imported like an uploaded file, then the payouts of the range reconciled.
    /// </summary>
    public static async Task<PayoutRun?> ImportAndReconcileAsync(IServiceProvider services, DateOnly from, DateOnly to,
        CancellationToken ct)
    {
        var bank = services.GetRequiredService<SandboxBank>();
        var statement = await bank.StatementAsync(from, to, ct);
        var config = services.GetRequiredService<IConfiguration>();
        var dir = Path.Combine(config["DataDirectory"] is { Length: > 0 } d ? d : "data", "sandbox-bank");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"statement-{from:yyyyMMdd}-{to:yyyyMMdd}.xml");
        await File.WriteAllBytesAsync(path, statement.Camt053, ct);
        await using (var stream = File.OpenRead(path))
        {
            var result = await services.GetRequiredService<BankStatementImporter>()
                .ImportAsync(stream, path, null, null, "sandbox-pg", ct);
            if (!result.Succeeded)
                throw new InvalidOperationException("The sandbox bank statement was rejected: " +
                                                    string.Join("; ", result.Errors.Select(e => $"{e.Line} {e.Field} {e.Message}")));
        }
        return await services.GetRequiredService<PayoutReconciliationService>().RunAsync(from, to, RunTrigger.SCHEDULE, "demo", ct);
    }

    /// <summary>The statement of the banking days [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public async Task<SandboxStatement> StatementAsync(DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        await using var db = await sandboxDb.CreateDbContextAsync(ct);
        var lookback = from.AddDays(-31);
        // The Toss-like persona's payouts only: the file persona (SandboxFilePg) pays into no sandbox account.
        var days = await db.SettlementLines.AsNoTracking()
            .Where(l => l.MerchantId == null && l.PaidOutDate >= lookback && l.PaidOutDate <= to)
            .GroupBy(l => l.PaidOutDate).Select(g => new { Date = g.Key, Net = g.Sum(l => l.PayOutAmount) })
            .ToListAsync(ct);
        var payouts = new List<(DateOnly Date, long Amount)>();
        long carry = 0;
        foreach (var d in days.OrderBy(d => d.Date))
        {
            var balance = carry + d.Net;
            carry = Math.Min(0, balance);
            if (balance > 0 && d.Date >= from) payouts.Add((d.Date, balance));
        }
        // One deposit per banking day: everything due that day.
        var groups = payouts.GroupBy(p => calendar.NextBusinessDayOnOrAfter(p.Date)).Where(g => g.Key <= to)
            .Select(g => (Due: g.Key, Payouts: g.OrderBy(p => p.Date).ToList())).OrderBy(g => g.Due).ToList();

        var deposits = new List<(DateOnly Date, long Amount, string Memo)>();
        var faults = new List<SandboxPayoutFault>();
        var singles = groups.Where(g => g.Payouts.Count == 1).Select(g => g.Due).ToList();
        DateOnly? missing = singles.Count > 0 ? singles[0] : null, shortDay = singles.Count > 1 ? singles[1] : null,
            lateDay = singles.Count > 2 ? singles[2] : null;
        foreach (var (due, ps) in groups)
        {
            var amount = ps.Sum(p => p.Amount);
            var memo = $"토스페이먼츠 정산 {ps[0].Date:MMdd}" + (ps.Count > 1 ? $"-{ps[^1].Date:MMdd}" : "");
            if (due == missing)
                faults.Add(new("PAYOUT_MISSING", ps[0].Date, due, amount, 0, "PAYOUT_MISSING"));
            else if (due == shortDay)
            {
                deposits.Add((due, amount - ShortBy, memo));
                faults.Add(new("PAYOUT_SHORT", ps[0].Date, due, amount, amount - ShortBy, "PAYOUT_AMOUNT_MISMATCH"));
            }
            else if (due == lateDay)
            {
                var booked = calendar.AddBusinessDays(due, 1);
                if (booked > to) booked = due;
                deposits.Add((booked, amount, memo));
                faults.Add(new("PAYOUT_LATE", ps[0].Date, booked, amount, amount, booked > due ? "PAYOUT_LATE" : null));
            }
            else
            {
                deposits.Add((due, amount, memo));
                if (ps.Count > 1)
                    faults.Add(new("COMBINED_AFTER_CLOSED_DAYS", ps[0].Date, due, amount, amount, null));
            }
        }
        // Outside the missing payout's window (the only payout left open), so no payout claims it: before its due date,
        // else on the statement's last banking day.
        var unrelatedDay = calendar.NextBusinessDayOnOrAfter(from);
        if (missing is { } m && unrelatedDay >= m)
        {
            unrelatedDay = to;
            while (!calendar.IsBusinessDay(unrelatedDay)) unrelatedDay = unrelatedDay.AddDays(-1);
            if (calendar.AddBusinessDays(m, 5) >= unrelatedDay) unrelatedDay = to.AddDays(1);
        }
        if (unrelatedDay <= to)
        {
            deposits.Add((unrelatedDay, UnrelatedAmount, "토스페이먼츠 환불"));
            faults.Add(new("UNRELATED_DEPOSIT", unrelatedDay, unrelatedDay, 0, UnrelatedAmount, "UNEXPECTED_DEPOSIT"));
        }
        return new SandboxStatement(Camt(from, to, deposits.OrderBy(d => d.Date).ToList()), deposits.Count, faults);
    }

    private byte[] Camt(DateOnly from, DateOnly to, IReadOnlyList<(DateOnly Date, long Amount, string Memo)> deposits)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>SANDBOX-{from:yyyyMMdd}-{to:yyyyMMdd}</MsgId><CreDtTm>{to.AddDays(1):yyyy-MM-dd}T06:00:00+09:00</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>SANDBOX-STMT-{from:yyyyMMdd}-{to:yyyyMMdd}</Id>
                  <CreDtTm>{to.AddDays(1):yyyy-MM-dd}T06:00:00+09:00</CreDtTm>
                  <FrToDt><FrDtTm>{from:yyyy-MM-dd}T00:00:00+09:00</FrDtTm><ToDtTm>{to:yyyy-MM-dd}T23:59:59+09:00</ToDtTm></FrToDt>
                  <Acct><Id><Othr><Id>{AccountNumber.Replace("-", "", StringComparison.Ordinal)}</Id></Othr></Id><Ccy>KRW</Ccy></Acct>

            """);
        var n = 0;
        foreach (var (date, amount, memo) in deposits)
        {
            n++;
            sb.Append(ci, $"""
                      <Ntry>
                        <Amt Ccy="KRW">{amount}</Amt>
                        <CdtDbtInd>CRDT</CdtDbtInd>
                        <Sts><Cd>BOOK</Cd></Sts>
                        <BookgDt><Dt>{date:yyyy-MM-dd}</Dt></BookgDt>
                        <ValDt><Dt>{date:yyyy-MM-dd}</Dt></ValDt>
                        <AcctSvcrRef>SBX-{date:yyyyMMdd}-{n:D4}</AcctSvcrRef>
                        <NtryDtls><TxDtls>
                          <RltdPties><Dbtr><Pty><Nm>{SecurityElement.Escape(Counterparty)}</Nm></Pty></Dbtr></RltdPties>
                          <RmtInf><Ustrd>{SecurityElement.Escape(memo)}</Ustrd></RmtInf>
                        </TxDtls></NtryDtls>
                      </Ntry>

                """);
        }
        sb.Append("""
                </Stmt>
              </BkToCstmrStmt>
            </Document>
            """);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
