namespace OpsConsole.Sandbox;

/// <summary>The Toss-compatible sandbox PG under <c>/sandbox/pg</c> (setting <c>Sandbox:Enabled</c>).</summary>
public static class SandboxSetup
{
    public static WebApplicationBuilder AddSandboxPg(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapSandboxPg(this WebApplication app) => app;
}
