using System.Globalization;
using OpsConsole.Core.Reconciliation;

namespace OpsConsole.Core.Warehouse;

/// <summary>
/// What the warehouse reconciliation SQL needs beyond <see cref="IReconSqlDialect"/>: a key filter on an array
/// parameter. BigQuery is the production dialect; the
/// PostgreSQL one renders the very same query for the console's own tables so that tests can run it
/// against the oracle.
/// </summary>
public interface IWarehouseSqlDialect : IReconSqlDialect
{
    /// <summary>A condition: the column's value is one of the array parameter's strings.</summary>
    string InArray(string column, string arrayParameter);
}

/// <summary>
/// BigQuery Standard SQL. Tables are qualified as <c>`project.dataset.table`</c>; instants are TIMESTAMP,
/// business dates DATE, <c>/</c> is float division (hence <c>DIV</c>), arrays are filtered with <c>IN UNNEST</c>.
/// </summary>
public sealed class BigQueryReconDialect(string project, string dataset) : IWarehouseSqlDialect
{
    public string Name => "bigquery";
    public ReconJoinStrategy JoinStrategy => ReconJoinStrategy.FullOuterJoin;
    public string IntegerType => "INT64";

    public string Table(string name) => $"`{project}.{dataset}.{name}`";

    public string KstDate(string instantColumn) => $"DATE({instantColumn}, 'Asia/Seoul')";

    public object InstantValue(DateTimeOffset instant) => BigQueryParameter.Timestamp("_", instant).Value!;

    public string InstantLiteral(DateTimeOffset instant) =>
        $"TIMESTAMP '{instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}+00'";

    public object DateValue(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // BigQuery string literals escape with a backslash, not by doubling.
    public string Text(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    public string IntDiv(string dividend, string divisor) => $"DIV({dividend}, {divisor})";

    public string InArray(string column, string arrayParameter) => $"{column} IN UNNEST({arrayParameter})";
}

/// <summary>The same warehouse SQL rendered for PostgreSQL (used by tests against the console's tables).</summary>
public sealed class PostgresWarehouseDialect : IWarehouseSqlDialect
{
    private readonly PostgresReconDialect _inner = new();

    public string Name => "postgres-warehouse";
    public ReconJoinStrategy JoinStrategy => ReconJoinStrategy.FullOuterJoin;
    public string KstDate(string instantColumn) => _inner.KstDate(instantColumn);
    public object InstantValue(DateTimeOffset instant) => _inner.InstantValue(instant);
    public string InstantLiteral(DateTimeOffset instant) => _inner.InstantLiteral(instant);
    public object DateValue(DateOnly date) => _inner.DateValue(date);
    public string InArray(string column, string arrayParameter) => $"{column} = ANY({arrayParameter})";
}
