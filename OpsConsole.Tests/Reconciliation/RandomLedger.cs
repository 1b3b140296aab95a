using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// Random ledgers around one business date: timestamps on and next to midnight KST of the day before, the
/// day and the day after; partial cancels; failed payments the PG charged anyway; missing, duplicated,
/// re-dated, mis-priced and mis-feed lines; orphan PG lines; lines in another currency (USD); approvals booked
/// without a key (their line is never re-dated, so every engine can learn the key from the line of the same day).
/// With several PG connections (<c>pgs</c>), each payment is one PG's and its lines that PG's, except that some lines
/// are filed under another PG (the key is then missing at one PG and orphaned at the other) and some are reported by
/// two PGs (the same key at both); orphan lines are any PG's. The PG choices draw from their own random sequence, so
/// the ledger is otherwise the one the same seed gives with one PG.
/// </summary>
public static class RandomLedger
{
    private static readonly PaymentStatus[] FailedStatuses = [PaymentStatus.ABORTED, PaymentStatus.EXPIRED, PaymentStatus.UNKNOWN];

    /// <summary>
    /// Two merchants' contracts as configured (<c>Pg:Contracts</c>): issuer and easy-pay provider rates, installment
    /// fees by months, a minimum fee. With <see cref="Create"/>'s <c>fees</c> holding contracts, lines carry merchant
    /// ids (contracted, uncontracted, none), issuers, providers, installment months and who pays the interest, a
    /// fee breakdown on about half of them, and faults in the BASE, the INSTALLMENT or the VAT.
    /// </summary>
    public static FeeContractOptions ContractSettings() => new()
    {
        Contracts =
        {
            ["mid_alpha"] = new FeeContractSettings
            {
                BaseRates = { ["CARD"] = 0.0231m, ["EASY_PAY"] = 0.0275m, ["TRANSFER"] = 0.015m },
                CardIssuerRates = { ["11"] = 0.022m, ["41"] = 0.0242m },
                EasyPayProviderRates = { ["토스페이"] = 0.0253m },
                InstallmentRates = { ["2"] = 0.001m, ["3"] = 0.001765m, ["6"] = 0.0044m },
                MinimumFee = 100,
            },
            ["mid_beta"] = new FeeContractSettings
            {
                BaseRates = { ["CARD"] = 0.018m, ["MOBILE_PHONE"] = 0.033m },
                EasyPayProviderRates = { ["카카오페이"] = 0.03m },
            },
        },
    };

    /// <summary>
    /// Contracts over time around <paramref name="date"/>, as an admin stores them: <c>mid_alpha</c> changes its rates
    /// on <paramref name="date"/> (a line approved the day before, and a cancel of such an approval, keep the old ones);
    /// <c>mid_gamma</c> has a contract for <paramref name="date"/> only (its lines approved the day before or after have
    /// none: not fee-checked, counted by the run); <c>mid_beta</c> keeps one contract for every date.
    /// </summary>
    public static IReadOnlyList<FeeContract> ContractsOverTime(DateOnly date)
    {
        var alpha = ContractSettings().Contracts["mid_alpha"];
        var alphaNew = ContractSettings().Contracts["mid_alpha"];
        alpha.ValidUntil = date.AddDays(-1); // explicit end, the day before the next starts
        alphaNew.ValidFrom = date;
        alphaNew.BaseRates["CARD"] = 0.0198m;
        alphaNew.InstallmentRates["3"] = 0.0025m;
        alphaNew.MinimumFee = 150;
        var gamma = new FeeContractSettings
        {
            ValidFrom = date, ValidUntil = date,
            BaseRates = { ["CARD"] = 0.021m, ["EASY_PAY"] = 0.025m, ["TRANSFER"] = 0.01m },
            InstallmentRates = { ["2"] = 0.002m, ["6"] = 0.005m },
        };
        return
        [
            FeeContract.From("mid_alpha", alpha, "alpha"), FeeContract.From("mid_alpha", alphaNew, "alpha-new"),
            FeeContract.From("mid_beta", ContractSettings().Contracts["mid_beta"], "beta"),
            FeeContract.From("mid_gamma", gamma, "gamma"),
        ];
    }

