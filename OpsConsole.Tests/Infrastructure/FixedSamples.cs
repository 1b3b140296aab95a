namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// The samples a property test checks: a fixed list derived from the test's own salt, so CI checks the same cases on
/// every run (a failure names its seed to replay). <c>OPSCONSOLE_PROPERTY_SOAK=N</c> adds N random samples for a
/// local soak; CI never sets it.
/// </summary>
public static class FixedSamples
{
    public static async Task ForEachAsync(int count, int salt, Func<int, Task> check, Action<string> log)
    {
        foreach (var seed in Seeds(count, salt))
        {
            try
            {
                await check(seed);
            }
            catch
            {
                log($"failing sample: seed {seed}");
                throw;
            }
        }
    }

    /// <summary>As <see cref="ForEachAsync(int,int,Func{int,Task},Action{string})"/>, with a size in [min, max] per sample.</summary>
    public static Task ForEachAsync(int count, int salt, int min, int max, Func<int, int, Task> check, Action<string> log) =>
        ForEachAsync(count, salt, seed => check(min + (int)((uint)seed % (uint)(max - min + 1)), seed), log);

    private static IEnumerable<int> Seeds(int count, int salt)
    {
        var fixedSeeds = new Random(salt);
        for (var i = 0; i < count; i++) yield return fixedSeeds.Next(0, int.MaxValue);
        var soak = int.TryParse(Environment.GetEnvironmentVariable("OPSCONSOLE_PROPERTY_SOAK"), out var n) ? n : 0;
        for (var i = 0; i < soak; i++) yield return Random.Shared.Next(0, int.MaxValue);
    }
}
