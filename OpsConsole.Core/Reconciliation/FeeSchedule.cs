using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The PG's fees: the merchants' contracts (<see cref="Contracts"/>, by <c>m_id</c>, each over time: see
/// <see cref="FeeContractTimeline"/>) and, for a line of a merchant id without any, the default flat rate per method. Rates are held in parts per million so that every engine computes
/// the same integer: expected fee = amount × ppm / 1,000,000, truncated toward zero (negative for cancel lines).
/// The flat default checks the total fee only; a contract also checks its VAT (see <see cref="FeeContract"/>).
/// </summary>
public sealed class FeeSchedule
{
    public static readonly IReadOnlyDictionary<PaymentMethod, decimal> DefaultRates = new Dictionary<PaymentMethod, decimal>
    {
        [PaymentMethod.CARD] = 0.025m,
        [PaymentMethod.EASY_PAY] = 0.03m,
        [PaymentMethod.TRANSFER] = 0.02m,
        [PaymentMethod.VIRTUAL_ACCOUNT] = 0.01m,
        [PaymentMethod.MOBILE_PHONE] = 0.035m,
    };

    public FeeSchedule(IReadOnlyDictionary<PaymentMethod, decimal> rates, long tolerance,
        IEnumerable<FeeContract>? contracts = null)
    {
        if (tolerance < 0)
            throw new ConfigurationError("Reconciliation:FeeTolerance must be zero or more KRW.");
        var ppm = new Dictionary<PaymentMethod, long>();
        foreach (var (method, rate) in rates)
        {
            if (rate is < 0 or >= 1)
                throw new ConfigurationError($"Reconciliation:FeeRates:{method} must be in [0, 1) (got {rate}).");
            ppm[method] = (long)decimal.Round(rate * 1_000_000m);
        }
        RatesPpm = ppm;
        Tolerance = tolerance;
        Contracts = FeeContractTimeline.ByMerchant(contracts ?? [], "Pg:Contracts");
    }

    private FeeSchedule(FeeSchedule flat, IEnumerable<FeeContract> contracts)
    {
        RatesPpm = flat.RatesPpm;
        Tolerance = flat.Tolerance;
        Contracts = FeeContractTimeline.ByMerchant(contracts, "fee contracts");
    }

    /// <summary>This schedule's flat rates and tolerance with <paramref name="contracts"/>: all the contracts in force over
    /// time, several per merchant id for several periods (overlapping periods are refused).</summary>
    public FeeSchedule WithContracts(IEnumerable<FeeContract> contracts) => new(this, contracts);

    /// <summary>The merchants' contracts over time by merchant id (<c>settlement_lines.m_id</c>).</summary>
    public IReadOnlyDictionary<string, FeeContractTimeline> Contracts { get; }

    /// <summary>
    /// The contract of a line of <paramref name="mId"/> approved on <paramref name="approvedOn"/> (KST; see
    /// <see cref="FeeContractTimeline"/>): <c>Contracted</c> when the merchant id has contracts at all, <c>InForce</c> the
    /// one covering the date (null: none does, the line is not fee-checked).
    /// </summary>
    public (bool Contracted, FeeContract? InForce) ContractOf(string? mId, DateOnly approvedOn) =>
        mId is not null && Contracts.TryGetValue(mId, out var timeline) ? (true, timeline.On(approvedOn)) : (false, null);

    public static FeeSchedule Default { get; } = new(DefaultRates, 1);

    public IReadOnlyDictionary<PaymentMethod, long> RatesPpm { get; }

    /// <summary>KRW: |fee − expected| above this is a FEE_MISMATCH.</summary>
    public long Tolerance { get; }

    /// <summary>The fee the PG should charge on a (signed) line amount; null when the method has no rate.</summary>
    public long? ExpectedFee(PaymentMethod method, long amount) =>
        RatesPpm.TryGetValue(method, out var ppm) ? amount * ppm / 1_000_000 : null;

    public bool IsMismatch(PaymentMethod method, long amount, long fee) =>
        ExpectedFee(method, amount) is { } expected && Math.Abs(fee - expected) > Tolerance;
}
