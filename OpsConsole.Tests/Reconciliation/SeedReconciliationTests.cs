using System.Text.Json;
using OpsConsole.Cli;

namespace OpsConsole.Tests.Reconciliation;

/// <summary>
/// End to end: the seed verb drives payments with injected faults through the sandbox PG and writes the
/// ground truth; `reconcile --pull` of each seeded day must find exactly those faults (precision and
/// recall 100%), matched by payment key and finding type.
/// </summary>
public sealed class SeedReconciliationTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(string dir, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CliRunner.RunAsync([.. args, $"--DataDirectory={dir}", "--Sandbox:Enabled=true",
                "--Reconciliation:SettleDelay=00:00:00"], stdout, stderr,
            b => b.Environment.ApplicationName = typeof(CliRunner).Assembly.GetName().Name!);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Reconcile_OfASeededDataset_FindsExactlyTheInjectedFaults()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"opsconsole-seedrecon-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var truthPath = Path.Combine(dir, "truth.json");
        try
        {
            var seed = await RunAsync(dir, "seed", "--days", "3", "--per-day", "80", "--seed", "11",
                "--last-day", "2026-11-20", "--truth", truthPath);
            Assert.True(seed.Code == 0, seed.Err);
            var truth = JsonDocument.Parse(await File.ReadAllTextAsync(truthPath)).RootElement;
            var expected = truth.GetProperty("faults").EnumerateArray()
                .Where(f => f.GetProperty("expectedFinding").ValueKind == JsonValueKind.String)
                .Select(f => (f.GetProperty("paymentKey").GetString()!, f.GetProperty("expectedFinding").GetString()!))
                .ToHashSet();
            Assert.NotEmpty(expected);

            var found = new HashSet<(string, string)>();
            for (var day = new DateOnly(2026, 11, 18); day <= new DateOnly(2026, 11, 20); day = day.AddDays(1))
            {
                var run = await RunAsync(dir, "reconcile", "--date", day.ToString("yyyy-MM-dd"), "--pull", "--json");
                Assert.True(run.Code == 0, run.Err);
                using var report = JsonDocument.Parse(run.Out);
                // One document per PG run when the directory has several PG connections (the demo's two), else one run's.
                var runs = report.RootElement.TryGetProperty("runs", out var each)
                    ? each.EnumerateArray().ToList() : [report.RootElement];
                foreach (var f in runs.SelectMany(r => r.GetProperty("findings").EnumerateArray()))
                    found.Add((f.GetProperty("paymentKey").GetString()!, f.GetProperty("type").GetString()!));
            }

            var missed = expected.Except(found).ToList();
            var spurious = found.Except(expected).ToList();
            Assert.True(missed.Count == 0 && spurious.Count == 0,
                $"missed (recall): {string.Join(", ", missed)}\nspurious (precision): {string.Join(", ", spurious)}");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
