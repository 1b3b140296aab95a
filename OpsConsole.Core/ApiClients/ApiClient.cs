namespace OpsConsole.Core.ApiClients;

/// <summary>
/// A service allowed to call <c>/api/v1</c>: a unique name, its scopes and the SHA-256 of its secret key. The
/// key itself is shown once, when the client is created, and never stored.
/// </summary>
public sealed class ApiClient
{
    private ApiClient()
    {
        Name = Scopes = KeyHash = KeyHint = CreatedBy = "";
    }

    public long Id { get; private set; }
    public string Name { get; private set; }

    /// <summary>Space-separated, e.g. <c>payments:confirm payments:read</c>.</summary>
    public string Scopes { get; private set; }

    /// <summary>Lower-case hex SHA-256 of the key (the key has ≥ 190 bits of entropy, so no salt or KDF is needed).</summary>
    public string KeyHash { get; private set; }

    /// <summary>The key's first characters (<c>ocs_AbCd</c>): enough for a person to tell keys apart, useless to an attacker.</summary>
    public string KeyHint { get; private set; }

    /// <summary>The demo client (<c>demo-shop</c>): accepted only while demo mode is on.</summary>
    public bool IsDemo { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public string CreatedBy { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }

    public bool IsRevoked => RevokedAt is not null;

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static ApiClient Create(string name, IEnumerable<string> scopes, string key, string createdBy,
        DateTimeOffset now, bool isDemo = false) => new()
    {
        Name = name,
        Scopes = string.Join(' ', scopes),
        KeyHash = ApiKeys.Hash(key),
        KeyHint = ApiKeys.Hint(key),
        IsDemo = isDemo,
        CreatedAt = now,
        CreatedBy = createdBy,
    };

    public void Revoke(string by, DateTimeOffset now)
    {
        if (IsRevoked) return;
        RevokedAt = now;
        RevokedBy = by;
    }

    /// <summary>Demo mode: the client follows <c>Demo:ApiKey</c> and the full scope set.</summary>
    internal void ResetDemo(string key, IEnumerable<string> scopes)
    {
        KeyHash = ApiKeys.Hash(key);
        KeyHint = ApiKeys.Hint(key);
        Scopes = string.Join(' ', scopes);
        RevokedAt = null;
        RevokedBy = null;
    }
}
