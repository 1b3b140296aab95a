using System.Reflection;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// Mapping profiles of PG settlement files: those of <c>{DataDirectory}/profiles/</c> (or a path) that fit settlement
/// files, and the profiles shipped with OpsConsole (<c>Reconciliation/Profiles/*.json</c>, embedded), one per PG file
/// format we support. A profile in the folder with a shipped profile's name replaces it.
/// </summary>
public sealed class SettlementProfileStore(DatabaseOptions database)
{
    private readonly MappingProfileStore _store = new(database, Shipped.Value);

    private static readonly Lazy<IReadOnlyList<MappingProfile>> Shipped = new(() =>
    {
        var assembly = typeof(SettlementProfileStore).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Reconciliation.Profiles.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return SettlementFileProfile.Require(MappingProfile.Parse(reader.ReadToEnd(), n));
            })
            .ToList();
    });

    public string Directory => _store.Directory;

    /// <summary>The profile named <paramref name="nameOrPath"/>, checked to fit settlement files (<c>PROFILE_NOT_FOUND</c> / <c>PROFILE_INVALID</c>).</summary>
    public MappingProfile Resolve(string nameOrPath) => SettlementFileProfile.Require(_store.Load(nameOrPath));

    /// <summary>The profiles that can read settlement files, by name.</summary>
    public IReadOnlyList<MappingProfile> List() =>
        _store.List().Where(p => SettlementFileProfile.ProfileProblems(p).Count == 0).ToList();
}
