using OpsConsole.Core.Data;

namespace OpsConsole.Core.Common.Tabular;

/// <summary>
/// Mapping profiles of every tabular feed (bank exports, PG settlement files): JSON files in
/// <c>{DataDirectory}/profiles/</c>, found by file name (without <c>.json</c>) or by their <c>"name"</c>, or a profile
/// given by path; then the profiles shipped with OpsConsole (<paramref name="shipped"/>, by name).
/// </summary>
public sealed class MappingProfileStore(DatabaseOptions database, IReadOnlyList<MappingProfile>? shipped = null)
{
    public string Directory => Path.Combine(database.DataDirectory, "profiles");

    /// <summary>The profile named <paramref name="nameOrPath"/>; <c>PROFILE_NOT_FOUND</c> / <c>PROFILE_INVALID</c> otherwise.</summary>
    public MappingProfile Load(string nameOrPath)
    {
        if (File.Exists(nameOrPath) && (nameOrPath.Contains('/') || nameOrPath.Contains('\\') || nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            return MappingProfile.Load(nameOrPath);
        if (Path.GetFileName(nameOrPath) == nameOrPath && Path.Combine(Directory, nameOrPath + ".json") is var file && File.Exists(file))
            return MappingProfile.Load(file);
        return List().FirstOrDefault(p => string.Equals(p.Name, nameOrPath, StringComparison.Ordinal))
            ?? throw DomainException.NotFound("PROFILE_NOT_FOUND",
                $"No mapping profile '{nameOrPath}': give a path to a profile JSON or put {nameOrPath}.json into {Directory}.");
    }

    /// <summary>The readable profiles of the folder, by name (unreadable files are left out), then the shipped ones not overridden.</summary>
    public IReadOnlyList<MappingProfile> List()
    {
        var profiles = new List<MappingProfile>();
        if (System.IO.Directory.Exists(Directory))
        {
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
        }
        profiles.AddRange((shipped ?? []).Where(s => profiles.All(p => p.Name != s.Name)));
        return profiles;
    }
}
