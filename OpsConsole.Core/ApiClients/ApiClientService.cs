using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.ApiClients;

public sealed record ApiClientCreated(string Name, IReadOnlyList<string> Scopes, string Key);

public sealed record ApiClientInfo(string Name, IReadOnlyList<string> Scopes, string KeyHint, bool IsDemo,
    DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string? RevokedBy)
{
    public bool IsRevoked => RevokedAt is not null;

    internal static ApiClientInfo Of(ApiClient c) => new(c.Name, c.ScopeList, c.KeyHint, c.IsDemo, c.CreatedAt,
        c.CreatedBy, c.LastUsedAt, c.RevokedAt, c.RevokedBy);
}

/// <summary>An authenticated API caller: its name (the actor is <c>api:&lt;name&gt;</c>) and its scopes.</summary>
public sealed record ApiCaller(string Name, IReadOnlyList<string> Scopes)
{
    public string Actor => $"api:{Name}";
}

/// <summary>Creates, lists, revokes and authenticates API clients. Every change is audited.</summary>
public sealed partial class ApiClientService(IDbContextFactory<OpsDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    public const string DemoClientName = "demo-shop";

    /// <summary>How stale <see cref="ApiClient.LastUsedAt"/> may get before a request writes it again.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,63}$")]
    private static partial Regex NamePattern();

    public static void EnsureName(string? name)
    {
        if (name is null || !NamePattern().IsMatch(name))
            throw DomainException.BadInput("INVALID_CLIENT_NAME",
                "The client name must be 2 to 64 characters of lower-case letters, digits, '.', '-' or '_'.");
    }

    public static IReadOnlyList<string> ParseScopes(string? scopes)
    {
        var list = (scopes ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0)
            throw DomainException.BadInput("INVALID_SCOPES", $"At least one scope is required: {string.Join(", ", ApiScopes.All)}.");
        var unknown = list.Where(s => !ApiScopes.All.Contains(s)).ToList();
        if (unknown.Count > 0)
            throw DomainException.BadInput("INVALID_SCOPES",
                $"Unknown scope {string.Join(", ", unknown)}; the scopes are {string.Join(", ", ApiScopes.All)}.");
        return ApiScopes.All.Where(list.Contains).ToList();
    }

    public async Task<ApiClientCreated> CreateAsync(string name, IReadOnlyList<string> scopes, string actor,
        CancellationToken cancellationToken = default)
    {
        EnsureName(name);
        var checkedScopes = ParseScopes(string.Join(' ', scopes));
        var key = ApiKeys.NewKey();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.ApiClients.AnyAsync(c => c.Name == name, cancellationToken))
            throw DomainException.Conflict("API_CLIENT_EXISTS", $"An API client named {name} exists already (revoked clients keep their name).");
        var client = ApiClient.Create(name, checkedScopes, key, actor, clock.GetUtcNow());
        db.ApiClients.Add(client);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw DomainException.Conflict("API_CLIENT_EXISTS", $"An API client named {name} exists already.");
        }
        await audit.WriteAsync(actor, "api-client.create", "api-client", name,
            AuditChange.Created(new() { { "scopes", client.Scopes }, { "key", $"{client.KeyHint}…" }, { "status", "active" } }),
            outcome: "created");
        return new ApiClientCreated(name, checkedScopes, key);
    }

    public async Task<IReadOnlyList<ApiClientInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var clients = await db.ApiClients.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken);
        return clients.Select(ApiClientInfo.Of).ToList();
    }

    public async Task<ApiClientInfo> RevokeAsync(string name, string actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var client = await db.ApiClients.FirstOrDefaultAsync(c => c.Name == name, cancellationToken)
                     ?? throw DomainException.NotFound("NOT_FOUND_API_CLIENT", $"No API client named {name}.");
        if (client.IsRevoked)
            return ApiClientInfo.Of(client);
        client.Revoke(actor, clock.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync(actor, "api-client.revoke", "api-client", name,
            AuditChange.Between(new() { { "scopes", client.Scopes }, { "status", "active" } },
                new() { { "scopes", client.Scopes }, { "status", "revoked" } }),
            outcome: "revoked");
        return ApiClientInfo.Of(client);
    }

    /// <summary>
    /// The caller a key belongs to, or null for an unknown, revoked or malformed key (and for the demo client
    /// when <paramref name="demoEnabled"/> is false). Looks the client up by the key's hash, then compares the
    /// hashes in constant time.
    /// </summary>
    public async Task<ApiCaller?> AuthenticateAsync(string? key, bool demoEnabled, CancellationToken cancellationToken = default)
    {
        if (!ApiKeys.LooksLikeKey(key)) return null;
        var hash = ApiKeys.Hash(key!);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var client = await db.ApiClients.AsNoTracking().FirstOrDefaultAsync(c => c.KeyHash == hash, cancellationToken);
        if (client is null || !ApiKeys.Matches(key!, client.KeyHash) || client.IsRevoked || (client.IsDemo && !demoEnabled))
            return null;

        var now = clock.GetUtcNow();
        if (client.LastUsedAt is null || now - client.LastUsedAt >= LastUsedResolution)
        {
            var stale = now - LastUsedResolution;
            await db.ApiClients.Where(c => c.Id == client.Id && (c.LastUsedAt == null || c.LastUsedAt <= stale))
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedAt, now), cancellationToken);
        }
        return new ApiCaller(client.Name, client.ScopeList);
    }

    /// <summary>Demo mode: the <c>demo-shop</c> client with every scope and the configured demo key.</summary>
    public async Task EnsureDemoClientAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!ApiKeys.LooksLikeKey(key))
            throw new ConfigurationError($"Demo:ApiKey must be '{ApiKeys.Prefix}' followed by at least 32 letters or digits.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var client = await db.ApiClients.FirstOrDefaultAsync(c => c.Name == DemoClientName, cancellationToken);
        if (client is { IsDemo: false })
            return; // A real client took the name: leave it alone.
        if (client is null)
        {
            db.ApiClients.Add(ApiClient.Create(DemoClientName, ApiScopes.All, key, "demo", clock.GetUtcNow(), isDemo: true));
        }
        else
        {
            if (ApiKeys.Matches(key, client.KeyHash) && !client.IsRevoked && client.Scopes == string.Join(' ', ApiScopes.All))
                return;
            client.ResetDemo(key, ApiScopes.All);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return; // Another replica created it at the same moment.
        }
        await audit.WriteAsync("demo", client is null ? "api-client.create" : "api-client.reset", "api-client", DemoClientName,
            AuditChange.Created(new() { { "scopes", string.Join(' ', ApiScopes.All) }, { "status", "active (demo mode)" } }),
            outcome: "demo client ready");
    }
}
