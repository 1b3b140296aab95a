using System.Globalization;
using OpsConsole.Core.Common;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Cli.ConsoleBench;

/// <summary>
/// The deterministic data set of <c>bench console</c>: every value of payment <c>i</c> (1-based) and finding
/// <c>j</c> is a pure function of the index, so the loader streams rows without holding them and the
/// benchmark picks random existing keys without reading them back.
/// <list type="bullet">
/// <item>Payments spread evenly (in id order) over <see cref="Days"/> KST business dates ending at
/// <see cref="LastDate"/>: 84% DONE, 8% CANCELED, 3% PARTIAL_CANCELED, 3% ABORTED (one of five PG error
/// codes), 2% EXPIRED; five methods.</item>
/// <item>Transactions: one approval per approved payment, one cancel per (partially) canceled one.</item>
/// <item>Events, as <see cref="PaymentService"/> writes them: a confirm PG call (with redacted request and
/// response summaries) and a state change per payment; canceled payments add a cancel request, a cancel PG
/// call and a state change; expired ones a janitor attempt — about 2.3 events per payment.</item>
/// <item>Cancel attempts for canceled payments; one outbox message per approval (kept after sending).</item>
/// <item>Findings (at most one per payment, on its approval's transaction key): all types, 90% CONFIRMED,
/// statuses 40/20/25/15% OPEN/ACKNOWLEDGED/RESOLVED/AUTO_RESOLVED, half unassigned, the rest over
/// <see cref="Assignees"/>.</item>
/// </list>
/// </summary>
public sealed class ConsoleBenchData
{
    public static readonly string[] ErrorCodes =
        ["REJECT_CARD_COMPANY", "INVALID_STOPPED_CARD", "EXCEED_MAX_AMOUNT", "INVALID_CARD_LOST_OR_STOLEN", "NOT_AVAILABLE_BANK"];

