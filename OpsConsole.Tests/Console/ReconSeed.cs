using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Tests.Console;

/// <summary>
/// A business date with one of each common discrepancy, produced by the real engine: payments in our
/// ledger, a PG settlement CSV that disagrees with them, and a reconciliation run over the date.
/// </summary>
public static class ReconSeed
{
    public sealed record Seeded(DateOnly Date, string Suffix, long RunId)
    {
        public string Key(string letter) => $"pk_{letter}_{Suffix}";
        public string Order(string letter) => $"order-{letter}-{Suffix}";
    }

    /// <param name="pg">With <paramref name="connections"/>: the PG connection whose payments, lines (merchant id
    /// <paramref name="mId"/>) and run these are; null: the single connection of a configuration without Pgs.</param>
    public static async Task<Seeded> DateWithDiscrepanciesAsync(OpsDbContextFactory factory, DateOnly date,
        ReconciliationService? engine = null, string? pg = null, Core.Gateway.PgConnections? connections = null,
        string? mId = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var at = BusinessCalendar.StartOfDayUtc(date).AddHours(3);
        var csv = new StringBuilder("paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate" +
                                    (mId is null ? "" : ",mId") + "\n");
        // The default fee schedule charges 2.5 % on cards: the PG's fee matches it.
        void Line(string letter, long amount) => csv.Append(CultureInfo.InvariantCulture,
            $"pk_{letter}_{suffix},tx_{letter}_{suffix},order-{letter}-{suffix},카드,{amount},{amount / 40},{amount},0,{amount - amount / 40},{at:yyyy-MM-ddTHH:mm:ssZ},{date:yyyy-MM-dd},{date.AddDays(2):yyyy-MM-dd}").Append(mId is null ? "" : "," + mId).Append('\n');

        await using (var db = factory.CreateDbContext())
        {
            Payment Approved(string letter, long amount)
            {
                var p = Payment.StartConfirm($"pk_{letter}_{suffix}", $"order-{letter}-{suffix}", amount, "KRW",
                    System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString(), at, pg ?? Core.Gateway.PgConnections.LegacyName);
                db.Payments.Add(p);
                return p;
            }

            var a = Approved("a", 10_000);  // matches the PG
            var b = Approved("b", 20_000);  // the PG says 19,000: AMOUNT_MISMATCH
            var c = Approved("c", 30_000);  // the PG never reports it: MISSING_EXTERNAL
            var e = Approved("e", 7_000);   // we aborted, the PG charged: CHARGED_BUT_FAILED
            await db.SaveChangesAsync();
            a.MarkApproved($"tx_a_{suffix}", PaymentMethod.CARD, at, at);
            b.MarkApproved($"tx_b_{suffix}", PaymentMethod.CARD, at, at);
            c.MarkApproved($"tx_c_{suffix}", PaymentMethod.CARD, at, at);
            e.MarkAborted("PG_TIMEOUT", "timed out, told the customer it failed", at);
            await db.SaveChangesAsync();
        }
        Line("a", 10_000);
        Line("b", 19_000);
        Line("d", 5_000);                  // we have no such payment: MISSING_INTERNAL
        Line("e", 7_000);

        var importer = new SettlementImporter(factory, TimeProvider.System, connections: connections);
        var import = await importer.ImportCsvAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())),
            $"settlement-{suffix}.csv", "test", SettlementImportMode.Commit, pg);
        if (!import.Succeeded)
            throw new InvalidOperationException("seed CSV rejected: " + string.Join("; ", import.Errors));

        engine ??= new ReconciliationService(factory,
            Options.Create(new ReconciliationOptions { SettleDelay = TimeSpan.Zero }), TimeProvider.System, connections: connections);
        var run = await engine.RunAsync(date, RunTrigger.CLI, "test", pg: pg);
        if (run.Status != RunStatus.SUCCEEDED) throw new InvalidOperationException("seed run failed: " + run.Error);
        return new Seeded(date, suffix, run.Id);
    }
}
