using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>Where a merchant id's contract comes from.</summary>
public enum FeeContractSource
{
    /// <summary><c>Pg:Contracts:{mId}</c> only.</summary>
    Configuration,

    /// <summary>Stored by an admin in the console (there is no configured one).</summary>
    Console,

    /// <summary>Stored by an admin in the console, overriding the configured one.</summary>
    ConsoleOverridesConfiguration,
}

/// <summary>A merchant id's contract in force, with its origin (for the admin page).</summary>
public sealed record FeeContractView(string MId, FeeContractSource Source, string Terms, string? UpdatedBy,
    DateTimeOffset? UpdatedAt, string? ConfiguredTerms);

/// <summary>
/// The merchants' fee contracts in force: the configured ones (<c>Pg:Contracts</c>, checked at start) overridden per
/// merchant id by the ones an admin stored in the console (<c>fee_contracts</c>, checked before they are stored, every
/// change audited). A reconciliation run takes them when it starts; a merchant id without a contract is checked
/// against the flat <c>Reconciliation:FeeRates</c>.
/// <para>A merchant id's stored terms are one contract (a JSON object) or its contracts over time (a JSON array, each
/// with <c>ValidFrom</c>/<c>ValidUntil</c>, see <see cref="FeeContractTimeline"/>). The whole set is stored at once: a
/// change that makes two periods overlap is refused with both named, and nothing is stored.</para>
/// </summary>
public sealed class FeeContractCatalog(
    IDbContextFactory<OpsDbContext> dbFactory,
    IOptions<FeeContractOptions> options,
    AuditLog audit,
    TimeProvider clock)
{
    public const string AuditTarget = "fee-contract";

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The contracts in force: configured, then the stored overrides (which win per merchant id).</summary>
    public async Task<IReadOnlyList<FeeContract>> EffectiveAsync(CancellationToken ct = default)
    {
        var contracts = options.Value.Build().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var record in await db.Set<FeeContractRecord>().AsNoTracking().OrderBy(r => r.MId).ToListAsync(ct))
        {
            contracts.RemoveAll(c => c.MId == record.MId);
            contracts.AddRange(Parse(record.MId, record.Terms, $"fee_contracts[{record.MId}]"));
        }
        return contracts;
    }

    /// <summary>Every merchant id with a contract, configured or stored, and where it comes from.</summary>
    public async Task<IReadOnlyList<FeeContractView>> ListAsync(CancellationToken ct = default)
    {
        var configured = options.Value.Contracts.ToDictionary(c => c.Key, c => JsonSerializer.Serialize(c.Value, Json));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Set<FeeContractRecord>().AsNoTracking().ToListAsync(ct);
        var views = stored.Select(r => new FeeContractView(r.MId,
                configured.ContainsKey(r.MId) ? FeeContractSource.ConsoleOverridesConfiguration : FeeContractSource.Console,
                r.Terms, r.UpdatedBy, r.UpdatedAt, configured.GetValueOrDefault(r.MId)))
            .Concat(configured.Where(c => stored.All(r => r.MId != c.Key))
                .Select(c => new FeeContractView(c.Key, FeeContractSource.Configuration, c.Value, null, null, c.Value)));
        return views.OrderBy(v => v.MId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Stores <paramref name="terms"/> (JSON of one <see cref="FeeContractSettings"/>, or an array of them for contracts
    /// over time) as the contracts of <paramref name="mId"/>, replacing its stored ones; a bad contract or overlapping
    /// periods are refused with every problem named and nothing stored. The audit entry holds the terms before and after.
    /// </summary>
    public async Task SaveAsync(string mId, string terms, string actor, CancellationToken ct = default)
    {
        mId = mId.Trim();
        var normalized = Normalize(Parse(mId, terms, "contract"));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var record = await db.Set<FeeContractRecord>().SingleOrDefaultAsync(r => r.MId == mId, ct);
        var before = record?.Terms;
        if (record is null) db.Add(FeeContractRecord.Create(mId, normalized, actor, clock.GetUtcNow()));
        else record.Update(normalized, actor, clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(e))
        {
            throw DomainException.Conflict("FEE_CONTRACT_CHANGED",
                $"The contract of {mId} was changed by someone else meanwhile; reload and try again.");
        }
        await audit.WriteAsync(actor, record is null ? "fee-contract.create" : "fee-contract.update", AuditTarget, mId,
            before, normalized);
    }

    /// <summary>Removes the console's contract of <paramref name="mId"/>: the configured one (if any) applies again.</summary>
    public async Task DeleteAsync(string mId, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var record = await db.Set<FeeContractRecord>().SingleOrDefaultAsync(r => r.MId == mId, ct)
                     ?? throw DomainException.NotFound("FEE_CONTRACT_NOT_FOUND", $"{mId} has no contract stored in the console.");
        db.Remove(record);
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync(actor, "fee-contract.delete", AuditTarget, mId, record.Terms, null);
    }

    /// <summary>
    /// Parses and checks a merchant id's JSON terms (one contract, or an array of contracts over time): every problem
    /// of every contract, and overlapping periods, are a 400 naming them.
    /// </summary>
    public static IReadOnlyList<FeeContract> Parse(string mId, string terms, string path)
    {
        List<FeeContractSettings?>? all;
        try
        {
            all = terms.TrimStart().StartsWith('[')
                ? JsonSerializer.Deserialize<List<FeeContractSettings?>>(terms, Json)
                : [JsonSerializer.Deserialize<FeeContractSettings>(terms, Json)];
        }
        catch (JsonException e)
        {
            throw DomainException.BadInput("FEE_CONTRACT_INVALID", $"{path}: not a contract ({e.Message}).");
        }
        if (all is null || all.Count == 0 || all.Any(a => a is null))
            throw DomainException.BadInput("FEE_CONTRACT_INVALID", $"{path}: a contract is empty.");
        var contracts = new List<FeeContract>();
        var errors = new List<string>();
        for (var i = 0; i < all.Count; i++)
        {
            try { contracts.Add(FeeContract.From(mId, all[i]!, all.Count == 1 ? path : $"{path}[{i}]")); }
            catch (ConfigurationError e) { errors.Add(e.Message); }
        }
        if (errors.Count > 0) throw DomainException.BadInput("FEE_CONTRACT_INVALID", string.Join(" ", errors));
        try
        {
            FeeContractTimeline.Build(mId, contracts, path);
        }
        catch (ConfigurationError e)
        {
            throw DomainException.BadInput("FEE_CONTRACT_OVERLAP", e.Message);
        }
        return contracts;
    }

    /// <summary>The stored form: one contract as an object, several as an array in date order.</summary>
    private static string Normalize(IReadOnlyList<FeeContract> contracts) => contracts.Count == 1
        ? JsonSerializer.Serialize(Settings(contracts[0]), Json)
        : JsonSerializer.Serialize(contracts.OrderBy(c => c.ValidFrom ?? DateOnly.MinValue).Select(Settings).ToList(), Json);

    /// <summary>A contract back as its settings (the stored and configured shape).</summary>
    public static FeeContractSettings Settings(FeeContract c)
    {
        static decimal Rate(long ppm) => ppm / 1_000_000m;
        return new FeeContractSettings
        {
            ValidFrom = c.ValidFrom,
            ValidUntil = c.ValidUntil,
            BaseRates = c.BaseRatesPpm.OrderBy(r => r.Key).ToDictionary(r => r.Key.ToString(), r => Rate(r.Value)),
            CardIssuerRates = c.CardIssuerRatesPpm.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, r => Rate(r.Value)),
            EasyPayProviderRates = c.EasyPayProviderRatesPpm.OrderBy(r => r.Key, StringComparer.Ordinal).ToDictionary(r => r.Key, r => Rate(r.Value)),
            InstallmentRates = c.InstallmentRatesPpm.OrderBy(r => r.Key).ToDictionary(r => r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), r => Rate(r.Value)),
            MinimumFee = c.MinimumFee == 0 ? null : c.MinimumFee,
        };
    }
}
