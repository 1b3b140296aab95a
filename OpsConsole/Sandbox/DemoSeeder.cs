using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Audit;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Gateway;
using OpsConsole.Core.Payments;

namespace OpsConsole.Sandbox;

public sealed record SeedSpec(int Days, int PerDay, int Seed, double FaultShare = 0.06, DateOnly? LastDay = null);

/// <summary>One injected fault and the finding a reconciliation of its business date must report (null: none).</summary>
/// <param name="Pg">The PG connection the payment went through.</param>
public sealed record SeedTruthItem(DateOnly BusinessDate, string PaymentKey, string OrderId, string? TransactionKey,
    string Fault, string? ExpectedFinding, string Pg = PgConnections.LegacyName);

/// <param name="PaymentsByPg">How many payments went through each PG connection.</param>
public sealed record SeedTruth(int Seed, int Days, int PerDay, DateOnly FirstDay, DateOnly LastDay, int Payments,
    int Cancels, IReadOnlyList<SeedTruthItem> Faults, IReadOnlyDictionary<string, int>? PaymentsByPg = null);

/// <summary>
/// Generates demo history through the real checkout path: checkout at the sandbox PG over HTTP, confirm
/// and cancel through <see cref="PaymentService"/> (which calls the sandbox over HTTP), with a share of
/// payments carrying faults. History is written with a per-run <see cref="HistoryClock"/> set to each
/// payment's instant: the seed's own payment path stamps our ledger with it and sends it to the sandbox PG, so
/// both ledgers agree on when things happened, while the app's clock (sign-in, audit, UI, janitor) is never
/// touched. Ends by running the janitor (at real time) so unknown outcomes are settled.
/// <para>With the demo's second PG configured (<see cref="DemoPgConnections"/>), about a third of the payments go
/// through it: checked out at the sandbox's file persona (<c>mId</c> <see cref="SandboxFilePg.MerchantId"/>) and
/// confirmed with that connection named, so they carry its <c>pg</c>; the same fault mix applies, and its settlement
/// faults end up in the persona's file (<see cref="ImportFilePgAsync"/>).</para>
/// </summary>
public sealed class DemoSeeder(
    IServiceProvider services,
    PgEndpoint endpoint,
    IOptions<PgOptions> pgOptions,
    ILogger<DemoSeeder> logger)
{
    /// <summary>
    /// Test hook: awaited before each historical payment is written, with the history instant and the payment's
    /// index in the run. Lets a test hold the generator at a known point; null in the app.
    /// </summary>
    internal Func<DateTimeOffset, int, CancellationToken, Task>? BeforePayment { get; set; }

    /// <summary>Faults spread over seeded payments, with the finding each must produce.</summary>
    private static readonly (string Fault, string? Finding)[] FaultMix =
    [
        (SandboxFaults.Decline, null),
        (SandboxFaults.Timeout, null),
        (SandboxFaults.ServerError, null),
        (SandboxFaults.ApproveThenTimeout, null),
        (SandboxFaults.DeclineAfterCharge, "CHARGED_BUT_FAILED"),
        (SandboxFaults.SettlementMissing, "MISSING_EXTERNAL"),
        (SandboxFaults.SettlementAmountOff, "AMOUNT_MISMATCH"),
        (SandboxFaults.SettlementDuplicate, "DUPLICATE_EXTERNAL"),
        (SandboxFaults.SettlementFeeOff, "FEE_MISMATCH"),
        (SandboxFaults.SettlementDateOff, "DATE_MISMATCH"),
        (PgOnly, "MISSING_INTERNAL"),
        // What the real PG does that OpsConsole never asked for; booked right, they produce no finding.
        (SandboxFaults.CanceledOutside, null),
        (SandboxFaults.Expire, null),
    ];

    /// <summary>Pseudo-fault: the PG charges a payment our core never hears of.</summary>
    public const string PgOnly = "PG_ONLY";

    private static readonly PaymentMethod[] Methods =
        [PaymentMethod.CARD, PaymentMethod.CARD, PaymentMethod.CARD, PaymentMethod.EASY_PAY, PaymentMethod.TRANSFER];

    /// <summary>Share of the payments that go through the demo's second PG when it is configured.</summary>
    public const double FilePgShare = 0.3;

    /// <summary>The demo's second PG (the sandbox's file persona), when configured.</summary>
    private PgConnection? FilePg => services.GetRequiredService<PgConnections>().Find(DemoPgConnections.FilePgName) is
        { Kind: PgKind.File } c && c.Serves(SandboxFilePg.MerchantId) ? c : null;

    public async Task<SeedTruth> SeedAsync(SeedSpec spec, CancellationToken cancellationToken = default)
    {
        if (spec.Days is < 1 or > 366) throw DomainException.BadInput("INVALID_DAYS", "days must be 1 to 366.");
        if (spec.PerDay is < 1 or > 1_000_000) throw DomainException.BadInput("INVALID_PER_DAY", "per-day must be 1 to 1,000,000.");

        var random = new Random(spec.Seed);
        var lastDay = spec.LastDay ?? BusinessCalendar.Today(TimeProvider.System).AddDays(-1);
        var firstDay = lastDay.AddDays(-(spec.Days - 1));
        var history = new HistoryClock(BusinessCalendar.StartOfDayUtc(firstDay));
        var (gateway, paymentService) = CreateSeedPaymentPath(history);
        using var checkoutClient = new HttpClient(new HistoryClock.Stamp(history));
        var faults = new List<SeedTruthItem>();
        var payments = 0;
        var cancels = 0;
        var runId = $"{spec.Seed:x}{random.Next():x}";
        var filePg = FilePg;
        var tossPg = services.GetRequiredService<PgConnections>().Api?.Name ?? PgConnections.LegacyName;
        var byPg = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            var start = BusinessCalendar.StartOfDayUtc(day);
            // Instants through the day, a few of them in the last seconds before midnight KST.
            var instants = Enumerable.Range(0, spec.PerDay)
                .Select(i => i % 50 == 49
                    ? start.AddDays(1).AddMilliseconds(-random.Next(1, 5000))
                    : start.AddMilliseconds(random.NextInt64(0, (long)TimeSpan.FromDays(1).TotalMilliseconds - 5000)))
                .Order().ToList();
            for (var i = 0; i < instants.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                history.Set(instants[i]);
                if (BeforePayment is { } hook)
                    await hook(instants[i], payments, cancellationToken);
                var orderId = $"ord-{day:yyyyMMdd}-{runId}-{i:D6}";
                var amount = random.Next(1, 500) * 100L;
                var method = Methods[random.Next(Methods.Length)];
                var (fault, finding) = random.NextDouble() < spec.FaultShare ? FaultMix[random.Next(FaultMix.Length)] : (null, null);
                // Drawn only with a second PG, so a seed without one makes the same payments as before.
                var viaFilePg = filePg is not null && random.NextDouble() < FilePgShare;
                var pg = viaFilePg ? filePg!.Name : tossPg;

                var paymentKey = await CheckoutAsync(checkoutClient, orderId, amount, method, fault == PgOnly ? null : fault,
                    viaFilePg ? SandboxFilePg.MerchantId : null, cancellationToken);
                payments++;
                byPg[pg] = byPg.GetValueOrDefault(pg) + 1;
                if (fault == PgOnly)
                {
                    var r = await gateway.ConfirmAsync(new TossConfirmRequest(paymentKey, orderId, amount), $"pg-only-{paymentKey}", cancellationToken);
                    faults.Add(new SeedTruthItem(day, paymentKey, orderId, r.Value?.LastTransactionKey, fault, finding, pg));
                    continue;
                }

                var p = await paymentService.ConfirmAsync(new ConfirmCommand(paymentKey, orderId, amount, Pg: viaFilePg ? pg : null),
                    cancellationToken);
                if (fault is not null)
                    faults.Add(new SeedTruthItem(day, paymentKey, orderId, null, fault, finding, pg));
                else if (p.Status == PaymentStatus.DONE && random.NextDouble() < 0.04)
                {
                    // A few ordinary partial and full cancels, later the same day.
                    history.Set(instants[i].AddSeconds(random.Next(1, 60)) is var t && BusinessCalendar.BusinessDateOf(t) == day ? t : instants[i]);
                    var partial = random.NextDouble() < 0.5 && amount >= 200;
                    var outcome = await paymentService.CancelAsync(new CancelCommand(paymentKey, $"seed-cancel-{paymentKey}",
                        partial ? amount / 2 : null, partial ? "고객 요청 부분 취소" : "고객 요청 취소", "seed"), cancellationToken);
                    if (outcome.Status == CancelAttemptStatus.SUCCEEDED) cancels++;
                }
            }
            logger.LogInformation("Seeded {Day}: {Count} payments", day, spec.PerDay);
        }

        await SettleUnknownsAsync(cancellationToken);
        return new SeedTruth(spec.Seed, spec.Days, spec.PerDay, firstDay, lastDay, payments, cancels, faults, byPg);
    }

    /// <summary>
    /// With the demo's second PG configured: the sandbox file persona writes its settlement file of the seeded days
    /// (CP949 CSV, planted faults included) and it is imported through the shipped profile as that PG's lines, as an
    /// operator's upload would. Null without a second PG.
    /// </summary>
    public async Task<Core.Reconciliation.SettlementImportResult?> ImportFilePgAsync(SeedTruth truth, CancellationToken cancellationToken)
    {
        if (FilePg is not { } filePg) return null;
        var result = await SandboxFilePg.WriteAndImportAsync(services, truth.FirstDay, truth.LastDay, SandboxFileFormat.CSV,
            filePg.Name, cancellationToken);
        if (!result.Succeeded)
            throw new InvalidOperationException($"The {filePg.Name} settlement file was rejected: " +
                                                string.Join("; ", result.Errors.Select(e => $"line {e.Line} {e.Field}: {e.Message}")));
        return result;
    }

    /// <summary>True when the console's ledger has no payments yet (first start).</summary>
    public async Task<bool> IsEmptyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync(cancellationToken);
        return !await db.Payments.AnyAsync(cancellationToken);
    }

    public static async Task WriteTruthAsync(SeedTruth truth, string path)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, truth, new JsonSerializerOptions(TossPaymentsClient.Json) { WriteIndented = true });
    }

    private async Task SettleUnknownsAsync(CancellationToken cancellationToken)
    {
        // The janitor looks the payments up now, at real time, as the app's janitor would.
        var (gateway, payments) = CreateSeedPaymentPath(null);
        var janitor = ActivatorUtilities.CreateInstance<PaymentJanitor>(services, gateway, payments);
        for (var round = 0; round < 1000; round++)
        {
            var report = await janitor.RunOnceAsync(cancellationToken);
            if (report.PaymentsResolved + report.CancelsResolved == 0) break;
        }
    }

    private async Task<string> CheckoutAsync(HttpClient http, string orderId, long amount, PaymentMethod method, string? fault,
        string? mId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(endpoint.BaseUri, "v1/checkout"),
            new { orderId, amount, method = method.ToString(), fault, mId }, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Sandbox checkout failed: {(int)response.StatusCode} {body}");
        return body.GetProperty("paymentKey").GetString()!;
    }

    /// <summary>
    /// The seed's own PG client: the real HTTP client against the sandbox, with short timeouts and no
    /// retries, so the injected timeouts don't stretch the seed to minutes. With a history clock, the payment
    /// service, its audit log and the requests to the sandbox carry the history instant.
    /// </summary>
    private (IPaymentGateway Gateway, PaymentService Payments) CreateSeedPaymentPath(HistoryClock? history)
    {
        var o = pgOptions.Value;
        var seedOptions = Options.Create(new PgOptions { BaseUrl = o.BaseUrl, SecretKey = o.SecretKey, Currencies = o.Currencies });
        var http = history is null ? new HttpClient() : new HttpClient(new HistoryClock.Stamp(history));
        http.Timeout = TimeSpan.FromSeconds(1);
        var gateway = new TossPaymentsClient(http, endpoint, seedOptions,
            services.GetRequiredService<ILogger<TossPaymentsClient>>(), services.GetService<OpsMetrics>());
        if (history is null)
            return (gateway, ActivatorUtilities.CreateInstance<PaymentService>(services, (IPaymentGateway)gateway));
        var audit = new AuditLog(services.GetRequiredService<IDbContextFactory<OpsDbContext>>(), history);
        return (gateway, ActivatorUtilities.CreateInstance<PaymentService>(services, (IPaymentGateway)gateway, audit,
            (TimeProvider)history));
    }
}
