namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// A transaction key whose comparison may have changed for a business date since that date was last reconciled:
/// written in the same transaction as the change (a payment's transaction or status, a settlement line added or
/// superseded; see <see cref="ReconChangeTracking"/>), one row per change and date (not unique: writers never
/// conflict). A run of the date claims and deletes the date's rows; an incremental run compares only those keys.
/// </summary>
public sealed class ReconDirtyKey
{
    private ReconDirtyKey()
    {
        TransactionKey = Pg = "";
    }

    public long Id { get; private set; }
    public DateOnly BusinessDate { get; private set; }

    /// <summary>The PG connection whose run of the date must compare the key again (the runs are per PG).</summary>
    public string Pg { get; private set; }

    public string TransactionKey { get; private set; }

    public static ReconDirtyKey For(DateOnly businessDate, string pg, string transactionKey) =>
        new() { BusinessDate = businessDate, Pg = pg, TransactionKey = transactionKey };
}

/// <summary>
/// A key a run claimed from <see cref="ReconDirtyKey"/> (an incremental run compares exactly these), or whose findings a
/// full run that carries wrote because its run items differ from its base's. Kept with the run, so that the keys a failed
/// run claimed are compared again by the next run of the date; a run carrying findings forward sees the findings of every
/// other key as its base saw them (<see cref="RunSightings"/>).
/// </summary>
public sealed class ReconRunKey
{
    private ReconRunKey()
    {
        TransactionKey = "";
    }

    public long RunId { get; private set; }
    public string TransactionKey { get; private set; }
}
