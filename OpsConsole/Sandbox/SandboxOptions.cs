namespace OpsConsole.Sandbox;

/// <summary>Settings <c>Sandbox:*</c>.</summary>
public sealed class SandboxOptions
{
    /// <summary>Serve the sandbox PG under /sandbox/pg. Default: on, except in the Production environment.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The sandbox's own store. Default: <c>Data Source={DataDirectory}/sandbox-pg.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Fee rate per method (fraction of the amount, VAT included).</summary>
    public Dictionary<string, decimal> FeeRates { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CARD"] = 0.025m,
        ["EASY_PAY"] = 0.03m,
        ["TRANSFER"] = 0.02m,
        ["VIRTUAL_ACCOUNT"] = 0.01m,
        ["MOBILE_PHONE"] = 0.035m,
        ["CULTURE_GIFT_CERTIFICATE"] = 0.05m,
        ["BOOK_GIFT_CERTIFICATE"] = 0.05m,
        ["GAME_GIFT_CERTIFICATE"] = 0.05m,
    };

    /// <summary>
    /// The INSTALLMENT fee component of a card payment in 2 or more installments, as a fraction of the amount
    /// (added to the BASE fee). Not charged on an interest-free promotion (the card company pays). Default 0.002.
    /// </summary>
    public decimal InstallmentFeeRate { get; set; } = 0.002m;

    /// <summary>The merchant id (<c>mId</c>) on every settlement line and payment. Default <c>opsconsole_sandbox</c>.</summary>
    public string MerchantId { get; set; } = "opsconsole_sandbox";

    /// <summary>How long <c>GET /v1/settlements</c> takes to answer (Toss: up to 60 s). Default 0.</summary>
    public TimeSpan SettlementDelay { get; set; }

    /// <summary>paidOutDate = soldDate + this many days.</summary>
    public int PayoutDelayDays { get; set; } = 2;

    /// <summary>
    /// The file persona's (<see cref="SandboxFilePg"/>) fee rate per method, VAT included. The demo configures the same
    /// rates as the contract of its merchant id (<c>Pg:Contracts:INIpayTest</c>), so only the planted fee faults differ.
    /// </summary>
    public Dictionary<string, decimal> FilePgFeeRates { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["CARD"] = 0.022m,
        ["EASY_PAY"] = 0.027m,
        ["TRANSFER"] = 0.018m,
    };

    /// <summary>Share of checkouts without an explicit fault that get a random one (demo data).</summary>
    public double FaultRate { get; set; }
}
