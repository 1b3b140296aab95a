using System.Runtime.CompilerServices;

namespace OpsConsole.Tests.Warehouse;

/// <summary>
/// Golden files under OpsConsole.Tests/Warehouse/Golden. A difference fails the test and writes the actual text
/// beside the file (<c>.actual</c>) to diff; set OPSCONSOLE_UPDATE_GOLDEN=1 to accept changes deliberately.
/// </summary>
public static class Golden
{
    public static void AssertMatches(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(callerPath)!, "Golden", name);
        actual = actual.ReplaceLineEndings("\n");
        if (Environment.GetEnvironmentVariable("OPSCONSOLE_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"Golden file {path} is missing; run with OPSCONSOLE_UPDATE_GOLDEN=1 to create it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            File.WriteAllText(path + ".actual", actual);
            Assert.Fail($"{name} differs from its golden file; the actual text is in {path}.actual " +
                        $"(diff them; accept with OPSCONSOLE_UPDATE_GOLDEN=1).\nFirst difference at character {FirstDifference(expected, actual)}.");
        }
    }

    private static int FirstDifference(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
            if (a[i] != b[i]) return i;
        return n;
    }
}
