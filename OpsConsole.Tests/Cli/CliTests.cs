using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Cli;
using OpsConsole.Core.Payments;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Cli;

public sealed class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliRunner.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_ListsTheVerbs()
    {
        var (code, output, _) = await RunAsync("--help");
        Assert.Equal(0, code);
        foreach (var verb in new[] { "migrate", "seed", "janitor" })
            Assert.Contains(verb, output);
    }

    [Fact]
    public async Task UnknownVerb_ExitsWith2_AndSaysSo()
    {
        var (code, _, err) = await RunAsync("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("Unknown verb 'frobnicate'", err);
    }

    [Fact]
    public async Task BadOption_ExitsWith2_WithTheUsage()
    {
        var (code, _, err) = await RunAsync("seed", "--days", "seven", $"--DataDirectory={Path.GetTempPath()}/opsconsole-cli-{Guid.NewGuid():N}");
        Assert.Equal(2, code);
        Assert.Contains("--days must be a whole number", err);
    }

    [Fact]
    public async Task MissingSetting_ExitsWith2_InOneLineThatNamesIt()
    {
        var (code, _, err) = await RunAsync("reconcile", "--date", "2026-03-15", "--Database:Provider=Postgres");

        Assert.Equal(2, code);
        Assert.Equal("reconcile: configuration: Database:Provider is Postgres but ConnectionStrings:OpsConsole is not set. " +
                     "(see docs/configuration.md)", err.Trim());
    }

    [Fact]
    public async Task UnreachableDatabase_ExitsWith1_WithTheDriversMessageAndNoStackTrace()
    {
        // Port 1 on the loopback: nothing listens, the connection is refused at once.
        var (code, _, err) = await RunAsync("reconcile", "--date", "2026-03-15", "--Database:Provider=Postgres",
            "--ConnectionStrings:OpsConsole=Host=127.0.0.1;Port=1;Username=postgres;Timeout=5");

        Assert.Equal(1, code);
        Assert.StartsWith("reconcile: the database failed: ", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Migrate_CreatesThePostgresSchema()
    {
        await using var db = new PostgresTestDatabaseWithoutMigrations();
        await db.InitializeAsync();
        var (code, output, err) = await RunAsync("migrate", "--Database:Provider=Postgres", $"--ConnectionStrings:OpsConsole={db.ConnectionString}");
        Assert.True(code == 0, err);
        Assert.Contains("up to date (Postgres)", output);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Empty(await ctx.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await ctx.Payments.CountAsync());
    }

    [Fact]
    public async Task Seed_DrivesPaymentsThroughTheSandbox_AndWritesTheGroundTruth()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"opsconsole-seed-{Guid.NewGuid():N}");
        var truthPath = Path.Combine(dir, "truth.json");
        Directory.CreateDirectory(dir);
        try
        {
            var (code, output, err) = await RunAsync("seed", "--days", "2", "--per-day", "60", "--seed", "5", "--last-day", "2026-11-20",
                "--truth", truthPath, $"--DataDirectory={dir}", "--Sandbox:Enabled=true");
            Assert.True(code == 0, err);
            Assert.Contains("Seeded 120 payments", output);

            var truth = JsonDocument.Parse(await File.ReadAllTextAsync(truthPath)).RootElement;
            Assert.Equal("2026-11-19", truth.GetProperty("firstDay").GetString());
            Assert.Equal(120, truth.GetProperty("payments").GetInt32());

            var factory = new Core.Data.OpsDbContextFactory(Core.Data.DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dir, "opsconsole.db")}");
            await using var ctx = factory.CreateDbContext();
            var payments = await ctx.Payments.ToListAsync();
            Assert.Equal(120 - truth.GetProperty("faults").EnumerateArray().Count(f => f.GetProperty("fault").GetString() == "PG_ONLY"), payments.Count);
            // Every payment lies in the seeded KST business days, and the janitor left nothing unresolved.
            Assert.All(payments, p => Assert.InRange(Core.Common.BusinessCalendar.BusinessDateOf(p.RequestedAt),
                new DateOnly(2026, 11, 19), new DateOnly(2026, 11, 20)));
            Assert.DoesNotContain(payments, p => p.Status is PaymentStatus.UNKNOWN or PaymentStatus.IN_PROGRESS);
            foreach (var f in truth.GetProperty("faults").EnumerateArray().Where(f => f.GetProperty("fault").GetString() == "DECLINE_AFTER_CHARGE"))
                Assert.Equal(PaymentStatus.ABORTED, payments.Single(p => p.PaymentKey == f.GetProperty("paymentKey").GetString()).Status);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>An empty PostgreSQL database: the migrate verb is what creates the schema.</summary>
    private sealed class PostgresTestDatabaseWithoutMigrations : IAsyncDisposable
    {
        private readonly string _name = $"t_{Guid.NewGuid():N}";
        public string ConnectionString { get; private set; } = "";
        public Core.Data.OpsDbContextFactory Factory => new(Core.Data.DatabaseProvider.Postgres, ConnectionString);

        public async Task InitializeAsync()
        {
            await using var conn = new Npgsql.NpgsqlConnection(TestDatabase.PostgresServer);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_name}", conn);
            await cmd.ExecuteNonQueryAsync();
            ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer) { Database = _name }.ConnectionString;
        }

        public async ValueTask DisposeAsync()
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var conn = new Npgsql.NpgsqlConnection(TestDatabase.PostgresServer);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }
}
