using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Cash;

/// <summary>
/// Mapping profiles of bank exports (<see cref="MappingProfileStore"/>: <c>{DataDirectory}/profiles/</c> or a path),
/// checked to fit bank statements.
/// </summary>
public sealed class BankProfileStore(DatabaseOptions database)
{
    private readonly MappingProfileStore _store = new(database);

    public string Directory => _store.Directory;

    /// <summary>The profile named <paramref name="nameOrPath"/>; <c>PROFILE_NOT_FOUND</c> / <c>PROFILE_INVALID</c> otherwise.</summary>
    public MappingProfile Resolve(string nameOrPath)
    {
        var profile = _store.Load(nameOrPath);
        if (BankTabularParser.ProfileProblems(profile) is { Count: > 0 } problems)
            throw DomainException.BadInput("PROFILE_INVALID", $"Mapping profile {profile.Name} cannot read bank statements: {string.Join("; ", problems)}.");
        return profile;
    }

    /// <summary>The readable profiles of the folder, by name (unreadable files are left out).</summary>
    public IReadOnlyList<MappingProfile> List() => _store.List();
}
