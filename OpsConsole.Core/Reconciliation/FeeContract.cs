using System.Globalization;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The merchant's fee contract with its PG for one merchant id (<c>settlement_lines.m_id</c>). Rates are fractions of
/// the amount that <b>include VAT</b> (a contract quoted as "2.1% + VAT" is 0.0231), held in parts per million so that
/// every engine computes the same integers:
/// <list type="bullet">
/// <item>BASE = amount × rate, truncated toward zero; the rate is the card issuer's (CARD, <c>card.issuerCode</c>) or
/// the easy-pay provider's (EASY_PAY, <c>easyPay.provider</c>) when the contract names one, else the method's. A
/// method without a rate is not fee-checked. On an approval (amount &gt; 0) BASE is at least <see cref="MinimumFee"/>;
/// a cancel line refunds the proportional fee (negative, no minimum).</item>
/// <item>INSTALLMENT = amount × the rate of the installment months, only on a card line whose interest the merchant
/// pays (<c>card.interestPayer</c> = MERCHANT: a merchant-paid interest-free promotion). When the buyer or the card
/// company pays the interest (<c>BUYER</c>, <c>CARD_COMPANY</c>, or not reported) no installment fee is expected; nor
/// when the contract has no rate for the months (so a fee the PG charges for them is reported).</item>
/// <item>The fee the PG reports includes VAT: VAT = fee / 11 rounded to the nearest won (half away from zero;
/// fee / 11 never ends in exactly .5), supply = fee − VAT. Toss's real lines agree: fee 1,492 → VAT 136 (floor would
/// give 135), fee −2,250 → VAT −205, fee 859,950 → VAT 78,177; 860 → 78 + 782.</item>
/// </list>
/// A contract is in force from <see cref="ValidFrom"/> (a KST date, inclusive; null: from the first day) to
/// <see cref="ValidUntil"/> (inclusive; null: open-ended, or until the merchant id's next contract starts): see
/// <see cref="FeeContractTimeline"/> for which date of a line picks its contract.
/// </summary>
public sealed record FeeContract(
    string MId,
    IReadOnlyDictionary<PaymentMethod, long> BaseRatesPpm,
    IReadOnlyDictionary<string, long> CardIssuerRatesPpm,
    IReadOnlyDictionary<string, long> EasyPayProviderRatesPpm,
    IReadOnlyDictionary<int, long> InstallmentRatesPpm,
    long MinimumFee,
    DateOnly? ValidFrom = null,
    DateOnly? ValidUntil = null)
{
    /// <summary>The <c>card.interestPayer</c> value under which an installment fee is expected.</summary>
    public const string MerchantPaysInterest = "MERCHANT";

    public const int MaxInstallmentMonths = 36;

    /// <summary>The VAT included in a fee (see the type's summary).</summary>
    public static long VatOf(long fee) => fee >= 0 ? (fee + 5) / 11 : -((5 - fee) / 11);

    /// <summary>The expected BASE and INSTALLMENT of a line; null when the method has no rate.</summary>
    public ContractFee? Expected(PaymentMethod method, long amount, string? issuerCode, string? easyPayProvider,
        int? installmentMonths, string? interestPayer)
    {
        long? ppm = method switch
        {
            PaymentMethod.CARD when issuerCode is not null && CardIssuerRatesPpm.TryGetValue(issuerCode, out var p) => p,
            PaymentMethod.EASY_PAY when easyPayProvider is not null && EasyPayProviderRatesPpm.TryGetValue(easyPayProvider, out var p) => p,
            _ => BaseRatesPpm.TryGetValue(method, out var p) ? p : null,
        };
        if (ppm is null) return null;
        var fee = amount * ppm.Value / 1_000_000;
        if (amount > 0 && fee < MinimumFee) fee = MinimumFee;
        var installment = method == PaymentMethod.CARD && interestPayer == MerchantPaysInterest
                          && installmentMonths is { } months && InstallmentRatesPpm.TryGetValue(months, out var ip)
            ? amount * ip / 1_000_000
            : 0;
        return new ContractFee(fee, installment);
    }

    /// <summary>
    /// Builds and checks a contract from its settings. Every problem is reported at once, each naming its setting
    /// under <paramref name="path"/> (e.g. <c>Pg:Contracts:TP01012100</c>); nothing is defaulted.
    /// </summary>
    public static FeeContract From(string mId, FeeContractSettings settings, string path)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(mId) || mId.Length > 64 || mId.Trim() != mId)
            errors.Add($"{path}: the merchant id must be 1 to 64 characters without surrounding spaces.");

        long? Ppm(string setting, decimal rate)
        {
            if (rate is >= 0 and < 1) return (long)decimal.Round(rate * 1_000_000m, MidpointRounding.AwayFromZero);
            errors.Add($"{path}:{setting} must be a fraction in [0, 1), VAT included (got {rate.ToString(CultureInfo.InvariantCulture)}).");
            return null;
        }

        var baseRates = new Dictionary<PaymentMethod, long>();
        foreach (var (name, rate) in settings.BaseRates)
        {
            if (!Enum.TryParse<PaymentMethod>(name, ignoreCase: true, out var method) || int.TryParse(name, out _))
                errors.Add($"{path}:BaseRates:{name} names no payment method ({string.Join(", ", Enum.GetNames<PaymentMethod>())}).");
            else if (Ppm($"BaseRates:{name}", rate) is { } ppm) baseRates[method] = ppm;
        }
        if (settings.BaseRates.Count == 0)
            errors.Add($"{path}:BaseRates must give the rate of at least one method.");

        Dictionary<string, long> ByName(string section, Dictionary<string, decimal> rates)
        {
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (name, rate) in rates)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
                    errors.Add($"{path}:{section} has an empty or over-long name ('{name}').");
                else if (Ppm($"{section}:{name}", rate) is { } ppm) result[name] = ppm;
            }
            return result;
        }
        var issuers = ByName("CardIssuerRates", settings.CardIssuerRates);
        var providers = ByName("EasyPayProviderRates", settings.EasyPayProviderRates);

        var installments = new Dictionary<int, long>();
        foreach (var (months, rate) in settings.InstallmentRates)
        {
            if (!int.TryParse(months, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m is < 2 or > MaxInstallmentMonths)
                errors.Add($"{path}:InstallmentRates:{months} must be a number of months from 2 to {MaxInstallmentMonths}.");
            else if (Ppm($"InstallmentRates:{months}", rate) is { } ppm) installments[m] = ppm;
        }

        if (settings.MinimumFee is < 0)
            errors.Add($"{path}:MinimumFee must be zero or more KRW (got {settings.MinimumFee}).");
        if (settings.ValidFrom is { } from && settings.ValidUntil is { } until && until < from)
            errors.Add($"{path}:ValidUntil ({until:yyyy-MM-dd}) is before ValidFrom ({from:yyyy-MM-dd}).");

        if (errors.Count > 0) throw new ConfigurationError(string.Join(" ", errors));
        return new FeeContract(mId, baseRates, issuers, providers, installments, settings.MinimumFee ?? 0,
            settings.ValidFrom, settings.ValidUntil);
    }
}

