using System.Globalization;
using Npgsql;

namespace OpsConsole.Core.Data;

/// <summary>
/// What a benchmark ran on, printed beside its figures: the machine's load and, on PostgreSQL, the server's settings
/// (<c>SHOW …</c>). Figures are only comparable with production when the server is durable: fsync, synchronous_commit
/// and full_page_writes on (<c>scripts/postgres.sh start DIR --durable</c>).
/// </summary>
public static class BenchEnvironment
{
    /// <summary>The settings printed, in this order; the first three decide <see cref="ServerSettings.Durable"/>.</summary>
    public static readonly string[] Shown =
    [
        "fsync", "synchronous_commit", "full_page_writes", "shared_buffers", "huge_pages", "work_mem",
        "maintenance_work_mem", "max_wal_size", "wal_level", "effective_io_concurrency", "random_page_cost", "server_version",
    ];

    /// <summary>The server's settings of <see cref="Shown"/>.</summary>
    public sealed record ServerSettings(IReadOnlyList<(string Name, string Value)> Values)
    {
        public bool Durable => Values.Where(v => v.Name is "fsync" or "synchronous_commit" or "full_page_writes")
            .All(v => !string.Equals(v.Value, "off", StringComparison.OrdinalIgnoreCase));

        /// <summary>One line: <c>durable (fsync=on, …)</c> or <c>NOT DURABLE (fsync=off, …)</c>.</summary>
        public string Describe() => (Durable ? "durable" : "NOT DURABLE (figures not comparable with production)") +
                                    " · " + string.Join(", ", Values.Select(v => $"{v.Name}={v.Value}"));
    }

    public static async Task<ServerSettings> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var values = new List<(string, string)>();
        foreach (var name in Shown)
        {
            await using var cmd = new NpgsqlCommand($"SHOW {name}", conn);
            values.Add((name, Convert.ToString(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? ""));
        }
        return new ServerSettings(values);
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    /// <summary>The machine line every benchmark prints: cores and load average (busy above the core count).</summary>
    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, load average {LoadAverage()}";
}
