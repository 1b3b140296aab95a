using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Warehouse;

namespace OpsConsole.Core.Cash.Payouts;

/// <summary>
/// The payout reconciliation's passes inside BigQuery (<c>reconcile-payouts --engine bigquery</c>), from the same
/// <see cref="PayoutSqlGenerator"/> as the local engines. Each pass is two jobs:
/// <list type="number">
/// <item><b>lines</b>: the aggregate of the warehouse's settlement lines by merchant id, paidOutDate, soldDate and
/// method (<see cref="PayoutSqlGenerator.SelectGroups"/>; pass 2: <see cref="PayoutSqlGenerator.SelectFlaggedGroups"/>
/// with pass 1's flagged items sent as <c>@items</c>). The lines are read where the warehouse has them
/// (<c>Warehouse:BigQuery:Tables:SettlementLines</c>, columns mapped), within the partitions of soldDate
/// [@sold_from, @to].</item>
/// <item><b>match</b>: the matching and classification (<see cref="PayoutSqlGenerator.Items"/>, N:1 included) over that
/// aggregate, the deposits and the business-day calendar, which the console sends with the query as
/// <c>ARRAY&lt;STRUCT&gt;</c> parameters (<c>@groups</c>, <c>@deposits</c>, <c>@calendar</c>); the PG settings are part
/// of the SQL, as on every engine. Nothing is written to the warehouse: the console needs only read access.</item>
/// </list>
/// Every job is dry-run first and refused above <c>MaximumBytesBilled</c>; errors are retried or fail the run as in
/// <see cref="BigQueryReconciliationEngine"/> (same client). The rows come back; <see cref="PayoutReconciliationService"/>
/// writes them to the run and decides CONFIRMED/TRANSIENT in the console's database like for the local engines.
/// </summary>
public sealed class BigQueryPayoutEngine(BigQueryReconciliationEngine warehouse, IOptions<BigQueryOptions> options)
{
    public const string EngineName = BigQueryReconciliationEngine.EngineName;

    /// <summary>
    /// How many days before the offset lookback the lines job reads soldDate partitions: a line paid out in the range
    /// was sold at most this long before (a D+60 business-day contract is about 90 calendar days).
    /// </summary>
    public const int SoldDateLookbackDays = 100;

    private BigQueryOptions O => options.Value;

    public static readonly IReadOnlyList<(string Name, string Type)> GroupFields =
        [("run_id", "INT64"), ("pg_mid", "STRING"), ("paid_out_date", "DATE"), ("sold_date", "DATE"), ("method", "STRING"),
         ("net_amount", "INT64"), ("line_count", "INT64")];

    public static readonly IReadOnlyList<(string Name, string Type)> CalendarFields =
        [("date", "DATE"), ("is_business_day", "BOOL"), ("business_ordinal", "INT64"), ("due_ordinal", "INT64")];

    public static readonly IReadOnlyList<(string Name, string Type)> DepositFields =
        [("id", "INT64"), ("account_name", "STRING"), ("booking_date", "DATE"), ("amount", "INT64"), ("direction", "STRING"),
         ("counterparty", "STRING"), ("memo", "STRING")];

    public static readonly IReadOnlyList<(string Name, string Type)> FlaggedFields =
        [("run_id", "INT64"), ("pass", "INT64"), ("finding_type", "STRING"), ("kind", "STRING"), ("pg_mid", "STRING"),
         ("expected_date", "DATE")];

    public PayoutSqlGenerator Generator(PayoutRules rules)
    {
        if (O.ProjectId is not { Length: > 0 } || O.Dataset is not { Length: > 0 })
            throw new BigQueryException(
                "The BigQuery engine needs Warehouse:BigQuery:ProjectId and Warehouse:BigQuery:Dataset (see docs/bigquery.md).",
                "configuration", BigQueryErrorClass.Fatal);
        var dialect = new BigQueryReconDialect(O.DataProjectId is { Length: > 0 } dp ? dp : O.ProjectId, O.Dataset);
        return new PayoutSqlGenerator(new PayoutWarehouseDialect(dialect, O.Tables), PayoutSqlFunctions.BigQuery, rules);
    }

    /// <summary>Pass 1's lines job: the aggregate of the lines with paidOutDate in [@lookback, @to].</summary>
    public BigQueryQuery Pass1LinesQuery(PayoutRules rules, long runId, DateOnly lookback, DateOnly to) =>
        Query(Generator(rules).SelectGroups(), runId, 1, "lines",
        [
            BigQueryParameter.Date("lookback", lookback),
            BigQueryParameter.Date("to", to),
            BigQueryParameter.Date("sold_from", lookback.AddDays(-SoldDateLookbackDays)),
        ]);

