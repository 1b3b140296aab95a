using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Core.Reconciliation;

/// <summary>
/// The optional end of pass 2 (<c>Reconciliation:LiveCheck</c>): asks the PG live about each payment whose key
/// still differs and records the answer on the pass-2 rows, from where it reaches the findings. Read-only
/// look-ups (no idempotency key needed), bounded in count and concurrency; a PG that does not answer is
/// recorded as UNANSWERED and never fails or changes the run's verdicts.
/// </summary>
public sealed class ReconLiveCheck(
    Func<IPaymentGateway> gateway,
    IDbContextFactory<OpsDbContext> dbFactory,
    IOptions<ReconciliationOptions> options,
    TimeProvider clock,
    ILogger<ReconLiveCheck>? logger = null)
{
    public const string NotFound = "NOT_FOUND";
    public const string Unanswered = "UNANSWERED";

    private readonly ILogger _log = logger ?? NullLogger<ReconLiveCheck>.Instance;

    /// <summary>Returns how many payments were asked.</summary>
    public async Task<int> RunAsync(long runId, CancellationToken cancellationToken)
    {
        var o = options.Value;
        List<string> keys;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            keys = await db.Set<ReconRunItem>()
                .Where(i => i.RunId == runId && i.Pass == 2 && i.FindingType != null && i.PaymentKey != "")
                .GroupBy(i => i.PaymentKey)
                .Select(g => new { Key = g.Key, Risk = g.Max(i => i.MoneyAtRisk) })
                .OrderByDescending(k => k.Risk).ThenBy(k => k.Key)
                .Take(Math.Max(0, o.LiveCheckMaxPayments))
                .Select(k => k.Key)
                .ToListAsync(cancellationToken);
        if (keys.Count == 0) return 0;

        var pg = gateway();
        var answers = new (string Status, long? Balance, DateTimeOffset At)[keys.Count];
        await Parallel.ForAsync(0, keys.Count, new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Max(1, o.LiveCheckConcurrency),
            CancellationToken = cancellationToken,
        }, async (n, ct) =>
        {
            var (status, balance) = await AskAsync(pg, keys[n], ct);
            answers[n] = (status, balance, clock.GetUtcNow());
        });

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            for (var n = 0; n < keys.Count; n++)
            {
                var (key, (status, balance, at)) = (keys[n], answers[n]);
                await db.Set<ReconRunItem>().Where(i => i.RunId == runId && i.Pass == 2 && i.PaymentKey == key)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(i => i.PgLiveStatus, status)
                        .SetProperty(i => i.PgLiveBalance, balance)
                        .SetProperty(i => i.PgLiveCheckedAt, at), cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
        }
        _log.LogInformation("Run {RunId}: asked the PG live about {Count} payment(s), {Unanswered} unanswered",
            runId, keys.Count, answers.Count(a => a.Status == Unanswered));
        return keys.Count;
    }

    private async Task<(string Status, long? Balance)> AskAsync(IPaymentGateway pg, string paymentKey, CancellationToken ct)
    {
        try
        {
            var r = await pg.GetPaymentAsync(paymentKey, ct);
            return r.Outcome switch
            {
                PgOutcome.Success when r.Value is { } p => (p.Status, p.BalanceAmount),
                PgOutcome.Rejected when r.Code == TossErrorCodes.NotFoundPayment => (NotFound, null),
                PgOutcome.Rejected => ($"REJECTED {r.Code}", null),
                _ => (Unanswered, null),
            };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _log.LogWarning(e, "Live check of {PaymentKey} failed", paymentKey);
            return (Unanswered, null);
        }
    }
}
