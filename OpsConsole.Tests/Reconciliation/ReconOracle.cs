using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>What a run should report for one key.</summary>
public sealed record ExpectedFinding(string Key, FindingType Type, FindingVerdict Verdict, long MoneyAtRisk, string Diff);

/// <summary>
/// The obviously-correct in-memory reconciler every engine must agree with: the rules of
/// <see cref="ReconciliationDefinition.Standard"/> written out as plain loops over both ledgers. A run is one PG
/// connection's: only that PG's payments (and their transactions) and lines take part.
/// </summary>
public static class ReconOracle
{
    private static readonly PaymentStatus[] Failed = [PaymentStatus.ABORTED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN];

    private sealed record Row(FindingType? Type, long Money, string Diff, DateOnly? InternalDate);

    /// <summary>Pass 1 on the date, pass 2 on pass-1 keys without the date filter (no data change between). A
    /// survivor whose transaction is of another date is that date's finding: this run keeps its pass-1 view as
    /// TRANSIENT.</summary>
    public static List<ExpectedFinding> Run(Ledger ledger, DateOnly date, FeeSchedule fees, string pg = Ledger.DefaultPg)
    {
        var payments = ledger.Payments.Where(p => p.Pg == pg).ToList();
        var lines = ledger.Lines.Where(l => l.Pg == pg).ToList();
        // Another PG's payment is not this run's: its status never makes a line CHARGED_BUT_FAILED.
        var status = payments.ToDictionary(p => p.PaymentKey, p => p.Status);
        // An approval without a key takes the key of its payment's one approval line (amount > 0) of its own PG unless
        // another transaction (of any PG: keys are unique) has it (ApprovalKeyLearning); without exactly one such key it
        // is not compared at all.
        var booked = ledger.Transactions.Where(t => t.KeyKnown).Select(t => t.Key).ToHashSet();
        var allTx = payments.SelectMany(p => p.Transactions).Select(t =>
        {
            if (t.KeyKnown) return t;
            var keys = lines.Where(l => l.PaymentKey == t.PaymentKey && l.Amount > 0).Select(l => l.Key).Distinct().ToList();
            return keys.Count == 1 && !booked.Contains(keys[0]) ? t with { Key = keys[0], KeyKnown = true } : null;
        }).OfType<InternalTx>().ToList();

        var pass1Tx = allTx.Where(t => t.BusinessDate == date).ToList();
        var pass1Lines = lines.Where(l => l.SoldDate == date).ToList();
        var pass1 = Classify(pass1Tx, pass1Lines, status, fees)
            .Where(kv => kv.Value.Type is not null).ToDictionary();

        var keys = pass1.Keys.ToHashSet();
        var pass2 = Classify(allTx.Where(t => keys.Contains(t.Key)), lines.Where(l => keys.Contains(l.Key)),
            status, fees);

        var result = new List<ExpectedFinding>();
        foreach (var (key, first) in pass1)
        {
            if (pass2.TryGetValue(key, out var second) && second.Type is { } type
                && (second.InternalDate is null || second.InternalDate == date))
                result.Add(new(key, type, FindingVerdict.CONFIRMED, second.Money, second.Diff));
            else
                result.Add(new(key, first.Type!.Value, FindingVerdict.TRANSIENT, first.Money, first.Diff));
        }
        return result.OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>The lines sold on <paramref name="date"/> that are not fee-checked: their merchant id has contracts,
    /// none in force on the line's approval date.</summary>
    public static long LinesWithoutContract(Ledger ledger, DateOnly date, FeeSchedule fees, string pg = Ledger.DefaultPg) =>
        ledger.Lines.Count(l => l.SoldDate == date && l.Pg == pg
                                && fees.ContractOf(l.MId, BusinessCalendar.BusinessDateOf(l.ApprovedAt)) is (true, null));

    private static Dictionary<string, Row> Classify(IEnumerable<InternalTx> txs, IEnumerable<ExternalLine> lines,
        IReadOnlyDictionary<string, PaymentStatus> status, FeeSchedule fees)
    {
        var ours = txs.ToDictionary(t => t.Key);
        var theirs = lines.GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.ToList());
        var result = new Dictionary<string, Row>();
        foreach (var key in ours.Keys.Union(theirs.Keys))
        {
            ours.TryGetValue(key, out var tx);
            theirs.TryGetValue(key, out var group);

            // The PG side of a key: one line's values (they are identical copies when duplicated) and the sum.
            var line = group?.OrderBy(l => l.Amount).First();
            var total = group?.Sum(l => l.Amount) ?? 0;
            var count = group?.Count ?? 0;
            // Our ledger is KRW: a line in another currency is compared by currency first (AMOUNT_MISMATCH "currency").
            var currencyDiffers = tx is not null && line is not null && line.Currency != "KRW";
            var amountDiffers = tx is not null && line is not null && line.Amount != tx.SignedAmount;
            var dateDiffers = tx is not null && line is not null && line.SoldDate != tx.BusinessDate;
            // The fee: the contract of the line's merchant id in force on its approval date (KST; a cancel line carries
            // the original approval's time) — BASE + INSTALLMENT, VAT checked — or, for a merchant id without contracts,
            // the flat rate of its method. A contracted merchant id without a contract on that date: not fee-checked.
            var (contracted, contract) = line is null ? (false, null) : fees.ContractOf(line.MId, BusinessCalendar.BusinessDateOf(line.ApprovedAt));
            var contractFee = contract?.Expected(line!.Method, line.Amount, line.IssuerCode, line.Provider, line.Months, line.InterestPayer);
            var expectedFee = line is null ? null : contracted ? contractFee?.Total : fees.ExpectedFee(line.Method, line.Amount);
            var both = tx is not null && line is not null;
            var totalDiffers = both && expectedFee is { } ef && Math.Abs(line!.Fee - ef) > fees.Tolerance;
            var vatError = contracted && expectedFee is not null ? Math.Abs(line!.StoredVat - FeeContract.VatOf(line.Fee)) : 0;
            var vatDiffers = both && vatError > fees.Tolerance;
            var feeDiffers = totalDiffers || vatDiffers;
            var baseDiffers = both && contractFee is { } cb && line!.FeeBase is { } reportedBase
                              && Math.Abs(reportedBase - cb.Base) > fees.Tolerance;
            var installmentDiffers = both && contractFee is { } ci && (line!.FeeBase is not null || line.FeeInstallment is not null)
                                     && Math.Abs((line.FeeInstallment ?? 0) - ci.Installment) > fees.Tolerance;

            FindingType? type;
            long money;
            if (tx is null)
            {
                var failed = status.TryGetValue(line!.PaymentKey, out var s) && Failed.Contains(s);
                type = line.Amount > 0 && failed ? FindingType.CHARGED_BUT_FAILED : FindingType.MISSING_INTERNAL;
                money = Math.Abs(total);
            }
            else if (line is null) { type = FindingType.MISSING_EXTERNAL; money = Math.Abs(tx.SignedAmount); }
            else if (count > 1) { type = FindingType.DUPLICATE_EXTERNAL; money = Math.Abs(total - tx.SignedAmount); }
            else if (currencyDiffers) { type = FindingType.AMOUNT_MISMATCH; money = Math.Abs(tx.SignedAmount); }
            else if (amountDiffers) { type = FindingType.AMOUNT_MISMATCH; money = Math.Abs(total - tx.SignedAmount); }
            else if (dateDiffers) { type = FindingType.DATE_MISMATCH; money = Math.Abs(tx.SignedAmount); }
            else if (feeDiffers)
            {
                type = FindingType.FEE_MISMATCH;
                money = Math.Abs(line.Fee - expectedFee!.Value) + vatError;
            }
            else { type = null; money = 0; }

            var diff = new List<string>();
            if (tx is null) diff.Add("internal");
            if (line is null) diff.Add("external");
            if (count > 1) diff.Add("lineCount");
            if (currencyDiffers) diff.Add("currency");
            if (amountDiffers) diff.Add("amount");
            if (dateDiffers) diff.Add("soldDate");
            if (totalDiffers) diff.Add("fee");
            if (baseDiffers) diff.Add("fee.base");
            if (installmentDiffers) diff.Add("fee.installment");
            if (vatDiffers) diff.Add("vat");
            result[key] = new Row(type, money, string.Join(",", diff), tx?.BusinessDate);
        }
        return result;
    }
}
