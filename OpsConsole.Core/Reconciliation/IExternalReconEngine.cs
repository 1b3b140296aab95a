namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// An engine that runs the passes where the ledgers live instead of in the console's database (BigQuery for
/// warehouse-size days). It writes the rows each pass brings back into <c>recon_run_items</c> of the run, so
/// that the lock, the settle delay, the CONFIRMED/TRANSIENT persistence, totals and alerts of
/// <see cref="ReconciliationService"/> are the same for every engine.
/// </summary>
public interface IExternalReconEngine
{
    /// <summary>The name a run chooses it by (<c>reconcile --engine NAME</c>).</summary>
    string Name { get; }

    /// <summary>Pass 1 for the business date; writes its differing keys as pass-1 items and returns how many.</summary>
    Task<int> RunPass1Async(ReconPassContext context, CancellationToken cancellationToken);

    /// <summary>Pass 2: rechecks the run's pass-1 keys on fresh data and writes them as pass-2 items.</summary>
    Task RunPass2Async(ReconPassContext context, CancellationToken cancellationToken);
}

/// <param name="ConsoleDialect">The dialect of the console's database, where the items are written.</param>
/// <param name="Pg">The run's PG connection (<see cref="ReconRun.Pg"/>): the passes compare only its rows.</param>
public sealed record ReconPassContext(long RunId, DateOnly BusinessDate, ReconciliationDefinition Definition,
    IReconSqlDialect ConsoleDialect, string Pg);
