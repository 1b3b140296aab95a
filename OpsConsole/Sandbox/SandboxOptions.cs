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
    };

    /// <summary>paidOutDate = soldDate + this many days.</summary>
    public int PayoutDelayDays { get; set; } = 2;

    /// <summary>Share of checkouts without an explicit fault that get a random one (demo data).</summary>
    public double FaultRate { get; set; }
}