/// <summary>The fee a contract expects on a line: BASE, INSTALLMENT and their total (VAT included).</summary>
public readonly record struct ContractFee(long Base, long Installment)
{
    public long Total => Base + Installment;
}

/// <summary>
/// A contract as configured (<c>Pg:Contracts:{mId}</c>) or stored by an admin (as JSON): rates are fractions of the
/// amount, VAT included. Method names are <see cref="PaymentMethod"/> names; issuer codes are Toss's
/// <c>card.issuerCode</c> (e.g. <c>11</c>), providers <c>easyPay.provider</c> (e.g. <c>토스페이</c>); installment keys
/// are months (2–36). <see cref="ValidFrom"/>/<see cref="ValidUntil"/> bound its period (KST dates, both inclusive).
/// </summary>
public sealed class FeeContractSettings
{
    /// <summary>The first KST date the contract is in force; absent: from the first day.</summary>
    public DateOnly? ValidFrom { get; set; }

    /// <summary>The last KST date the contract is in force; absent: open-ended, or until the next contract starts.</summary>
    public DateOnly? ValidUntil { get; set; }

    public Dictionary<string, decimal> BaseRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, decimal> CardIssuerRates { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, decimal> EasyPayProviderRates { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, decimal> InstallmentRates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>KRW, VAT included; the least BASE of an approval line. Absent: no minimum.</summary>
    public long? MinimumFee { get; set; }
}

/// <summary>Settings <c>Pg:Contracts</c>: one contract per PG merchant id.</summary>
public sealed class FeeContractOptions
{
    public Dictionary<string, FeeContractSettings> Contracts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The configured contracts, checked (a <see cref="ConfigurationError"/> names every bad setting).</summary>
    public IReadOnlyList<FeeContract> Build()
    {
        var contracts = new List<FeeContract>();
        var errors = new List<string>();
        foreach (var (mId, settings) in Contracts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            try { contracts.Add(FeeContract.From(mId, settings, $"Pg:Contracts:{mId}")); }
            catch (ConfigurationError e) { errors.Add(e.Message); }
        }
        if (errors.Count > 0) throw new ConfigurationError(string.Join(" ", errors));
        return contracts;
    }
}

/// <summary>Checks <c>Pg:Contracts</c> at start: every bad setting is named, the app does not start.</summary>
public sealed class FeeContractOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<FeeContractOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, FeeContractOptions options)
    {
        try
        {
            options.Build();
            return Microsoft.Extensions.Options.ValidateOptionsResult.Success;
        }
        catch (ConfigurationError e)
        {
            return Microsoft.Extensions.Options.ValidateOptionsResult.Fail(e.Message);
        }
    }
}
