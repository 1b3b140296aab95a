using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;

namespace OpsConsole.Core.Reconciliation;

/// <summary>What a pull stored.</summary>
/// <param name="ReplacedLineCount">Earlier lines of the range, of any source, that the pulled lines superseded.</param>
/// <param name="Warnings">What was stored but needs a person's eye, e.g. lines of a method OpsConsole does not know.</param>
public sealed record SettlementPullResult(long ImportId, DateOnly From, DateOnly To, int Pages, int LineCount,
    int ReplacedLineCount, IReadOnlyList<string>? Warnings = null)
{
    public IReadOnlyList<string> Warnings { get; init; } = Warnings ?? [];
}

/// <summary>
/// Pulls settlement lines from the PG (<c>GET /v1/settlements</c>, paged) for a soldDate range. All pages are
/// fetched and validated first; then, in one transaction, the pulled lines supersede the stored lines of the
/// range, whichever channel brought them (CSV or API; see <see cref="SettlementLineWriter.SupersedeAsync"/>).
/// A failed page or a bad line changes nothing. Pulling a range again is therefore idempotent.
/// The lines are the API connection's (<see cref="PgConnections.Api"/>): they carry its name, supersede only its lines,
/// and a line of a merchant id it does not serve rejects the pull.
/// </summary>
public sealed class SettlementPuller(Func<IPaymentGateway> gateway, IDbContextFactory<OpsDbContext> dbFactory,
    IOptions<ReconciliationOptions> options, TimeProvider clock, ILogger<SettlementPuller>? logger = null,
    PgConnections? connections = null)
{
    public const int MaxDays = 93;

    /// <summary>Toss answers at most this many lines per page (<c>size</c> ≤ 5,000).</summary>
    public const int MaxPageSize = 5_000;
    private readonly ILogger _log = logger ?? NullLogger<SettlementPuller>.Instance;

    public async Task<SettlementPullResult> PullAsync(DateOnly from, DateOnly to, string requestedBy,
        CancellationToken cancellationToken = default)
    {
        if (to < from)
            throw DomainException.BadInput("PULL_RANGE_INVALID", $"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}.");
        if (to.DayNumber - from.DayNumber >= MaxDays)
            throw DomainException.BadInput("PULL_RANGE_TOO_LONG", $"Pull at most {MaxDays} days at a time.");

        var connection = (connections ?? PgConnections.Single).Api
                         ?? throw DomainException.BadInput("PG_NO_API", "No toss PG connection is configured: every PG delivers files (import-settlements).");
        var size = options.Value.PullPageSize;
        if (size is < 1 or > MaxPageSize)
            throw new ConfigurationError(
                $"Reconciliation:PullPageSize must be 1 to {MaxPageSize:N0} (the PG's largest page); got {size}.");
        var pg = gateway();
        var pulled = new List<TossSettlement>();
        var page = 1;
        for (; ; page++)
        {
            var result = await pg.GetSettlementsAsync(from, to, page, size, cancellationToken);
            if (!result.IsSuccess || result.Value is null)
                throw new DomainException("PG_PULL_FAILED",
                    $"Settlement pull {from:yyyy-MM-dd}..{to:yyyy-MM-dd} failed at page {page}: {result.Describe()}. Nothing was changed.",
                    502);
            pulled.AddRange(result.Value);
            if (result.Value.Count < size) break;
            if (page >= 100_000) throw new DomainException("PG_PULL_FAILED", "The PG kept returning full pages.", 502);
        }

        var errors = new List<SettlementRowError>();
        var lines = new List<ParsedSettlementLine>(pulled.Count);
        for (var n = 0; n < pulled.Count; n++)
        {
            var s = pulled[n];
            var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["paymentKey"] = s.PaymentKey, ["transactionKey"] = s.TransactionKey, ["orderId"] = s.OrderId,
                ["method"] = s.Method ?? "", ["amount"] = Num(s.Amount), ["fee"] = Num(s.Fee),
                ["supplyAmount"] = Num(s.SupplyAmount), ["vat"] = Num(s.Vat), ["payOutAmount"] = Num(s.PayOutAmount),
                ["approvedAt"] = s.ApprovedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
                ["soldDate"] = s.SoldDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["paidOutDate"] = s.PaidOutDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["currency"] = s.Currency, ["mId"] = s.MId,
            };
            if (!connection.Serves(s.MId))
                errors.Add(new SettlementRowError(n + 1, "mId",
                    $"merchant id '{s.MId}' is not one of PG '{connection.Name}' ({string.Join(", ", connection.MerchantIds)})"));
            else if (SettlementLineParser.Parse(n + 1, name => fields.GetValueOrDefault(name), errors, unknownMethodIsOther: true,
                    currencyAccepted: true) is { } line)
                lines.Add(line with { ApprovedAt = s.ApprovedAt.ToUniversalTime(), Details = DetailsOf(s) });
        }
        if (errors.Count > 0)
            throw DomainException.BadInput("PG_SETTLEMENT_INVALID",
                $"The PG returned {errors.Count} invalid settlement field(s); nothing was changed. First: " +
                string.Join("; ", errors.Take(5)));

        var warnings = lines.Where(l => l.Method == Payments.PaymentMethod.OTHER)
            .GroupBy(l => l.MethodText ?? "", StringComparer.Ordinal)
            .Select(g => $"{g.Count()} line(s) have the unknown method '{g.Key}' (first: transactionKey {g.First().TransactionKey}); " +
                         "stored as OTHER with the PG's text, without an expected fee")
            .ToList();
        foreach (var w in warnings)
            _log.LogWarning("Settlement pull {From}..{To}: {Warning}", from, to, w);

        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', pulled.Select(p => p.ToString())))));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var (importId, replaced) = await ReplaceAsync(connection.Name, from, to, sha, lines, requestedBy, cancellationToken);
                _log.LogInformation("Pulled {Lines} settlement lines for {From}..{To} in {Pages} page(s), replacing {Replaced}",
                    lines.Count, from, to, page, replaced);
                return new SettlementPullResult(importId, from, to, page, lines.Count, replaced, warnings);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e) && attempt < 3)
            {
                // Another writer stored a line with one of these keys at the same moment: mark them again.
            }
        }
    }

    /// <summary>In one transaction: the PG's earlier lines of the range (of any source) go, the pulled ones come in.</summary>
    private async Task<(long ImportId, int Replaced)> ReplaceAsync(string pg, DateOnly from, DateOnly to, string sha,
        List<ParsedSettlementLine> lines, string requestedBy, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var import = SettlementImport.ForPull(from, to, sha, lines.Count, requestedBy, clock.GetUtcNow(), pg);
        db.Set<SettlementImport>().Add(import);
        var range = Enumerable.Range(from.DayNumber, to.DayNumber - from.DayNumber + 1).Select(DateOnly.FromDayNumber).ToList();
        var replaced = await SettlementLineWriter.SupersedeAsync(db, pg, range,
            lines.Select(l => l.ToEntity(import)).ToList(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (import.Id, replaced);
    }

    private static SettlementLineDetails DetailsOf(TossSettlement s)
    {
        long? Fee(string type) => s.Fees?.FirstOrDefault(f => f.Type == type)?.Fee;
        return new SettlementLineDetails(s.InterestFee, Fee(TossFeeTypes.Base), Fee(TossFeeTypes.InstallmentDiscount),
            Fee(TossFeeTypes.Installment), Fee(TossFeeTypes.PointSaving), Fee(TossFeeTypes.Etc),
            s.Card?.IssuerCode, s.Card?.AcquirerCode, s.Card?.InstallmentPlanMonths, s.Card?.IsInterestFree,
            s.Card?.InterestPayer, s.Card?.AcquireStatus, s.EasyPay?.Provider,
            s.Cancel?.TransactionKey, s.Cancel?.CancelAmount, s.Cancel?.CanceledAt);
    }

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);
}