    public static Ledger Create(int seed, int payments, DateOnly date, FeeSchedule? feeSchedule = null,
        IReadOnlyList<string>? pgs = null)
    {
        var r = new Random(seed);
        var pr = new Random(seed ^ 0x5A5A5A);
        string PgOf() => pgs is null ? Ledger.DefaultPg : pgs[pr.Next(pgs.Count)];
        string OtherPg(string pg) => pgs!.Where(p => p != pg).ElementAt(pr.Next(pgs!.Count - 1));
        var ledger = new Ledger();
        var fees = feeSchedule ?? FeeSchedule.Default;
        var withContracts = fees.Contracts.Count > 0;
        T Pick<T>(params T[] items) => items[r.Next(items.Length)];

        // A line's merchant and fee details, and its fee: right, or wrong in one component.
        ExternalLine Priced(ExternalLine line)
        {
            if (!withContracts)
                return line with { Fee = (fees.ExpectedFee(line.Method, line.Amount) ?? line.Amount / 20) + Pick(0L, 0, 0, 1, -1, 50, -50) };
            var mId = Pick(fees.Contracts.Keys.Order(StringComparer.Ordinal).Select(k => (string?)k).Append("mid_other").Append(null).ToArray());
            var months = line.Method == PaymentMethod.CARD ? Pick(0, 0, 2, 3, 6, 12) : (int?)null;
            line = line with
            {
                MId = mId,
                IssuerCode = line.Method == PaymentMethod.CARD ? Pick("11", "41", "61") : null,
                Provider = line.Method == PaymentMethod.EASY_PAY ? Pick("토스페이", "카카오페이", "네이버페이") : null,
                Months = months,
                InterestPayer = months >= 2 ? Pick("MERCHANT", "CARD_COMPANY", "BUYER", null) : null,
            };
            var expected = fees.ContractOf(mId, BusinessCalendar.BusinessDateOf(line.ApprovedAt)) switch
            {
                (true, { } contract) => contract.Expected(line.Method, line.Amount, line.IssuerCode, line.Provider, line.Months, line.InterestPayer),
                (true, null) => null,
                _ => fees.ExpectedFee(line.Method, line.Amount) is { } flat ? new ContractFee(flat, 0) : null,
            };
            var (feeBase, installment) = expected is { } e ? (e.Base, e.Installment) : (line.Amount / 20, 0L);
            switch (r.Next(4))
            {
                case 0: feeBase += Pick(1L, -30, 40); break;
                case 1: installment += Pick(2L, 60); break;
            }
            var fee = feeBase + installment;
            var vat = FeeContract.VatOf(fee) + (r.Next(6) == 0 ? Pick(1L, -2, 5) : 0);
            var breakdown = r.Next(2) == 0;
            return line with
            {
                Fee = fee,
                Vat = vat,
                FeeBase = breakdown ? feeBase : null,
                FeeInstallment = breakdown && installment != 0 ? installment : null,
            };
        }
        var methods = Enum.GetValues<PaymentMethod>();

        DateTimeOffset Instant()
        {
            var start = BusinessCalendar.StartOfDayUtc(date.AddDays(r.Next(-1, 2)));
            return r.Next(5) switch
            {
                0 => start,
                1 => start.AddDays(1).AddMilliseconds(-1),
                2 => start.AddMilliseconds(r.Next(1, 1000)),
                3 => start.AddDays(1).AddMilliseconds(-r.Next(1, 1000)),
                _ => start.AddMilliseconds(r.NextInt64(0, 86_400_000)),
            };
        }

        for (var i = 0; i < payments; i++)
        {
            var pk = $"pay{seed:x8}{i:D3}";
            var order = $"order{seed:x8}{i:D3}";
            var amount = r.Next(1, 500) * 100L + r.Next(0, 2) * 37;
            var method = methods[r.Next(methods.Length)];
            var status = r.Next(10) < 7 ? PaymentStatus.DONE : FailedStatuses[r.Next(FailedStatuses.Length)];
            var approvalAt = Instant();
            var approval = new InternalTx($"tx{seed:x8}{i:D3}a", pk, order, TransactionKind.APPROVAL, amount, method, approvalAt,
                KeyKnown: status != PaymentStatus.DONE || r.Next(8) != 0);
            var txs = new List<InternalTx>();
            if (status == PaymentStatus.DONE)
            {
                txs.Add(approval);
                var remaining = amount;
                for (var c = r.Next(3); c > 0; c--)
                {
                    var cancel = Math.Max(1, remaining / 3);
                    remaining -= cancel;
                    txs.Add(new InternalTx($"tx{seed:x8}{i:D3}c{c}", pk, order, TransactionKind.CANCEL, cancel, method,
                        approvalAt.AddMilliseconds(r.NextInt64(1, 3 * 3_600_000))));
                }
            }
            var pg = PgOf();
            ledger.Payments.Add(new LedgerPayment(pk, order, amount, method, status, txs, pg));

            var charged = status == PaymentStatus.DONE ? txs : r.Next(2) == 0 ? [approval] : [];
            foreach (var tx in charged)
            {
                var copies = r.Next(25) switch { 0 or 1 => 0, 2 or 3 => 2, _ => 1 };
                var lineAmount = tx.SignedAmount;
                if (r.Next(12) == 0) lineAmount += r.Next(2) == 0 ? 100 : -100;
                if (lineAmount == 0) lineAmount = 1;
                var sold = tx.BusinessDate;
                if (r.Next(10) == 0 && tx.KeyKnown) sold = sold.AddDays(r.Next(2) == 0 ? 1 : -1);
                var currency = r.Next(15) == 0 ? "USD" : "KRW";
                // Gift certificates and OTHER have no rate: any fee (no fee check applies to them).
                // A cancel line's approvedAt is the original approval's time (Toss's Settlement object).
                var line = Priced(new ExternalLine(tx.Key, pk, order, method, lineAmount, 0, sold, approvalAt, Pg: pg));
                // Several PGs: a line filed under another PG, or reported by another PG too (the same key at two PGs).
                var (linePg, alsoAt) = pgs is { Count: > 1 }
                    ? pr.Next(12) switch { 0 => (OtherPg(pg), null), 1 => (pg, OtherPg(pg)), _ => (pg, (string?)null) }
                    : (pg, null);
                for (var k = 0; k < copies; k++)
                {
                    ledger.Lines.Add(line with { Currency = currency, Pg = linePg });
                    if (alsoAt is not null) ledger.Lines.Add(line with { Currency = currency, Pg = alsoAt });
                }
            }
        }

        for (var j = r.Next(3); j > 0; j--)
        {
            var amount = (r.Next(2) == 0 ? 1 : -1) * r.Next(1, 300) * 100L;
            var method = methods[r.Next(methods.Length)];
            var at = Instant();
            ledger.Lines.Add(new ExternalLine($"orphan{seed:x8}{j}", $"orphanpay{seed:x8}{j}", $"orphanord{seed:x8}{j}",
                method, amount, fees.ExpectedFee(method, amount) ?? amount / 20, BusinessCalendar.BusinessDateOf(at), at,
                Pg: PgOf()));
        }
        return ledger;
    }
}