    public static readonly string[] Assignees =
        [.. Enumerable.Range(1, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"ops{i:D2}"))];

    /// <summary>The cancel reason every canceled payment carries: a "common" text-search needle.</summary>
    public const string CancelReason = "customer changed mind";

    public ConsoleBenchData(int payments, int findings, DateOnly lastDate, int days = 30)
    {
        if (payments < 1) throw new ArgumentOutOfRangeException(nameof(payments));
        if (findings < 0 || findings > payments)
            throw new ArgumentOutOfRangeException(nameof(findings), "At most one finding per payment.");
        Payments = payments;
        Findings = findings;
        LastDate = lastDate;
        Days = days;
        _start = BusinessCalendar.StartOfDayUtc(lastDate.AddDays(1 - days));
        _span = TimeSpan.FromDays(days);
    }

    private readonly DateTimeOffset _start;
    private readonly TimeSpan _span;

    public int Payments { get; }
    public int Findings { get; }
    public DateOnly LastDate { get; }
    public int Days { get; }

    // ---- payments ----------------------------------------------------------------------------------

    public static ulong Hash(long i, ulong salt)
    {
        var z = (ulong)i * 0x9E3779B97F4A7C15UL + salt;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public static string PaymentKey(long i) => string.Create(CultureInfo.InvariantCulture, $"tgen_{i:D10}{Hash(i, 1) & 0xFFFFFF:x6}");
    public static string OrderId(long i) => string.Create(CultureInfo.InvariantCulture, $"ORD-{i:D10}");
    public static string TraceId(long i) => string.Create(CultureInfo.InvariantCulture, $"{Hash(i, 2):x16}{Hash(i, 3):x16}");
    public static string ApprovalKey(long i) => string.Create(CultureInfo.InvariantCulture, $"txa_{i:D10}{Hash(i, 4) & 0xFFFF:x4}");
    public static string CancelKey(long i) => string.Create(CultureInfo.InvariantCulture, $"txc_{i:D10}{Hash(i, 4) & 0xFFFF:x4}");
    public static string IdempotencyKey(long i) => string.Create(CultureInfo.InvariantCulture, $"cancel-{Hash(i, 5):x16}");

    public static PaymentStatus Status(long i) => (Hash(i, 6) % 100) switch
    {
        < 84 => PaymentStatus.DONE,
        < 92 => PaymentStatus.CANCELED,
        < 95 => PaymentStatus.PARTIAL_CANCELED,
        < 98 => PaymentStatus.ABORTED,
        _ => PaymentStatus.EXPIRED,
    };

    public static PaymentMethod Method(long i) => (PaymentMethod)(Hash(i, 7) % 5);
    public static long Amount(long i) => 1_000 + (long)(Hash(i, 8) % 5_000) * 100;
    public static string ErrorCode(long i) => ErrorCodes[Hash(i, 9) % (ulong)ErrorCodes.Length];

    public static long Balance(long i) => Status(i) switch
    {
        PaymentStatus.DONE => Amount(i),
        PaymentStatus.PARTIAL_CANCELED => Amount(i) / 2,
        _ => 0,
    };

    public static bool IsApproved(long i) => Status(i) is PaymentStatus.DONE or PaymentStatus.CANCELED or PaymentStatus.PARTIAL_CANCELED;
    public static bool IsCanceled(long i) => Status(i) is PaymentStatus.CANCELED or PaymentStatus.PARTIAL_CANCELED;

    public DateTimeOffset RequestedAt(long i) =>
        _start + TimeSpan.FromTicks((long)((double)(i - 1) / Payments * _span.Ticks));

    public DateOnly BusinessDate(long i) => BusinessCalendar.BusinessDateOf(RequestedAt(i));

    public IEnumerable<long> PaymentIds() => Enumerable.Range(1, Payments).Select(i => (long)i);

    public IEnumerable<BenchTransaction> Transactions()
    {
        long id = 0;
        foreach (var i in PaymentIds())
        {
            if (!IsApproved(i)) continue;
            var at = RequestedAt(i).AddSeconds(2);
            yield return new BenchTransaction(++id, i, ApprovalKey(i), TransactionKind.APPROVAL, Amount(i), at);
            if (IsCanceled(i))
                yield return new BenchTransaction(++id, i, CancelKey(i), TransactionKind.CANCEL, Amount(i) - Balance(i), at.AddHours(3));
        }
    }

    public IEnumerable<BenchEvent> Events()
    {
        long id = 0;
        foreach (var i in PaymentIds())
        {
            var at = RequestedAt(i);
            var key = PaymentKey(i);
            var order = OrderId(i);
            var amount = Amount(i);
            var request = $"{{\"paymentKey\":\"{key}\",\"orderId\":\"{order}\",\"amount\":{amount}}}";
            switch (Status(i))
            {
                case PaymentStatus.ABORTED:
                    var code = ErrorCode(i);
                    yield return BenchEvent.PgCall(++id, i, at.AddSeconds(1), "/v1/payments/confirm", 403, code,
                        $"confirm: Rejected — POST /v1/payments/confirm → 403 {code}: card company declined", request,
                        $"{{\"code\":\"{code}\",\"message\":\"card company declined\"}}");
                    yield return BenchEvent.State(++id, i, at.AddSeconds(2), "IN_PROGRESS", "ABORTED", $"confirm rejected by the PG: {code}");
                    continue;
                case PaymentStatus.EXPIRED:
                    yield return BenchEvent.PgCall(++id, i, at.AddSeconds(1), "/v1/payments/confirm", null, null,
                        "confirm: Unknown — POST /v1/payments/confirm → timeout after 10000 ms", request, "");
                    yield return BenchEvent.Note(++id, i, at.AddMinutes(30), PaymentEventTypes.JanitorAttempt,
                        "janitor: the PG has no payment for this order; expiring it");
                    yield return BenchEvent.State(++id, i, at.AddMinutes(30), "UNKNOWN", "EXPIRED", "expired by the janitor");
                    continue;
            }
            var method = Method(i);
            yield return BenchEvent.PgCall(++id, i, at.AddSeconds(1), "/v1/payments/confirm", 200, null,
                "confirm: Success — POST /v1/payments/confirm → 200", request,
                $"{{\"paymentKey\":\"{key}\",\"status\":\"DONE\",\"totalAmount\":{amount},\"method\":\"{method}\",\"lastTransactionKey\":\"{ApprovalKey(i)}\"}}");
            yield return BenchEvent.State(++id, i, at.AddSeconds(2), "IN_PROGRESS", "DONE", $"approved {amount} KRW ({method})");
            if (!IsCanceled(i)) continue;
            var cancel = amount - Balance(i);
            var cancelAt = at.AddHours(3);
            yield return BenchEvent.Note(++id, i, cancelAt, PaymentEventTypes.CancelRequested,
                $"cancel of {cancel} KRW requested by ops01: {CancelReason} (key {IdempotencyKey(i)})");
            yield return BenchEvent.PgCall(++id, i, cancelAt.AddSeconds(1), $"/v1/payments/{key}/cancel", 200, null,
                $"cancel: Success — POST /v1/payments/{key}/cancel → 200",
                $"{{\"cancelReason\":\"{CancelReason}\",\"cancelAmount\":{cancel}}}",
                $"{{\"paymentKey\":\"{key}\",\"status\":\"{Status(i)}\",\"balanceAmount\":{Balance(i)},\"transactionKey\":\"{CancelKey(i)}\"}}");
            yield return BenchEvent.State(++id, i, cancelAt.AddSeconds(2), "DONE", Status(i).ToString(), $"canceled {cancel} KRW");
        }
    }

    // ---- findings ----------------------------------------------------------------------------------

    /// <summary>The payment finding <paramref name="j"/> (1-based) is about: spread evenly over the payments.</summary>
    public long FindingPayment(long j) => 1 + (j - 1) * Payments / Math.Max(1, Findings);

    public static FindingType FindingTypeOf(long j) => (FindingType)(Hash(j, 20) % 7);

    public static FindingStatus FindingStatusOf(long j) => (Hash(j, 21) % 100) switch
    {
        < 40 => FindingStatus.OPEN,
        < 60 => FindingStatus.ACKNOWLEDGED,
        < 85 => FindingStatus.RESOLVED,
        _ => FindingStatus.AUTO_RESOLVED,
    };

    public static FindingVerdict FindingVerdictOf(long j) => Hash(j, 22) % 10 == 0 ? FindingVerdict.TRANSIENT : FindingVerdict.CONFIRMED;

    public static string? FindingAssignee(long j) =>
        Hash(j, 23) % 2 == 0 ? null : Assignees[Hash(j, 24) % (ulong)Assignees.Length];

    public static long FindingMoney(long j) => (long)(Hash(j, 25) % 1_000) * (long)(1 + Hash(j, 26) % 500);
}

public sealed record BenchTransaction(long Id, long PaymentId, string TransactionKey, TransactionKind Kind, long Amount, DateTimeOffset At);

public sealed record BenchEvent(long Id, long PaymentId, DateTimeOffset At, string Type, string Message, string? From,
    string? To, string? HttpMethod, string? Path, int? StatusCode, string? PgCode, string? Request, string? Response)
{
    public static BenchEvent PgCall(long id, long payment, DateTimeOffset at, string path, int? status,
        string? code, string message, string request, string response) =>
        new(id, payment, at, PaymentEventTypes.PgCall, message, null, null, "POST", path, status, code, request, response);

    public static BenchEvent State(long id, long payment, DateTimeOffset at, string from, string to, string message) =>
        new(id, payment, at, PaymentEventTypes.StateChanged, message, from, to, null, null, null, null, null, null);

    public static BenchEvent Note(long id, long payment, DateTimeOffset at, string type, string message) =>
        new(id, payment, at, type, message, null, null, null, null, null, null, null, null);
}
