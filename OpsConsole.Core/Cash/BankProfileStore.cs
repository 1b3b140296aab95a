using OpsConsole.Core.Common;
using OpsConsole.Core.Common.Tabular;
using OpsConsole.Core.Data;

namespace OpsConsole.Core.Cash;

/// <summary>
/// Mapping profiles of bank exports: JSON files in <c>{DataDirectory}/profiles/</c>, found by file name (without
/// <c>.json</c>) or by their <c>"name"</c>; or a profile given by path.
/// </summary>
public sealed class BankProfileStore(DatabaseOptions database)
{
    public string Directory => Path.Combine(database.DataDirectory, "profiles");

    /// <summary>The profile named <paramref name="nameOrPath"/>; <c>PROFILE_NOT_FOUND</c> / <c>PROFILE_INVALID</c> otherwise.</summary>
    public MappingProfile Resolve(string nameOrPath)
    {
        MappingProfile profile;
        if (File.Exists(nameOrPath) && (nameOrPath.Contains('/') || nameOrPath.Contains('\\') || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            profile = MappingProfile.Load(nameOrPath);
        else if (Path.GetFileName(nameOrPath) == nameOrPath && Path.Combine(Directory, nameOrPath + ".json") is var file && File.Exists(file))
            profile = MappingProfile.Load(file);
        else
            profile = List().FirstOrDefault(p => string.Equals(p.Name, nameOrPath, StringComparison.Ordinal))
                ?? throw DomainException.NotFound("PROFILE_NOT_FOUND",
                    $"No mapping profile '{nameOrPath}': give a path to a profile JSON or put {nameOrPath}.json into {Directory}.");
        if (BankTabularParser.ProfileProblems(profile) is { Count: > 0 } problems)
            throw DomainException.BadInput("PROFILE_INVALID", $"Mapping profile {profile.Name} cannot read bank statements: {string.Join("; ", problems)}.");
        return profile;
    }

    /// <summary>The readable profiles of the folder, by name (unreadable files are left out).</summary>
    public IReadOnlyList<MappingProfile> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var profiles = new List<MappingProfile>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                profiles.Add(MappingProfile.Load(file));
            }
            catch (DomainException)
            {
                // an invalid profile is reported when it is used by name
            }
        }
        return profiles;
    }
}
