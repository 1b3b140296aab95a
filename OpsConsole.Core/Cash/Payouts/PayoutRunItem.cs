using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>What a row of a payout run describes.</summary>
public enum PayoutItemKind
{
    /// <summary>One PG merchant id's payout of one paidOutDate (<c>PAYOUT:{mId}:{date}</c>).</summary>
    EXPECTED,
    /// <summary>A recognised deposit no expected payout explains (<c>DEPOSIT:{id}</c>).</summary>
    DEPOSIT,
    /// <summary>The lines of one merchant id and paidOutDate whose date breaks the contract (<c>CONTRACT:{mId}:{date}</c>).</summary>
    CONTRACT,
}

/// <summary>How an expected payout was found in the bank.</summary>
public enum PayoutMatch
{
    /// <summary>One deposit of the exact amount on the due date.</summary>
    EXACT,
    /// <summary>Part of several consecutive payouts paid as one deposit (N:1).</summary>
    COMBINED,
    /// <summary>A deposit within the date window (late and/or a different amount).</summary>
    WINDOW,
    /// <summary>Not received, and its deadline has not passed: a receivable.</summary>
    PENDING,
    /// <summary>Not received by its deadline.</summary>
    NONE,
    /// <summary>The day's net was negative or absorbed an earlier negative day: nothing to pay (offset).</summary>
    OFFSET,
}

/// <summary>
/// One row of a payout run's pass (1 or 2): every expected payout of the range (also those that matched), every
/// unexplained deposit and every off-contract payout date — the run's view of the cash, and the evidence of its
/// findings (<see cref="FindingType"/> set when the row is a finding; joined to <c>recon_findings</c> by key and type).
/// </summary>
public sealed class PayoutRunItem
{
    private PayoutRunItem()
    {
        ItemKey = PgMid = AccountName = "";
    }

    public long Id { get; private set; }
    public long RunId { get; private set; }
    public int Pass { get; private set; }
    public string ItemKey { get; private set; }
    public PayoutItemKind Kind { get; private set; }
    public FindingType? FindingType { get; private set; }
    public PayoutMatch? MatchKind { get; private set; }
    public string PgMid { get; private set; }
    public string AccountName { get; private set; }

    /// <summary>The finding's date: the expected payout's paidOutDate, or the deposit's booking date.</summary>
    public DateOnly BusinessDate { get; private set; }

    /// <summary>The PG's paidOutDate (EXPECTED, CONTRACT).</summary>
    public DateOnly? ExpectedDate { get; private set; }

    /// <summary>First business day on or after the paidOutDate: when the money should be in the bank.</summary>
    public DateOnly? DueDate { get; private set; }

    /// <summary>Due date + Cash:DateWindowBusinessDays: after it, a payout not received is missing.</summary>
    public DateOnly? DeadlineDate { get; private set; }

    /// <summary>What the PG owes for the day after offsets (0 for an OFFSET day).</summary>
    public long? ExpectedAmount { get; private set; }

    /// <summary>The day's net payOutAmount (cancels negative) before offsets.</summary>
    public long? NetAmount { get; private set; }

    /// <summary>Settlement lines behind it (EXPECTED: all of the day; CONTRACT: those off contract).</summary>
    public long LineCount { get; private set; }

    public long? DepositId { get; private set; }
    public DateOnly? DepositDate { get; private set; }

    /// <summary>The deposit's whole amount (for a COMBINED match it pays several expected payouts).</summary>
    public long? ReceivedAmount { get; private set; }

    public long MoneyAtRisk { get; private set; }

    /// <summary>A row the payout SQL produced elsewhere (the BigQuery engine's match job), in its column order.</summary>
    internal static PayoutRunItem Create(long runId, int pass, string itemKey, PayoutItemKind kind, FindingType? findingType,
        PayoutMatch? matchKind, string pgMid, string accountName, DateOnly businessDate, DateOnly? expectedDate, DateOnly? dueDate,
        DateOnly? deadlineDate, long? expectedAmount, long? netAmount, long lineCount, long? depositId, DateOnly? depositDate,
        long? receivedAmount, long moneyAtRisk) => new()
    {
        RunId = runId, Pass = pass, ItemKey = itemKey, Kind = kind, FindingType = findingType, MatchKind = matchKind, PgMid = pgMid,
        AccountName = accountName, BusinessDate = businessDate, ExpectedDate = expectedDate, DueDate = dueDate,
        DeadlineDate = deadlineDate, ExpectedAmount = expectedAmount, NetAmount = netAmount, LineCount = lineCount,
        DepositId = depositId, DepositDate = depositDate, ReceivedAmount = receivedAmount, MoneyAtRisk = moneyAtRisk,
    };
}

/// <summary>
/// Pass 1's aggregate of the settlement lines by merchant id, paidOutDate, soldDate and method (the one scan of the
/// lines); pass 2 re-reads only the (merchant id, paidOutDate) pairs pass 1 flagged.
/// </summary>
public sealed class PayoutRunGroup
{
    private PayoutRunGroup()
    {
        PgMid = Method = "";
    }

    public long Id { get; private set; }
    public long RunId { get; private set; }
    public string PgMid { get; private set; }
    public DateOnly PaidOutDate { get; private set; }
    public DateOnly SoldDate { get; private set; }
    public string Method { get; private set; }
    public long NetAmount { get; private set; }
    public long LineCount { get; private set; }

    internal static PayoutRunGroup Create(long runId, string pgMid, DateOnly paidOutDate, DateOnly soldDate, string method,
        long netAmount, long lineCount) => new()
    {
        RunId = runId, PgMid = pgMid, PaidOutDate = paidOutDate, SoldDate = soldDate, Method = method, NetAmount = netAmount,
        LineCount = lineCount,
    };
}

/// <summary>
/// The business-day calendar as a table, so the payout SQL can count business days on every engine: every calendar
/// day of <see cref="KoreanBusinessCalendar"/>'s years with the number of business days up to it. Rewritten by each
/// payout run from the calendar (with <c>Cash:ExtraClosures</c>).
/// </summary>
public sealed class CashCalendarDay
{
    public DateOnly Date { get; private set; }
    public bool IsBusinessDay { get; private set; }

    /// <summary>How many business days of the table are on or before the date.</summary>
    public int BusinessOrdinal { get; private set; }

    /// <summary>The ordinal of the first business day on or after the date (D+0).</summary>
    public int DueOrdinal { get; private set; }

    internal static IEnumerable<CashCalendarDay> From(KoreanBusinessCalendar calendar)
    {
        var ordinal = 0;
        for (var d = calendar.FirstCovered; d <= calendar.LastCovered; d = d.AddDays(1))
        {
            var business = calendar.IsBusinessDay(d);
            if (business) ordinal++;
            yield return new CashCalendarDay
            {
                Date = d, IsBusinessDay = business, BusinessOrdinal = ordinal, DueOrdinal = business ? ordinal : ordinal + 1,
            };
        }
    }
}