    /// <summary>Pass 2's lines job: the lines of the (merchant id, paidOutDate) pairs of pass 1's flagged items.</summary>
    public BigQueryQuery Pass2LinesQuery(PayoutRules rules, long runId, DateOnly lookback, DateOnly to,
        IEnumerable<PayoutRunItem> pass1Flagged) =>
        Query(Generator(rules).SelectFlaggedGroups(), runId, 2, "lines",
        [
            BigQueryParameter.Int64("run", runId),
            BigQueryParameter.Date("to", to),
            BigQueryParameter.Date("sold_from", lookback.AddDays(-SoldDateLookbackDays)),
            BigQueryParameter.StructArray("items", FlaggedFields, pass1Flagged.Select(i => (IReadOnlyList<string?>)
                [Int(i.RunId), Int(i.Pass), i.FindingType?.ToString(), i.Kind.ToString(), i.PgMid, Date(i.ExpectedDate)])),
        ]);

    /// <summary>The match job of a pass: the run's groups, the deposits and the calendar in; the pass's items out.</summary>
    public BigQueryQuery MatchQuery(PayoutRules rules, long runId, int pass, PayoutWindow window,
        IEnumerable<PayoutRunGroup> groups, IEnumerable<BankTransaction> deposits, IEnumerable<CashCalendarDay> calendar) =>
        Query(Generator(rules).Items(), runId, pass, "match",
        [
            BigQueryParameter.Int64("run", runId),
            BigQueryParameter.Int64("pass", pass),
            BigQueryParameter.Date("mfrom", window.MatchFrom),
            BigQueryParameter.Date("from", window.From),
            BigQueryParameter.Date("to", window.To),
            BigQueryParameter.Date("depto", window.DepositsTo),
            BigQueryParameter.Date("asof", window.AsOf),
            BigQueryParameter.StructArray("groups", GroupFields, groups.Select(g => (IReadOnlyList<string?>)
                [Int(g.RunId), g.PgMid, Date(g.PaidOutDate), Date(g.SoldDate), g.Method, Int(g.NetAmount), Int(g.LineCount)])),
            BigQueryParameter.StructArray("deposits", DepositFields, deposits.Select(t => (IReadOnlyList<string?>)
                [Int(t.Id), t.AccountName, Date(t.BookingDate), Int(t.Amount), t.Direction.ToString(), t.Counterparty, t.Memo])),
            BigQueryParameter.StructArray("calendar", CalendarFields, calendar.Select(d => (IReadOnlyList<string?>)
                [Date(d.Date), d.IsBusinessDay ? "true" : "false", Int(d.BusinessOrdinal), Int(d.DueOrdinal)])),
        ]);

    /// <summary>
    /// The jobs' SQL and parameters of a run over <paramref name="window"/> (<c>--print-sql</c>, the golden file): the
    /// run id, the aggregate, the deposits, the calendar and pass 1's findings are placeholders until the run has them.
    /// </summary>
    public string Describe(PayoutRules rules, PayoutWindow window)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"-- Engine: BigQuery (Standard SQL), jobs run in project {O.ProjectId}, data in {O.DataProjectId ?? O.ProjectId}.{O.Dataset}, location {O.Location ?? "(default)"}\n");
        sb.Append(CultureInfo.InvariantCulture, $"-- Payouts paidOutDate {window.From:yyyy-MM-dd}..{window.To:yyyy-MM-dd}; maximumBytesBilled {O.MaximumBytesBilled}; each job is dry-run first.\n");
        foreach (var (title, query) in new[]
                 {
                     ("Pass 1, lines", Pass1LinesQuery(rules, 0, window.Lookback, window.To)),
                     ("Pass 1 and 2, match (the run's aggregate, deposits and calendar as parameters)", MatchQuery(rules, 0, 1, window, [], [], [])),
                     ("Pass 2, lines (pass 1's flagged payouts as @items)", Pass2LinesQuery(rules, 0, window.Lookback, window.To, [])),
                 })
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n-- ===== {title} =====\n-- Parameters:\n");
            foreach (var p in query.Parameters) sb.Append(CultureInfo.InvariantCulture, $"--   {p}\n");
            sb.Append(query.Sql.TrimEnd()).Append(";\n");
        }
        return sb.ToString();
    }

    /// <summary>Runs a lines job; its rows are the run's groups.</summary>
    public async Task<(List<PayoutRunGroup> Groups, WarehouseJob Job)> GroupsAsync(int pass, BigQueryQuery query, long runId,
        CancellationToken ct)
    {
        var (result, job) = await warehouse.RunCheckedAsync(pass, query, ct);
        var groups = result.Rows.Select(r => PayoutRunGroup.Create(runId, Text(r[0])!, DateOf(r[1])!.Value, DateOf(r[2])!.Value,
            Text(r[3])!, Long(r[4])!.Value, Long(r[5])!.Value)).ToList();
        return (groups, job);
    }

    /// <summary>Runs a match job; its rows are the pass's items.</summary>
    public async Task<(List<PayoutRunItem> Items, WarehouseJob Job)> ItemsAsync(int pass, BigQueryQuery query, CancellationToken ct)
    {
        var (result, job) = await warehouse.RunCheckedAsync(pass, query, ct);
        if (result.Rows.Count > 0 && result.Rows[0].FieldCount != PayoutSqlGenerator.ItemColumns.Count)
            throw new BigQueryException($"The payout match job returned {result.Rows[0].FieldCount} columns, not {PayoutSqlGenerator.ItemColumns.Count}.",
                null, BigQueryErrorClass.Fatal, jobId: job.JobId);
        var items = result.Rows.Select(r => PayoutRunItem.Create(Long(r[0])!.Value, (int)Long(r[1])!.Value, Text(r[2])!,
            Enum.Parse<PayoutItemKind>(Text(r[3])!), Text(r[4]) is { } ft ? Enum.Parse<FindingType>(ft) : null,
            Text(r[5]) is { } mk ? Enum.Parse<PayoutMatch>(mk) : null, Text(r[6])!, Text(r[7])!, DateOf(r[8])!.Value, DateOf(r[9]),
            DateOf(r[10]), DateOf(r[11]), Long(r[12]), Long(r[13]), Long(r[14]) ?? 0, Long(r[15]), DateOf(r[16]), Long(r[17]),
            Long(r[18]) ?? 0)).ToList();
        return (items, job);
    }

    private static BigQueryQuery Query(string sql, long runId, int pass, string step, IReadOnlyList<BigQueryParameter> parameters) =>
        // Only the parameters the SQL names (BigQuery refuses a query that declares parameters it does not use).
        new(sql, parameters.Where(p => Regex.IsMatch(sql, "@" + p.Name + @"\b")).ToList())
        {
            Labels = new Dictionary<string, string>
            {
                ["app"] = "opsconsole",
                ["job"] = "payouts",
                ["payout_run"] = runId.ToString(CultureInfo.InvariantCulture),
                ["pass"] = pass.ToString(CultureInfo.InvariantCulture),
                ["step"] = step,
            },
        };

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? Date(DateOnly? value) => value?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Text(object? value) => value as string;

    private static long? Long(object? value) => value is null ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static DateOnly? DateOf(object? value) => value is null ? null : ReconSql.DateOf(value);
}

