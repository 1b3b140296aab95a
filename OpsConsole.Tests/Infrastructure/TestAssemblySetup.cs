using System.Runtime.CompilerServices;

namespace OpsConsole.Tests.Infrastructure;

internal static class TestAssemblySetup
{
    /// <summary>
    /// bUnit's WaitFor* default of 1 s is too tight on a 2-core CI machine running the suite in parallel;
    /// waits still end as soon as their condition holds.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => Bunit.BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(30);
}
