using System.Runtime.CompilerServices;

namespace OpsConsole.Tests.Infrastructure;

internal static class TestAssemblySetup
{
    /// <summary>
    /// bUnit's WaitFor* default of 1 s is too tight on a 2-core CI machine running the suite in parallel;
    /// waits still end as soon as their condition holds.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        Bunit.BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(30);
        // The in-process console hosts (Kestrel, the Blazor circuits the browser tests drive) share the thread pool
        // with tests that block on SQLite, which has no real async I/O. On 2 cores the pool starts with 2 workers and
        // adds more slowly, so a circuit could wait seconds for a thread while the suite runs in parallel.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
}