/// <summary>The dates of a payout run's passes (<see cref="PayoutReconciliationService"/>).</summary>
public sealed record PayoutWindow(DateOnly Lookback, DateOnly MatchFrom, DateOnly From, DateOnly To, DateOnly DepositsTo, DateOnly AsOf);

/// <summary>
/// BigQuery with the payout SQL's tables resolved for a warehouse run: the settlement lines are the warehouse's table
/// (columns mapped, soldDate partitions bounded by <c>@sold_from</c> and <c>@to</c>); the console's tables the SQL reads
/// (<c>payout_run_groups</c>, <c>payout_run_items</c>, <c>bank_transactions</c>, <c>cash_calendar_days</c>) are the
/// query's <c>ARRAY&lt;STRUCT&gt;</c> parameters.
/// </summary>
public sealed class PayoutWarehouseDialect(BigQueryReconDialect inner, WarehouseTableLayout layout) : IReconSqlDialect
{
    public string Name => inner.Name;
    public ReconJoinStrategy JoinStrategy => inner.JoinStrategy;
    public string IntegerType => inner.IntegerType;
    public string KstDate(string instantColumn) => inner.KstDate(instantColumn);
    public object InstantValue(DateTimeOffset instant) => inner.InstantValue(instant);
    public string InstantLiteral(DateTimeOffset instant) => inner.InstantLiteral(instant);
    public object DateValue(DateOnly date) => inner.DateValue(date);
    public string Text(string value) => inner.Text(value);
    public string IntDiv(string dividend, string divisor) => inner.IntDiv(dividend, divisor);

    public string Table(string name) => name switch
    {
        "settlement_lines" => Lines(),
        "payout_run_groups" => "(SELECT * FROM UNNEST(@groups))",
        "payout_run_items" => "(SELECT * FROM UNNEST(@items))",
        "bank_transactions" => "(SELECT * FROM UNNEST(@deposits))",
        "cash_calendar_days" => "(SELECT * FROM UNNEST(@calendar))",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "The payout SQL on BigQuery reads no such table."),
    };

    private string Lines()
    {
        var c = layout.SettlementColumns;
        return $"(SELECT s.{c.MId} AS m_id, s.{c.PaidOutDate} AS paid_out_date, s.{c.SoldDate} AS sold_date, s.{c.Method} AS method, " +
               $"s.{c.PayOutAmount} AS pay_out_amount FROM {inner.Table(layout.SettlementLines)} s " +
               $"WHERE s.{c.SoldDate} BETWEEN @sold_from AND @to)";
    }
}
