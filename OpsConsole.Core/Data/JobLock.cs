using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace OpsConsole.Core.Data;

/// <summary>
/// "Only one replica runs this job now." On PostgreSQL a session-level advisory lock taken on a connection of its
/// own (no pooling): it is held while the job runs and released when the job ends — or, if the process dies
/// (kill -9, a lost container), when PostgreSQL ends the dead session, so a crash never leaves the job stuck.
/// On SQLite (one embedded process) an in-process lock. A replica that does not get the lock skips that tick.
/// </summary>
public sealed class JobLock(OpsDbContextFactory factory)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _local = new(StringComparer.Ordinal);

    /// <summary>The lock of <paramref name="job"/>, or null when another replica (or run) holds it.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(string job, CancellationToken cancellationToken = default)
    {
        var local = _local.GetOrAdd(job, _ => new SemaphoreSlim(1, 1));
        if (!await local.WaitAsync(0, cancellationToken)) return null;
        if (factory.Provider != DatabaseProvider.Postgres)
            return new Lease(null, 0, local);

        var csb = new NpgsqlConnectionStringBuilder(factory.ConnectionString) { Pooling = false, KeepAlive = 10 };
        var connection = new NpgsqlConnection(csb.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            var key = KeyOf(job);
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            cmd.Parameters.AddWithValue("key", key);
            if (await cmd.ExecuteScalarAsync(cancellationToken) is true)
                return new Lease(connection, key, local);
        }
        catch
        {
            await connection.DisposeAsync();
            local.Release();
            throw;
        }
        await connection.DisposeAsync();
        local.Release();
        return null;
    }

    /// <summary>A stable 64-bit advisory-lock key per job name (the same in every replica and version).</summary>
    public static long KeyOf(string job) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("opsconsole.job." + job)), 0);

    private sealed class Lease(NpgsqlConnection? connection, long key, SemaphoreSlim local) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (connection is not null)
                {
                    try
                    {
                        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                        cmd.Parameters.AddWithValue("key", key);
                        await cmd.ExecuteScalarAsync(CancellationToken.None);
                    }
                    catch (NpgsqlException)
                    {
                        // The session is gone, and its lock with it.
                    }
                    await connection.DisposeAsync(); // no pooling: closing ends the session in any case
                }
            }
            finally
            {
                local.Release();
            }
        }
    }
}
