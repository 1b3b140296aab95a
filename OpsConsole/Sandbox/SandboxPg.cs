using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;

namespace OpsConsole.Sandbox;

/// <summary>
/// The sandbox PG's behaviour: Toss v1 semantics (confirm, look-up, full and partial cancels with
/// balanceAmount, settlement lines per transaction, idempotency keys) plus injected faults. Writes are
/// serialised: it is a stand-in for one external system, not a scalable service.
/// </summary>
public sealed class SandboxPg(IDbContextFactory<SandboxDbContext> dbFactory, TimeProvider clock, IOptions<SandboxOptions> options)
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public sealed record Answer(int StatusCode, object Body, bool LoseAnswer = false);

    public static Answer Error(int status, string code, string message) => new(status, new TossError(code, message));

    /// <param name="amount">In the currency's units as on Toss's wire (KRW won, USD 726.24).</param>
    /// <param name="currency">ISO 4217; KRW when absent (the sandbox's checkout, not OpsConsole's ledger).</param>
    /// <param name="mId">The persona: absent or <c>Sandbox:MerchantId</c> for the Toss-like one (settled through
    /// <c>GET /v1/settlements</c>), <see cref="SandboxFilePg.MerchantId"/> for the file persona (settled in its file).</param>
    public async Task<Answer> CheckoutAsync(string? orderId, decimal amount, string? method, string? fault,
        int installmentPlanMonths = 0, bool interestFree = false, string? currency = null, string? mId = null)
    {
        currency ??= "KRW";
        if (mId is not null && mId != options.Value.MerchantId && mId != SandboxFilePg.MerchantId)
            return Error(400, TossErrorCodes.InvalidRequest,
                $"mId '{mId}' is not a sandbox merchant ({options.Value.MerchantId} or {SandboxFilePg.MerchantId}).");
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
            return Error(400, TossErrorCodes.InvalidRequest, "currency must be an ISO 4217 code such as KRW or USD.");
        if (!MinorUnits.TryToMinor(amount, currency, out var minor))
            return Error(400, TossErrorCodes.InvalidRequest, $"amount {MinorUnits.Describe(amount, currency)}.");
        if (orderId is null || !System.Text.RegularExpressions.Regex.IsMatch(orderId, "^[A-Za-z0-9_-]{6,64}$"))
            return Error(400, TossErrorCodes.InvalidRequest, "orderId must be 6 to 64 characters of letters, digits, '-' or '_'.");
        if (amount <= 0)
            return Error(400, TossErrorCodes.InvalidRequest, "amount must be positive.");
        var m = PaymentMethod.CARD;
        if (method is not null && !TossMethods.TryParse(method, out m))
            return Error(400, TossErrorCodes.InvalidRequest, $"Unknown method '{method}'.");
        if (installmentPlanMonths is < 0 or > 24 || (installmentPlanMonths > 1 && m != PaymentMethod.CARD))
            return Error(400, TossErrorCodes.InvalidRequest, "installmentPlanMonths is 0 to 24, and only for card payments.");
        if (interestFree && installmentPlanMonths < 2)
            return Error(400, TossErrorCodes.InvalidRequest, "interestFree needs an installment plan of 2 or more months.");
        if (SandboxFaults.Parse(fault).FirstOrDefault(f => !SandboxFaults.All.Contains(f)) is { } unknownFault)
            return Error(400, TossErrorCodes.InvalidRequest, $"Unknown fault '{unknownFault}'. Known: {string.Join(", ", SandboxFaults.All)}.");
        if (fault is null && options.Value.FaultRate > 0 && Random.Shared.NextDouble() < options.Value.FaultRate)
            fault = SandboxFaults.All[Random.Shared.Next(SandboxFaults.All.Count)];

        await _writeLock.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            if (await db.Payments.AnyAsync(p => p.OrderId == orderId))
                return Error(400, "DUPLICATED_ORDER_ID", $"Order {orderId} already has a payment.");
            var payment = new SandboxPayment
            {
                PaymentKey = NewKey("pay"),
                OrderId = orderId,
                Amount = minor,
                Currency = currency,
                Method = m.ToString(),
                Status = "READY",
                Fault = fault,
                RequestedAt = SandboxClock.Now(clock),
                InstallmentPlanMonths = installmentPlanMonths,
                InterestFree = interestFree,
                MerchantId = mId == SandboxFilePg.MerchantId ? mId : null,
            };
            db.Payments.Add(payment);
            await db.SaveChangesAsync();
            return new Answer(201, new { paymentKey = payment.PaymentKey, orderId, amount, currency, method = m.ToString(), status = "READY", fault });
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<Answer> ConfirmAsync(TossConfirmRequest? request, string? testCode)
    {
        if (request is null || string.IsNullOrEmpty(request.PaymentKey) || string.IsNullOrEmpty(request.OrderId))
            return Error(400, TossErrorCodes.InvalidRequest, "paymentKey, orderId and amount are required.");
        await _writeLock.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var p = await db.Payments.FindAsync(request.PaymentKey);
            if (p is null)
                return Error(404, TossErrorCodes.NotFoundPayment, "존재하지 않는 결제 정보 입니다.");
            if (p.OrderId != request.OrderId || MinorUnits.ToMajor(p.Amount, p.Currency) != request.Amount)
                return Error(400, TossErrorCodes.InvalidRequest, "orderId or amount does not match the authorised payment.");
            var faults = SandboxFaults.Parse(testCode ?? p.Fault);
            if (p.Status is not "READY")
                return faults.Contains(SandboxFaults.ApproveThenTimeout) || faults.Contains(SandboxFaults.CanceledOutside)
                    ? new Answer(200, TossWire.WritePayment(await ToTossAsync(db, p)), LoseAnswer: true)
                    : Error(400, TossErrorCodes.AlreadyProcessedPayment, "이미 처리된 결제 입니다.");

            if (faults.Contains(SandboxFaults.Timeout))
                return new Answer(0, new { }, LoseAnswer: true);
            if (faults.Contains(SandboxFaults.Expire))
            {
                p.Status = "EXPIRED";
                await db.SaveChangesAsync();
                return new Answer(0, new { }, LoseAnswer: true);
            }
            if (faults.Contains(SandboxFaults.ServerError))
                return Error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.");
            if (faults.Contains(SandboxFaults.Decline))
            {
                p.Status = "ABORTED";
                await db.SaveChangesAsync();
                // Toss answers a card decline with 403 Forbidden.
                return Error(403, TossErrorCodes.RejectCardPayment, "한도초과 혹은 잔액부족으로 결제에 실패했습니다.");
            }

            var now = SandboxClock.Now(clock);
            var txKey = NewKey("tx");
            p.Status = "DONE";
            p.ApprovedAt = now;
            p.BalanceAmount = p.Amount;
            p.LastTransactionKey = txKey;
            db.Transactions.Add(new SandboxTransaction { TransactionKey = txKey, PaymentKey = p.PaymentKey, Kind = "APPROVAL", Amount = p.Amount, At = now });
            AddSettlementLines(db, p, txKey, p.Amount, now, SandboxFaults.Parse(p.Fault));
            await db.SaveChangesAsync();

            if (faults.Contains(SandboxFaults.DeclineAfterCharge))
                return Error(403, TossErrorCodes.RejectCardPayment, "한도초과 혹은 잔액부족으로 결제에 실패했습니다.");
            if (faults.Contains(SandboxFaults.CanceledOutside))
            {
                // Someone cancels a third in the PG's dashboard a little later; our confirm never hears of either.
                var cancelKey = NewKey("tx");
                var cancelAmount = Math.Max(1, p.Amount / 3);
                var cancelAt = now.AddSeconds(5);
                p.BalanceAmount -= cancelAmount;
                p.Status = "PARTIAL_CANCELED";
                p.LastTransactionKey = cancelKey;
                db.Transactions.Add(new SandboxTransaction
                {
                    TransactionKey = cancelKey, PaymentKey = p.PaymentKey, Kind = "CANCEL", Amount = cancelAmount,
                    Reason = "고객 요청 (가맹점 관리자 취소)", At = cancelAt,
                });
                AddSettlementLines(db, p, cancelKey, -cancelAmount, cancelAt, new HashSet<string>(), canceled: true);
                await db.SaveChangesAsync();
                return new Answer(200, TossWire.WritePayment(await ToTossAsync(db, p)), LoseAnswer: true);
            }
            return new Answer(200, TossWire.WritePayment(await ToTossAsync(db, p)), LoseAnswer: faults.Contains(SandboxFaults.ApproveThenTimeout));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<Answer> CancelAsync(string paymentKey, TossCancelRequest? request, string? testCode)
    {
        if (request is null || string.IsNullOrWhiteSpace(request.CancelReason))
            return Error(400, TossErrorCodes.InvalidRequest, "cancelReason is required.");
        if (request.CancelAmount is <= 0)
            return Error(400, TossErrorCodes.InvalidRequest, "cancelAmount must be positive.");
        await _writeLock.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var p = await db.Payments.FindAsync(paymentKey);
            if (p is null)
                return Error(404, TossErrorCodes.NotFoundPayment, "존재하지 않는 결제 정보 입니다.");
            var faults = SandboxFaults.Parse(testCode ?? p.Fault);
            var outage = testCode is not null || p.ApprovedAt is not { } approvedAt || clock.GetUtcNow() - approvedAt < SandboxFaults.CancelOutage;
            if (outage && faults.Contains(SandboxFaults.CancelTimeout))
                return new Answer(0, new { }, LoseAnswer: true);
            if (outage && faults.Contains(SandboxFaults.CancelServerError))
                return Error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.");
            if (faults.Contains(SandboxFaults.CancelDecline))
                return Error(403, "NOT_CANCELABLE_PAYMENT", "취소 할 수 없는 결제 입니다.");
            if (p.Status == "CANCELED")
                return Error(400, TossErrorCodes.AlreadyCanceledPayment, "이미 취소된 결제 입니다.");
            if (p.Status is not ("DONE" or "PARTIAL_CANCELED"))
                return Error(403, "NOT_CANCELABLE_PAYMENT", $"취소 할 수 없는 결제 입니다. (status {p.Status})");
            long amount = p.BalanceAmount;
            if (request.CancelAmount is { } asked && !MinorUnits.TryToMinor(asked, p.Currency, out amount))
                return Error(400, TossErrorCodes.InvalidRequest, $"cancelAmount {MinorUnits.Describe(asked, p.Currency)}.");
            if (amount > p.BalanceAmount)
                return Error(403, TossErrorCodes.NotCancelableAmount, "취소 할 수 없는 금액 입니다.");

            var now = SandboxClock.Now(clock);
            var txKey = NewKey("tx");
            p.BalanceAmount -= amount;
            p.Status = p.BalanceAmount == 0 ? "CANCELED" : "PARTIAL_CANCELED";
            p.LastTransactionKey = txKey;
            db.Transactions.Add(new SandboxTransaction
            {
                TransactionKey = txKey, PaymentKey = p.PaymentKey, Kind = "CANCEL", Amount = amount, Reason = request.CancelReason, At = now,
            });
            AddSettlementLines(db, p, txKey, -amount, now, new HashSet<string>(), canceled: true);
            await db.SaveChangesAsync();
            return new Answer(200, TossWire.WritePayment(await ToTossAsync(db, p)), LoseAnswer: faults.Contains(SandboxFaults.CancelThenTimeout));
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<Answer> GetAsync(string? paymentKey, string? orderId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var p = paymentKey is not null
            ? await db.Payments.AsNoTracking().FirstOrDefaultAsync(x => x.PaymentKey == paymentKey)
            : await db.Payments.AsNoTracking().FirstOrDefaultAsync(x => x.OrderId == orderId);
        if (p is null) return Error(404, TossErrorCodes.NotFoundPayment, "존재하지 않는 결제 정보 입니다.");
        return SandboxFaults.Parse(p.Fault).Contains(SandboxFaults.LookupServerError)
            ? Error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.")
            : new Answer(200, TossWire.WritePayment(await ToTossAsync(db, p)));
    }

    /// <summary>
    /// <c>GET /v1/settlements</c> as Toss answers it: <c>startDate</c>/<c>endDate</c> as dates or date-times (the
    /// KST date counts), <c>dateType</c> soldDate (default) or paidOutDate, <c>size</c> at most 5,000 (400 above),
    /// a bare array of Settlement objects with <c>mId</c>, Korean <c>method</c>, <c>fees[]</c>, <c>card</c>,
    /// <c>easyPay</c> and <c>cancel</c>; answered after <see cref="SandboxOptions.SettlementDelay"/>.
    /// </summary>
    public async Task<Answer> SettlementsAsync(string? startDate, string? endDate, int page, int size,
        string? dateType = null, CancellationToken cancellationToken = default)
    {
        if (ParseDate(startDate) is not { } start || ParseDate(endDate) is not { } end)
            return Error(400, TossErrorCodes.InvalidRequest, "startDate and endDate are required as yyyy-MM-dd or an ISO-8601 date-time.");
        if (end < start)
            return Error(400, TossErrorCodes.InvalidRequest, "endDate is before startDate.");
        if (page < 1 || size is < 1 or > MaxSettlementPageSize)
            return Error(400, TossErrorCodes.InvalidRequest, $"page starts at 1; size is 1 to {MaxSettlementPageSize}.");
        var byPaidOut = dateType switch
        {
            null or "" or "soldDate" => false,
            "paidOutDate" => true,
            _ => (bool?)null,
        };
        if (byPaidOut is null)
            return Error(400, TossErrorCodes.InvalidRequest, "dateType is soldDate or paidOutDate.");
        if (options.Value.SettlementDelay > TimeSpan.Zero)
            await Task.Delay(options.Value.SettlementDelay, TimeProvider.System, cancellationToken); // latency, not business time
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The Toss-like persona's lines only: the file persona's are in its settlement file (SandboxFilePg).
        var query = db.SettlementLines.AsNoTracking().Where(l => l.MerchantId == null);
        query = byPaidOut.Value
            ? query.Where(l => l.PaidOutDate >= start && l.PaidOutDate <= end)
            : query.Where(l => l.SoldDate >= start && l.SoldDate <= end);
        var lines = await query.OrderBy(l => l.Id).Skip((page - 1) * size).Take(size).ToListAsync(cancellationToken);
        var mId = options.Value.MerchantId;
        return new Answer(200, TossWire.WriteSettlements(lines.Select(l => ToToss(l, mId))));
    }

    public const int MaxSettlementPageSize = 5_000;

    private static DateOnly? ParseDate(string? text)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        if (text.Length > 10 && text[10] == 'T')
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) &&
                (text.EndsWith('Z') || text[^6] is '+' or '-'))
                return BusinessCalendar.BusinessDateOf(at);
            if (DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm"], CultureInfo.InvariantCulture,
                    DateTimeStyles.None, out var local))
                return DateOnly.FromDateTime(local); // no offset: a KST wall-clock time, as Toss reads it
        }
        return null;
    }

    private static TossSettlement ToToss(SandboxSettlementLine l, string mId)
    {
        var method = Enum.Parse<PaymentMethod>(l.Method);
        var installment = l.FeeInstallment ?? 0;
        List<TossSettlementFee> fees = [new(TossFeeTypes.Base, l.Fee - installment)];
        if (l.FeeInstallment is { } i) fees.Add(new(TossFeeTypes.Installment, i));
        return new TossSettlement(l.PaymentKey, l.TransactionKey, l.OrderId, TossMethods.ToToss(method), l.Amount, l.Fee,
            l.SupplyAmount, l.Vat, l.PayOutAmount, BusinessCalendar.ToKst(l.ApprovedAt), l.SoldDate, l.PaidOutDate,
            l.Currency, mId, InterestFee: 0, Fees: fees,
            Card: method == PaymentMethod.CARD
                ? new TossSettlementCard("11", "11", l.InstallmentPlanMonths ?? 0, l.InterestFree ?? false,
                    l.InterestFree == true ? "CARD_COMPANY" : null, "READY")
                : null,
            EasyPay: method == PaymentMethod.EASY_PAY ? new TossEasyPay("토스페이") : null,
            Cancel: l.CanceledAt is { } c ? new TossSettlementCancel(l.TransactionKey, -l.Amount, BusinessCalendar.ToKst(c)) : null);
    }

    /// <summary>Whether the payment has any of the faults of <paramref name="faults"/> (a comma-separated spec).</summary>
    public async Task<bool> HasFaultAsync(string? paymentKey, string faults)
    {
        if (paymentKey is null) return false;
        await using var db = await dbFactory.CreateDbContextAsync();
        var spec = await db.Payments.Where(p => p.PaymentKey == paymentKey).Select(p => p.Fault).FirstOrDefaultAsync();
        return SandboxFaults.Parse(spec).Overlaps(SandboxFaults.Parse(faults));
    }

    // ---- idempotency ----------------------------------------------------------------------------------

    /// <summary>Claims the key: null when this request should run, else the answer to give instead.</summary>
    public async Task<Answer?> ClaimIdempotencyAsync(string scope)
    {
        await _writeLock.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var record = await db.IdempotencyRecords.FindAsync(scope);
            if (record is null)
            {
                db.IdempotencyRecords.Add(new SandboxIdempotencyRecord { Scope = scope, CreatedAt = SandboxClock.Now(clock) });
                await db.SaveChangesAsync();
                return null;
            }
            if (!record.Completed)
                return Error(409, TossErrorCodes.IdempotentRequestProcessing, "이전 멱등 요청이 아직 처리중입니다.");
            return new Answer(record.StatusCode, JsonDocument.Parse(record.Body ?? "{}").RootElement);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Stores the first answer for replays, or forgets the claim when nothing happened.</summary>
    public async Task CompleteIdempotencyAsync(string scope, Answer? answer)
    {
        await _writeLock.WaitAsync();
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var record = await db.IdempotencyRecords.FindAsync(scope);
            if (record is null) return;
            if (answer is null || answer.StatusCode is 0 or >= 500)
                db.IdempotencyRecords.Remove(record);
            else
            {
                record.Completed = true;
                record.StatusCode = answer.StatusCode;
                record.Body = JsonSerializer.Serialize(answer.Body, TossPaymentsClient.Json);
            }
            await db.SaveChangesAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public static string IdempotencyScope(string secretKey, string method, string path, string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{secretKey}\n{method}\n{path}\n{key}")));

    // ---- helpers --------------------------------------------------------------------------------------

    private void AddSettlementLines(SandboxDbContext db, SandboxPayment p, string txKey, long signedAmount,
        DateTimeOffset at, IReadOnlySet<string> faults, bool canceled = false)
    {
        if (faults.Contains(SandboxFaults.SettlementMissing)) return;
        var rate = (p.MerchantId == SandboxFilePg.MerchantId ? options.Value.FilePgFeeRates : options.Value.FeeRates)
            .GetValueOrDefault(p.Method, 0.025m);
        var amount = faults.Contains(SandboxFaults.SettlementAmountOff) ? signedAmount + SandboxFaults.AmountOffBy : signedAmount;
        var fee = (long)Math.Round(amount * rate, MidpointRounding.AwayFromZero);
        var isCard = p.Method == nameof(PaymentMethod.CARD);
        long? installmentFee = isCard && p.InstallmentPlanMonths > 1 && !p.InterestFree
            ? (long)Math.Round(amount * options.Value.InstallmentFeeRate, MidpointRounding.AwayFromZero)
            : null;
        fee += installmentFee ?? 0;
        if (faults.Contains(SandboxFaults.SettlementFeeOff)) fee += SandboxFaults.FeeOffBy;
        var vat = (long)Math.Round(fee / 11m, MidpointRounding.AwayFromZero);
        var sold = BusinessCalendar.BusinessDateOf(at);
        if (faults.Contains(SandboxFaults.SettlementDateOff)) sold = sold.AddDays(1);
        var copies = faults.Contains(SandboxFaults.SettlementDuplicate) ? 2 : 1;
        for (var i = 0; i < copies; i++)
            db.SettlementLines.Add(new SandboxSettlementLine
            {
                PaymentKey = p.PaymentKey, TransactionKey = txKey, OrderId = p.OrderId, Method = p.Method, Currency = p.Currency,
                Amount = amount, Fee = fee, Vat = vat, SupplyAmount = fee - vat, PayOutAmount = amount - fee,
                // A cancel line carries the original approval's time (Toss), and the cancel's own in CanceledAt.
                ApprovedAt = canceled ? p.ApprovedAt ?? at : at, CanceledAt = canceled ? at : null,
                SoldDate = sold, PaidOutDate = sold.AddDays(options.Value.PayoutDelayDays),
                FeeInstallment = installmentFee,
                InstallmentPlanMonths = isCard ? p.InstallmentPlanMonths : null,
                InterestFree = isCard ? p.InterestFree : null,
                MerchantId = p.MerchantId,
            });
    }

    private Task<TossPayment> ToTossAsync(SandboxDbContext db, SandboxPayment p) => ToTossAsync(db, p, p.MerchantId ?? options.Value.MerchantId);

    private static async Task<TossPayment> ToTossAsync(SandboxDbContext db, SandboxPayment p, string mId)
    {
        var cancels = await db.Transactions.AsNoTracking()
            .Where(t => t.PaymentKey == p.PaymentKey && t.Kind == "CANCEL").ToListAsync();
        // Toss leaves the method null on a payment that expired before one was chosen.
        return new TossPayment(p.PaymentKey, p.OrderId, p.Status, p.Amount, p.BalanceAmount,
            p.Status == "EXPIRED" ? null : TossMethods.ToToss(Enum.Parse<PaymentMethod>(p.Method)), BusinessCalendar.ToKst(p.RequestedAt),
            p.ApprovedAt is { } a ? BusinessCalendar.ToKst(a) : null, p.LastTransactionKey,
            cancels.OrderBy(c => c.At).Select(c => new TossCancel(c.TransactionKey, c.Amount, c.Reason ?? "", BusinessCalendar.ToKst(c.At))).ToList(),
            Currency: p.Currency, MId: mId);
    }

    private static string NewKey(string prefix) => $"{prefix}_{Guid.NewGuid():N}";
}
