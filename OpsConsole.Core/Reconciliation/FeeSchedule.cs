using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The PG's fees: the merchants' contracts (<see cref="Contracts"/>, by <c>m_id</c>) and, for a line of a merchant id
/// without one, the default flat rate per method. Rates are held in parts per million so that every engine computes
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
        Contracts = (contracts ?? []).ToDictionary(c => c.MId, StringComparer.Ordinal);
    }

    private FeeSchedule(FeeSchedule flat, IEnumerable<FeeContract> contracts)
    {
        RatesPpm = flat.RatesPpm;
        Tolerance = flat.Tolerance;
        Contracts = contracts.ToDictionary(c => c.MId, StringComparer.Ordinal);
    }

    /// <summary>This schedule's flat rates and tolerance with <paramref name="contracts"/> (a later one for the same
    /// merchant id wins: pass configured contracts first, then the stored overrides).</summary>
    public FeeSchedule WithContracts(IEnumerable<FeeContract> contracts) =>
        new(this, contracts.GroupBy(c => c.MId, StringComparer.Ordinal).Select(g => g.Last()));

    /// <summary>The merchants' contracts by merchant id (<c>settlement_lines.m_id</c>).</summary>
    public IReadOnlyDictionary<string, FeeContract> Contracts { get; }

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
