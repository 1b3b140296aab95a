using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace OpsConsole.Tests.Warehouse;

/// <summary>
/// Lets <see cref="FakeBigQueryServer"/> run the queries it receives instead of answering from a script: the Standard SQL
/// is rewritten to PostgreSQL for the constructs OpsConsole's generators emit (backtick table names → the table,
/// <c>UNNEST(@p)</c> of an <c>ARRAY&lt;STRUCT&gt;</c> parameter → <c>jsonb_to_recordset</c>, <c>FORMAT_DATE</c>,
/// <c>CAST(… AS STRING/INT64)</c>, <c>IN UNNEST(@keys)</c>) and run on a PostgreSQL database holding the warehouse's
/// tables, with the request's named parameters bound by type. A dry run is an <c>EXPLAIN</c> (so bad SQL fails as
/// <c>invalidQuery</c>, as BigQuery's dry run does); a job's rows are paged by <c>maxResults</c>/<c>pageToken</c>.
/// Anything else it does not translate fails loudly in PostgreSQL — extend <see cref="ToPostgres"/> then.
/// </summary>
public sealed class FakeBigQuerySql(string connectionString)
{
    private readonly ConcurrentDictionary<string, (object[] Schema, List<object?[]> Rows)> _jobs = new();
    private int _next;

    /// <summary>The SQL of every query it ran (translated), for assertions.</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    public long DryRunBytes { get; set; } = 1_000;

