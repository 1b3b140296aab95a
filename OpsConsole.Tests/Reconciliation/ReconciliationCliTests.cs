using System.Text;
using System.Text.Json;
using OpsConsole.Cli;
using OpsConsole.Core.Common;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Reconciliation;

public abstract class ReconciliationCliTests<TDb>(TDb db) : IAsyncLifetime where TDb : TestDatabase
{
    private static readonly DateOnly D = ReconTestSupport.Date;

    public Task InitializeAsync() => Ledger.ClearAsync(db.Factory);
    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] config =
        [
            $"--Database:Provider={db.Provider}", $"--ConnectionStrings:OpsConsole={db.ConnectionString}",
            "--Reconciliation:SettleDelay=00:00:00",
        ];
        // The host looks for the static assets manifest of the app, not of the test runner.
        var code = await CliRunner.RunAsync([.. args, .. config], stdout, stderr,
            b => b.Environment.ApplicationName = typeof(CliRunner).Assembly.GetName().Name!);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Reconcile_Json_PrintsTheRunAndItsConfirmedFindingsWithStableNames()
    {
        var at = BusinessCalendar.StartOfDayUtc(D).AddHours(3);
        var ledger = new Ledger();
        ledger.Payments.Add(new LedgerPayment("pay-cli", "order-cli", 10_000, PaymentMethod.CARD, PaymentStatus.DONE,
            [new InternalTx("tx-cli", "pay-cli", "order-cli", TransactionKind.APPROVAL, 10_000, PaymentMethod.CARD, at)]));
        ledger.Lines.Add(new ExternalLine("tx-cli", "pay-cli", "order-cli", PaymentMethod.CARD, 12_000, 300, D, at));
        await ledger.SaveAsync(db.Factory);

        var (code, stdout, stderr) = await RunAsync("reconcile", "--date", "2026-03-15", "--json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var run = doc.RootElement.GetProperty("run");
        Assert.Equal("SUCCEEDED", run.GetProperty("status").GetString());
        Assert.Equal("2026-03-15", run.GetProperty("businessDate").GetString());
        Assert.Equal("CLI", run.GetProperty("trigger").GetString());
        Assert.Equal(1, run.GetProperty("confirmedCount").GetInt32());
        Assert.Equal(2_000, run.GetProperty("confirmedAmount").GetInt64());
        Assert.Equal("AMOUNT_MISMATCH", run.GetProperty("totals")[0].GetProperty("type").GetString());
        var finding = Assert.Single(doc.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("AMOUNT_MISMATCH", finding.GetProperty("type").GetString());
        Assert.Equal("tx-cli", finding.GetProperty("transactionKey").GetString());
        Assert.Equal("order-cli", finding.GetProperty("orderId").GetString());
        Assert.Equal("tracepay-cli", finding.GetProperty("traceId").GetString());
        Assert.Equal(2_000, finding.GetProperty("moneyAtRisk").GetInt64());
        Assert.Equal(10_000, finding.GetProperty("internal").GetProperty("amount").GetInt64());
        Assert.Equal(12_000, finding.GetProperty("external").GetProperty("amount").GetInt64());
        Assert.Equal("amount", finding.GetProperty("diff")[0].GetString());
        Assert.Equal(Ledger.DefaultPg, run.GetProperty("pg").GetString());
        Assert.Equal(Ledger.DefaultPg, finding.GetProperty("pg").GetString());
    }

    /// <summary>
    /// <c>reconcile</c> (a full run) waits for the background verification it queued before exiting; <c>verify-totals</c>
    /// then finds the totals matching (exit 0), after a hand edit a drift it corrects (exit 1, the drift in the JSON), and
    /// for a date never reconciled nothing to verify (exit 1, <c>verified: false</c>).
    /// </summary>
    [Fact]
    public async Task VerifyTotals_Json_SaysMatched_ThenCorrectsAHandEdit_AndSaysWhenThereIsNothingToVerify()
    {
        var at = BusinessCalendar.StartOfDayUtc(D).AddHours(3);
        var ledger = new Ledger();
        ledger.Payments.Add(ReconTestSupport.Done("cli", 10_000, at));
        ledger.Lines.Add(ReconTestSupport.LineFor(ledger.Payments[0].Transactions[0]));
        await ledger.SaveAsync(db.Factory);
        var (runCode, _, runErr) = await RunAsync("reconcile", "--date", "2026-03-15", "--json");
        Assert.True(runCode == 0, runErr);

        var (code, stdout, stderr) = await RunAsync("verify-totals", "--date", "2026-03-15", "--json");
        await using (var ctx = db.Factory.CreateDbContext())
            await ctx.Database.ExecuteSqlRawAsync("UPDATE payment_transactions SET amount = amount + 1000 WHERE transaction_key = 'tx-cli'");
        var (driftCode, drift, driftErr) = await RunAsync("verify-totals", "--date", "2026-03-15", "--json");
        var (noneCode, none, _) = await RunAsync("verify-totals", "--date", "2026-03-16");

        Assert.True(code == 0, stderr);
        var matched = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("verifications").EnumerateArray());
        Assert.Equal((true, "MATCHED", Ledger.DefaultPg), (matched.GetProperty("verified").GetBoolean(),
            matched.GetProperty("result").GetString(), matched.GetProperty("pg").GetString()));
        Assert.True(driftCode == 1, driftErr);
        var corrected = Assert.Single(JsonDocument.Parse(drift).RootElement.GetProperty("verifications").EnumerateArray());
        Assert.Equal(("DRIFT_CORRECTED", 1_000L), (corrected.GetProperty("result").GetString(), corrected.GetProperty("ourNetDrift").GetInt64()));
        Assert.Equal(1, noneCode);
        Assert.Contains("no recorded control totals yet", none);
        await using (var ctx = db.Factory.CreateDbContext())
            Assert.Equal(["AFTER_FULL_RUN", "ON_DEMAND", "ON_DEMAND"],
                (await ctx.Set<Core.Reconciliation.ControlTotals.ControlTotalsVerification>().OrderBy(v => v.Id).ToListAsync())
                .Select(v => v.Trigger.ToString()));
    }

    private static readonly string[] TwoPgSettings = [.. TwoPgs.Settings.Select(kv => $"--{kv.Key}={kv.Value}")];

    [Fact]
    public async Task Reconcile_WithSeveralPgs_RunsEachPg_JsonListsEveryRunWithItsPg()
    {
        var at = BusinessCalendar.StartOfDayUtc(D).AddHours(3);
        var ledger = new Ledger();
        ledger.Payments.Add(new LedgerPayment("pay-cli", "order-cli", 10_000, PaymentMethod.CARD, PaymentStatus.DONE,
            [new InternalTx("tx-cli", "pay-cli", "order-cli", TransactionKind.APPROVAL, 10_000, PaymentMethod.CARD, at)]));
        ledger.Lines.Add(new ExternalLine("tx-cli", "pay-cli", "order-cli", PaymentMethod.CARD, 10_000, 250, D, at, Pg: ReconTestSupport.FilePg));
        await ledger.SaveAsync(db.Factory);

        var (code, stdout, stderr) = await RunAsync(["reconcile", "--date", "2026-03-15", "--json", .. TwoPgSettings]);
        var (oneCode, one, oneErr) = await RunAsync(["reconcile", "--date", "2026-03-15", "--json", "--pg", ReconTestSupport.FilePg, .. TwoPgSettings]);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("2026-03-15", doc.RootElement.GetProperty("businessDate").GetString());
        var runs = doc.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal([ReconTestSupport.FilePg, Ledger.DefaultPg], runs.Select(r => r.GetProperty("run").GetProperty("pg").GetString()));
        var atInicis = Assert.Single(runs[0].GetProperty("findings").EnumerateArray());
        Assert.Equal(("tx-cli", "MISSING_INTERNAL", ReconTestSupport.FilePg),
            (atInicis.GetProperty("transactionKey").GetString(), atInicis.GetProperty("type").GetString(), atInicis.GetProperty("pg").GetString()));
        var atToss = Assert.Single(runs[1].GetProperty("findings").EnumerateArray());
        Assert.Equal(("tx-cli", "MISSING_EXTERNAL", Ledger.DefaultPg),
            (atToss.GetProperty("transactionKey").GetString(), atToss.GetProperty("type").GetString(), atToss.GetProperty("pg").GetString()));
        // --pg: only that PG's run, as the single-run document.
        Assert.True(oneCode == 0, oneErr);
        using var single = JsonDocument.Parse(one);
        Assert.Equal(ReconTestSupport.FilePg, single.RootElement.GetProperty("run").GetProperty("pg").GetString());
    }

    [Fact]
    public async Task Reconcile_UnknownPg_IsRefusedWithTheConfiguredNames_NothingRuns()
    {
        var (code, _, stderr) = await RunAsync(["reconcile", "--date", "2026-03-15", "--pg", "kcp", .. TwoPgSettings]);

        Assert.Equal(2, code);
        Assert.Contains("--pg 'kcp' is not a configured PG connection (configured: inicis, toss)", stderr);
        await using var ctx = db.Factory.CreateDbContext();
        Assert.Equal(0, await ctx.Set<ReconRun>().CountAsync());
    }

    [Fact]
    public async Task Reconcile_ManyFindings_JsonListsThemAllLargestFirst_TextShowsTheLargest20()
    {
        // 1,005 AMOUNT_MISMATCHes of growing size: more than one page of 1,000 and more than the text shows.
        var at = BusinessCalendar.StartOfDayUtc(D).AddHours(3);
        var ledger = new Ledger();
        for (var i = 1; i <= 1_005; i++)
        {
            var (key, pay, order) = ($"tx-many-{i}", $"pay-many-{i}", $"order-many-{i}");
            ledger.Payments.Add(new LedgerPayment(pay, order, 10_000, PaymentMethod.CARD, PaymentStatus.DONE,
                [new InternalTx(key, pay, order, TransactionKind.APPROVAL, 10_000, PaymentMethod.CARD, at)]));
            ledger.Lines.Add(new ExternalLine(key, pay, order, PaymentMethod.CARD, 10_000 + i, 250, D, at));
        }
        await ledger.SaveAsync(db.Factory);

        var (code, stdout, stderr) = await RunAsync("reconcile", "--date", "2026-03-15", "--json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var money = doc.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => f.GetProperty("moneyAtRisk").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 1_005).Select(i => (long)i).Reverse(), money);

        // Nothing changed since the first run: --full compares (and lists) the day again.
        var (textCode, text, textErr) = await RunAsync("reconcile", "--date", "2026-03-15", "--full");

        Assert.True(textCode == 0, textErr);
        Assert.Equal(20, text.Split('\n').Count(l => l.Contains(" AMOUNT_MISMATCH ", StringComparison.Ordinal) && l.Contains("tx=")));
        Assert.Contains("#", text.Split('\n').First(l => l.Contains("tx=tx-many-1005 ", StringComparison.Ordinal)));
        Assert.Contains("… 985 more (use --json)", text);
    }

    [Theory]
    [InlineData("reconcile", "--date", "15/03/2026")]
    [InlineData("reconcile")]
    [InlineData("pull-settlements", "--from", "2026-03-15")]
    [InlineData("import-settlements", "--file", "/nonexistent/file.csv")]
    public async Task Verbs_WithBadUsage_ExitWithTwo(params string[] args)
    {
        var (code, _, stderr) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains("usage:", stderr);
    }

    [Fact]
    public async Task ImportSettlements_ACorrectedFile_SaysHowManyEarlierLinesItSuperseded()
    {
        const string header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n";
        const string tx2 = "pay-2,tx-2,order-2,CARD,5000,125,4545,455,4875,2026-03-15T11:00:00+09:00,2026-03-15,2026-03-17\n";
        var first = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.csv");
        var corrected = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(first, header +
            "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17\n" + tx2);
        await File.WriteAllTextAsync(corrected, header +
            "pay-1,tx-1,order-1,CARD,9000,225,8182,818,8775,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17\n" + tx2);
        try
        {
            var (code1, stdout1, stderr1) = await RunAsync("import-settlements", "--file", first);
            var (code2, stdout2, stderr2) = await RunAsync("import-settlements", "--file", corrected);

            Assert.True(code1 == 0, stderr1);
            Assert.Contains("imported 2 lines of 2026-03-15 (no earlier lines to supersede)", stdout1);
            Assert.True(code2 == 0, stderr2);
            Assert.Contains($"{Path.GetFileName(corrected)}: imported 2 lines (superseding 2 earlier lines of 2026-03-15)", stdout2);
            await using var ctx = db.Factory.CreateDbContext();
            Assert.Equal(new long[] { 5_000, 9_000 }, ctx.Set<Core.Reconciliation.SettlementLine>().Select(l => l.Amount).OrderBy(a => a).ToList());
        }
        finally
        {
            File.Delete(first);
            File.Delete(corrected);
        }
    }

    [Fact]
    public async Task ImportSettlements_AFileThatRemovesLines_IsRefusedWithoutReplace_ThenImportedWithIt()
    {
        const string header = "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n";
        const string tx1 = "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17\n";
        var day = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.csv");
        var fix = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(day, header + tx1 +
            "pay-2,tx-2,order-2,CARD,5000,125,4545,455,4875,2026-03-15T11:00:00+09:00,2026-03-15,2026-03-17\n" +
            "pay-3,tx-3,order-3,CARD,7000,175,6364,636,6825,2026-03-15T12:00:00+09:00,2026-03-15,2026-03-17\n");
        await File.WriteAllTextAsync(fix, header + tx1);
        try
        {
            Assert.Equal(0, (await RunAsync("import-settlements", "--file", day)).Item1);

            var (previewCode, previewOut, _) = await RunAsync("import-settlements", "--file", fix, "--preview");
            var (refusedCode, _, refusedErr) = await RunAsync("import-settlements", "--file", fix);
            await using (var ctx = db.Factory.CreateDbContext())
                Assert.Equal(3, ctx.Set<Core.Reconciliation.SettlementLine>().Count());
            var (replacedCode, replacedOut, replacedErr) = await RunAsync("import-settlements", "--file", fix, "--replace");

            Assert.Equal(0, previewCode);
            Assert.Contains("2026-03-15: replaces 3 lines of 2026-03-15 with 1 line  ← removes lines", previewOut);
            Assert.Contains("preview only, nothing imported (1 lines valid); importing it needs --replace", previewOut);
            Assert.Equal(2, refusedCode);
            Assert.Contains("would remove 2 lines: replaces 3 lines of 2026-03-15 with 1 line. Nothing was imported", refusedErr);
            Assert.Contains("Run again with --replace", refusedErr);
            Assert.True(replacedCode == 0, replacedErr);
            Assert.Contains("imported 1 line (superseding 3 earlier lines of 2026-03-15)", replacedOut);
            await using (var ctx = db.Factory.CreateDbContext())
                Assert.Equal(1, ctx.Set<Core.Reconciliation.SettlementLine>().Count());
        }
        finally
        {
            File.Delete(day);
            File.Delete(fix);
        }
    }

    [Fact]
    public async Task ImportSettlements_BadFile_ExitsOneWithLineNumbers_AndImportsNothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path,
            "paymentKey,transactionKey,orderId,method,amount,fee,supplyAmount,vat,payOutAmount,approvedAt,soldDate,paidOutDate\n" +
            "pay-1,tx-1,order-1,CARD,10000,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17\n" +
            "pay-2,tx-2,order-2,CARD,ten,250,9091,909,9750,2026-03-15T10:00:00+09:00,2026-03-15,2026-03-17\n",
            new UTF8Encoding(false));
        try
        {
            var (code, _, stderr) = await RunAsync("import-settlements", "--file", path);

            Assert.Equal(1, code);
            Assert.Contains("line 3: amount:", stderr);
            await using var ctx = db.Factory.CreateDbContext();
            Assert.Equal(0, ctx.Set<Core.Reconciliation.SettlementLine>().Count());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public sealed class SqliteReconciliationCliTests(SqliteTestDatabase db)
    : ReconciliationCliTests<SqliteTestDatabase>(db), IClassFixture<SqliteTestDatabase>;

public sealed class PostgresReconciliationCliTests(PostgresTestDatabase db)
    : ReconciliationCliTests<PostgresTestDatabase>(db), IClassFixture<PostgresTestDatabase>;
