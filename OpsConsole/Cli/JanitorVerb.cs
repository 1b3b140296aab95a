using OpsConsole.Core.Payments;

namespace OpsConsole.Cli;

public sealed class JanitorVerb : ICliVerb
{
    public string Name => "janitor";
    public string Summary => "Resolve payments and cancels whose PG outcome is unknown, once, by asking the PG.";
    public string Usage => "";
    public bool NeedsServer => true;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var report = await context.Services.GetRequiredService<PaymentJanitor>().RunOnceAsync(cancellationToken);
        context.Out.WriteLine($"Janitor: {report}.");
        return 0;
    }
}
