using Microsoft.EntityFrameworkCore;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.Findings;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Console;

public sealed class FindingFilterUrlTests
{
    private static FindingFilter Parse(string query)
    {
        var values = System.Web.HttpUtility.ParseQueryString(query);
        return FindingFilter.FromQuery(name => values[name]);
    }

    [Fact]
    public void DefaultFilter_IsConfirmedOnly_AndHasAnEmptyUrl()
    {
        var filter = Parse("");

        Assert.Equal(FindingVerdict.CONFIRMED, filter.Verdict);
        Assert.Equal("", filter.ToQueryString());
        Assert.Equal("discrepancies.csv", filter.ToFileName());
    }

    [Fact]
    public void EveryFilter_RoundTripsThroughTheUrl_AndNamesTheExport()
    {
        var filter = new FindingFilter
        {
            From = new DateOnly(2026, 11, 1),
            To = new DateOnly(2026, 11, 24),
            Types = [FindingType.AMOUNT_MISMATCH, FindingType.CHARGED_BUT_FAILED],
            Statuses = [FindingStatus.OPEN],
            Verdict = null,
            Method = PaymentMethod.CARD,
            MinAmount = 1000,
            MaxAmount = 50000,
            Assignee = FindingFilter.Unassigned,
            Text = "order-42",
        };

        var query = filter.ToQueryString();

        Assert.Equal("from=2026-11-01&to=2026-11-24&type=AMOUNT_MISMATCH%2CCHARGED_BUT_FAILED&status=OPEN&verdict=any" +
                     "&method=CARD&min=1000&max=50000&assignee=-&q=order-42", query);
        Assert.Equal(filter, Parse(query));
        Assert.Equal("discrepancies_2026-11-01_2026-11-24_type-AMOUNT_MISMATCH+CHARGED_BUT_FAILED_status-OPEN_verdict-any" +
                     "_method-CARD_min-1000_max-50000_assignee-none_q-order-42.csv", filter.ToFileName());
    }

    [Fact]
    public void MalformedValues_AreIgnored() =>
        Assert.Equal(new FindingFilter(), Parse("from=yesterday&type=NOPE&min=-5&method=CASH&verdict=maybe"));
}

public abstract class FindingFilterQueryTests(TestDatabase database)
{
    [Fact]
    public async Task EachFilter_BecomesTheRightQuery()
    {
        var date = new DateOnly(2026, 10, 20);
        var seeded = await ReconSeed.DateWithDiscrepanciesAsync(database.Factory, date);

        async Task<string[]> Letters(FindingFilter filter)
        {
            await using var db = database.Factory.CreateDbContext();
            var keys = await filter.Apply(db.Set<Finding>().Where(f => f.PaymentKey.EndsWith(seeded.Suffix)))
                .Select(f => f.PaymentKey).ToListAsync();
            return keys.Select(k => k.Split('_')[1]).Order().ToArray();
        }

        Assert.Equal(["b", "c", "d", "e"], await Letters(new FindingFilter()));
        Assert.Equal(["b"], await Letters(new FindingFilter { Types = [FindingType.AMOUNT_MISMATCH] }));
        Assert.Equal(["c", "d"], await Letters(new FindingFilter { Types = [FindingType.MISSING_EXTERNAL, FindingType.MISSING_INTERNAL] }));
        Assert.Equal(["b", "c", "d", "e"], await Letters(new FindingFilter { From = date, To = date }));
        Assert.Empty(await Letters(new FindingFilter { From = date.AddDays(1) }));
        Assert.Empty(await Letters(new FindingFilter { Verdict = FindingVerdict.TRANSIENT }));
        Assert.Equal(["c"], await Letters(new FindingFilter { MinAmount = 25_000 }));
        Assert.Equal(["b", "d", "e"], await Letters(new FindingFilter { MaxAmount = 8_000 }));
        Assert.Equal(["b"], await Letters(new FindingFilter { Text = seeded.Order("b") }));
        Assert.Equal(["e"], await Letters(new FindingFilter { Text = $"tx_e_{seeded.Suffix}" }));
        Assert.Equal(["b", "c", "d", "e"], await Letters(new FindingFilter { Method = PaymentMethod.CARD }));
        Assert.Empty(await Letters(new FindingFilter { Method = PaymentMethod.TRANSFER }));
        Assert.Equal(["b", "c", "d", "e"], await Letters(new FindingFilter { Assignee = FindingFilter.Unassigned }));
        Assert.Equal(["b", "c", "d", "e"], await Letters(new FindingFilter { Statuses = [FindingStatus.OPEN] }));
    }
}

public sealed class FindingFilterSqliteTests(SqliteTestDatabase database)
    : FindingFilterQueryTests(database), IClassFixture<SqliteTestDatabase>;

public sealed class FindingFilterPostgresTests(PostgresTestDatabase database)
    : FindingFilterQueryTests(database), IClassFixture<PostgresTestDatabase>
{
    /// <summary>
    /// The payment key and order id have only their pattern-ops (prefix) indexes on PostgreSQL: those must answer
    /// both the grid's prefix filter and the exact look-up (FindingService's search), with scans priced out. The
    /// transaction key has no index of its own: under its C collation the unique (key, type) index answers the prefix.
    /// </summary>
    [Theory]
    [InlineData("prefix")]
    [InlineData("exact")]
    public async Task KeyLookups_UseThePrefixIndexes(string kind)
    {
        await using var db = database.Factory.CreateDbContext();
        var findings = db.Set<Finding>();
        var query = kind == "prefix"
            ? new FindingFilter { Text = "needle" }.Apply(findings)
            : findings.Where(f => f.TransactionKey == "needle" || f.PaymentKey == "needle" || f.OrderId == "needle");

        var plan = await PostgresPlan.ExplainAsync(db, query, "'needle'");

        Assert.Contains("ix_recon_findings_payment_key_prefix", plan);
        Assert.Contains("ix_recon_findings_order_id_prefix", plan);
        Assert.Contains("ix_recon_findings_transaction_key_type", plan);
    }
}
