using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OpsConsole.Core.Reconciliation.ControlTotals;

/// <summary>
/// Runs <see cref="ControlTotalsVerifier"/> in the background, one verification at a time in the order asked: the
/// reconciliation queues one after each successful full run (<see cref="Enqueue"/> returns at once; the run's result
/// never waits for it). A date and PG already waiting is not queued twice. <see cref="WhenIdleAsync"/> completes when
/// nothing is queued or running (tests, the benchmark and the CLI wait on it); stopping the host cancels the one running
/// (its transaction rolls back: nothing half-written).
/// </summary>
public sealed class ControlTotalsVerificationQueue(ControlTotalsVerifier verifier,
    ILogger<ControlTotalsVerificationQueue>? logger = null) : IHostedService, IDisposable
{
    private readonly ILogger _log = logger ?? NullLogger<ControlTotalsVerificationQueue>.Instance;
    private readonly Lock _gate = new();
    private readonly HashSet<(DateOnly Date, string Pg)> _waiting = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _tail = Task.CompletedTask;

    /// <summary>The last verification this queue ran (null before the first, or when it failed).</summary>
    public ControlTotalsVerification? Last { get; private set; }

    public void Enqueue(DateOnly date, string pg)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested || !_waiting.Add((date, pg))) return;
            var previous = _tail;
            _tail = Task.Run(() => RunAfterAsync(previous, date, pg));
        }
    }

    /// <summary>Completes when every queued verification has finished (including those queued meanwhile).</summary>
    public async Task WhenIdleAsync()
    {
        while (true)
        {
            Task tail;
            lock (_gate) tail = _tail;
            await tail;
            lock (_gate)
                if (ReferenceEquals(tail, _tail)) return;
        }
    }

    private async Task RunAfterAsync(Task previous, DateOnly date, string pg)
    {
        await previous; // never faults: each step catches its own failure
        lock (_gate) _waiting.Remove((date, pg));
        try
        {
            Last = await verifier.VerifyAsync(date, pg, VerificationTrigger.AFTER_FULL_RUN, _stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Last = null;
            _log.LogError(e, "The control totals verification of {BusinessDate} and PG {Pg} failed; the next full run queues another", date, pg);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await WhenIdleAsync().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Cancels the running verification, as BackgroundService does, and frees nothing else: a host may call
    /// <see cref="StopAsync"/> after disposing its services (a minimal-API app under a test factory is stopped and disposed
    /// from two sides, dotnet/aspnetcore#40271), which must then find a cancelled source rather than a disposed one. A
    /// CancellationTokenSource without a timer holds nothing to free.
    /// </summary>
    public void Dispose() => _stopping.Cancel();
}
