namespace OpsConsole.Hosting;

public static class JobsSetup
{
    /// <summary>Background jobs (janitor, outbox dispatcher, scheduler); off for CLI verbs (<c>Jobs:Enabled=false</c>).</summary>
    public static WebApplicationBuilder AddHostedJobs(this WebApplicationBuilder builder) => builder;
}