    public async Task<ScriptedResponse> AnswerAsync(RecordedRequest r)
    {
        if (r.Kind == "results")
            return Page(r.Path.Split('/').Last(), int.Parse(r.Query.GetValueOrDefault("pageToken") ?? "0", CultureInfo.InvariantCulture),
                int.Parse(r.Query.GetValueOrDefault("maxResults") ?? "10000", CultureInfo.InvariantCulture));
        if (r.Kind != "query" || r.Body is null)
            return Bq.Error(404, "notFound", $"The fake does not execute {r.Method} {r.Path}");

        var body = r.Body;
        var sql = body["query"]!.GetValue<string>();
        var parameters = body["queryParameters"] as JsonArray ?? [];
        var dryRun = body["dryRun"]?.GetValue<bool>() == true;
        string translated;
        try
        {
            translated = ToPostgres(sql, parameters);
        }
        catch (Exception e)
        {
            return Bq.Error(400, "invalidQuery", "Fake BigQuery cannot translate the query: " + e.Message);
        }
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand((dryRun ? "EXPLAIN " : "") + translated, connection);
            foreach (var p in parameters.OfType<JsonObject>()) cmd.Parameters.Add(Bind(p));
            await using var reader = await cmd.ExecuteReaderAsync();
            if (dryRun) return Bq.DryRun(DryRunBytes);
            var schema = Enumerable.Range(0, reader.FieldCount).Select(i => (object)new
            {
                name = reader.GetName(i) is "?column?" ? $"f{i}_" : reader.GetName(i),
                type = TypeOf(reader.GetDataTypeName(i)),
                mode = "NULLABLE",
            }).ToArray();
            var rows = new List<object?[]>();
            while (await reader.ReadAsync())
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Cell(reader, i)).ToArray());
            Executed.Enqueue(translated);
            var jobId = "fake-job-" + Interlocked.Increment(ref _next);
            _jobs[jobId] = (schema, rows);
            return Page(jobId, 0, body["maxResults"]?.GetValue<int>() ?? 10_000);
        }
        catch (PostgresException e)
        {
            return Bq.Error(400, "invalidQuery", $"{e.MessageText} (fake BigQuery on PostgreSQL; SQL: {translated})");
        }
    }

    private ScriptedResponse Page(string jobId, int offset, int size)
    {
        if (!_jobs.TryGetValue(jobId, out var job)) return Bq.Error(404, "notFound", $"Not found: Job {jobId}");
        var rows = job.Rows.Skip(offset).Take(size).ToArray();
        var next = offset + size < job.Rows.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : null;
        return Bq.Query(jobId, true, job.Schema, rows, next);
    }

    private static string TypeOf(string pgType) => pgType switch
    {
        "bigint" or "integer" or "smallint" => "INTEGER",
        "numeric" => "NUMERIC",
        "date" => "DATE",
        "boolean" => "BOOLEAN",
        "timestamp with time zone" => "TIMESTAMP",
        _ => "STRING",
    };

    private static object? Cell(NpgsqlDataReader reader, int i)
    {
        if (reader.IsDBNull(i)) return null;
        return reader.GetDataTypeName(i) switch
        {
            "date" => reader.GetFieldValue<DateOnly>(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "boolean" => reader.GetBoolean(i) ? "true" : "false",
            "timestamp with time zone" => ((reader.GetFieldValue<DateTimeOffset>(i).ToUnixTimeMilliseconds()) * 1000).ToString(CultureInfo.InvariantCulture),
            _ => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture),
        };
    }

    /// <summary>BigQuery Standard SQL → PostgreSQL, for the constructs OpsConsole's generators emit.</summary>
    public static string ToPostgres(string sql, JsonArray parameters)
    {
        var structs = parameters.OfType<JsonObject>()
            .Where(p => p["parameterType"]?["arrayType"]?["type"]?.GetValue<string>() == "STRUCT")
            .ToDictionary(p => p["name"]!.GetValue<string>(), p => p["parameterType"]!["arrayType"]!["structTypes"]!.AsArray());
        var s = Regex.Replace(sql, @"`[^`]*\.([^`.]+)`", "$1");
        s = Regex.Replace(s, @"\(SELECT \* FROM UNNEST\(@(\w+)\)\)(?:(\s+)(\w+))?", m =>
        {
            var name = m.Groups[1].Value;
            if (!structs.TryGetValue(name, out var fields)) throw new InvalidOperationException($"@{name} is not an ARRAY<STRUCT> parameter");
            var columns = string.Join(", ", fields.Select(f => $"{f!["name"]!.GetValue<string>()} {PgType(f["type"]!["type"]!.GetValue<string>())}"));
            var table = $"(SELECT * FROM jsonb_to_recordset(@{name}) AS r({columns}))";
            var next = m.Groups[3].Value;
            var hasAlias = next.Length > 0 && !Regex.IsMatch(next, "^(WHERE|JOIN|LEFT|INNER|ON|GROUP|ORDER|UNION|CROSS)$", RegexOptions.IgnoreCase);
            return hasAlias ? table + m.Groups[2].Value + next : $"{table} AS u_{name}{m.Groups[2].Value}{next}";
        });
        s = Regex.Replace(s, @"FORMAT_DATE\('%Y-%m-%d', ([\w.]+)\)", "to_char($1, 'YYYY-MM-DD')");
        s = Regex.Replace(s, @" AS STRING\)", " AS TEXT)");
        s = Regex.Replace(s, @" AS INT64\)", " AS BIGINT)");
        s = Regex.Replace(s, @"IN UNNEST\((@\w+)\)", "= ANY($1)");
        if (s.Contains("\\'", StringComparison.Ordinal)) throw new InvalidOperationException("backslash-escaped literals are not translated");
        return s;
    }

    private static string PgType(string bigQueryType) => bigQueryType switch
    {
        "INT64" => "bigint",
        "STRING" => "text",
        "DATE" => "date",
        "BOOL" => "boolean",
        "TIMESTAMP" => "timestamptz",
        _ => throw new InvalidOperationException($"struct field type {bigQueryType} is not translated"),
    };

    private static NpgsqlParameter Bind(JsonObject p)
    {
        var name = p["name"]!.GetValue<string>();
        var type = p["parameterType"]!;
        var value = p["parameterValue"]!;
        var t = type["type"]!.GetValue<string>();
        if (t != "ARRAY")
            return Scalar(name, t, value["value"]?.GetValue<string>());
        var element = type["arrayType"]!;
        var values = value["arrayValues"]?.AsArray() ?? [];
        if (element["type"]!.GetValue<string>() == "STRUCT")
        {
            var fields = element["structTypes"]!.AsArray();
            var rows = new JsonArray(values.Select(v =>
            {
                var row = new JsonObject();
                foreach (var f in fields)
                {
                    var field = f!["name"]!.GetValue<string>();
                    var text = v!["structValues"]?[field]?["value"]?.GetValue<string>();
                    row[field] = text is null ? null : f["type"]!["type"]!.GetValue<string>() switch
                    {
                        "INT64" => JsonValue.Create(long.Parse(text, CultureInfo.InvariantCulture)),
                        "BOOL" => JsonValue.Create(bool.Parse(text)),
                        _ => JsonValue.Create(text),
                    };
                }
                return (JsonNode)row;
            }).ToArray());
            return new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = rows.ToJsonString() };
        }
        return new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = values.Select(v => v!["value"]!.GetValue<string>()).ToArray(),
        };
    }

    private static NpgsqlParameter Scalar(string name, string type, string? text) => type switch
    {
        "INT64" => new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = text is null ? DBNull.Value : long.Parse(text, CultureInfo.InvariantCulture) },
        "DATE" => new NpgsqlParameter(name, NpgsqlDbType.Date) { Value = text is null ? DBNull.Value : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture) },
        "BOOL" => new NpgsqlParameter(name, NpgsqlDbType.Boolean) { Value = text is null ? DBNull.Value : bool.Parse(text) },
        "TIMESTAMP" => new NpgsqlParameter(name, NpgsqlDbType.TimestampTz)
        {
            Value = text is null ? DBNull.Value : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture).UtcDateTime,
        },
        _ => new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)text ?? DBNull.Value },
    };
}
