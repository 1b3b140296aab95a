namespace OpsConsole.Core.Gateway;

/// <summary>Settings <c>Pg:*</c>.</summary>
public sealed class PgOptions
{
    /// <summary>e.g. https://api.tosspayments.com. Empty with the sandbox on: the app's own sandbox.</summary>
    public string? BaseUrl { get; set; }

    public string SecretKey { get; set; } = "test_sk_opsconsole_sandbox";

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline over all attempts of one call.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The currencies OpsConsole accepts (<c>Pg:Currencies</c>, ISO 4217 codes separated by commas; default <c>KRW</c>):
    /// at the checkout API, in PG answers and on settlement lines. Anything else is refused with the field named.
    /// </summary>
    public string Currencies { get; set; } = "KRW";

    /// <summary><see cref="Currencies"/> as a set.</summary>
    public IReadOnlySet<string> AcceptedCurrencies =>
        Currencies.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);

    /// <summary>Per-operation timeouts (<c>Pg:Timeouts:*</c>) for operations slower than a payment call.</summary>
    public PgTimeouts Timeouts { get; set; } = new();
}

/// <summary>Settings <c>Pg:Timeouts:*</c>. Confirm, cancel and look-ups use <see cref="PgOptions.AttemptTimeout"/> and <see cref="PgOptions.TotalTimeout"/>.</summary>
public sealed class PgTimeouts
{
    /// <summary>Minimum for <see cref="Settlements"/>: Toss says a settlement query can take up to 60 s.</summary>
    public static readonly TimeSpan MinSettlements = TimeSpan.FromSeconds(60);

    /// <summary>
    /// One attempt of <c>GET /v1/settlements</c> (at least 60 s). The deadline over all attempts of one page is this
    /// plus <see cref="PgOptions.TotalTimeout"/>. Default 00:01:30.
    /// </summary>
    public TimeSpan Settlements { get; set; } = TimeSpan.FromSeconds(90);
}
