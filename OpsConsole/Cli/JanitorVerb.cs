using OpsConsole.Core.Payments;

namespace OpsConsole.Cli;

public sealed class JanitorVerb : ICliVerb
{
    public string Name => "janitor";
    public string Summary => "Resolve payments, cancels and repairs whose PG outcome is unknown, once, by asking the PG; finish stalled repair batches.";
    public string Usage => "";
    public bool NeedsServer => true;

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var report = await context.Services.GetRequiredService<PaymentJanitor>().RunOnceAsync(cancellationToken);
        var repairs = await context.Services.GetRequiredService<Core.Repairs.RepairService>().SweepAsync(cancellationToken);
        var batches = await context.Services.GetRequiredService<Core.Repairs.RepairBatchService>().SweepAsync(cancellationToken);
        context.Out.WriteLine($"Janitor: {report}; repairs settled or resumed {repairs}; repair batches expired, finished or updated {batches}.");
        return 0;
    }
}
