using Npgsql;
using NpgsqlTypes;
using OpsConsole.Core.Common;
using OpsConsole.Core.Data;
using OpsConsole.Core.Payments;
using OpsConsole.Core.Reconciliation;
using OpsConsole.Core.Reconciliation.ControlTotals;

namespace OpsConsole.Cli.ConsoleBench;

/// <summary>
/// Bulk loads <see cref="ConsoleBenchData"/> into a migrated PostgreSQL database through
/// <see cref="PostgresBulkLoad"/>: every table streamed with binary COPY (two tables at a time) while the
/// secondary indexes and foreign keys are away; they are rebuilt (two at a time) and checked afterwards.
/// </summary>
public static class ConsoleBenchLoader
{
    private static readonly string[] Tables =
        ["payments", "payment_transactions", "payment_events", "cancel_attempts", "outbox_messages", "recon_findings"];

    public static async Task<IReadOnlyDictionary<string, long>> LoadAsync(string cs, ConsoleBenchData data,
        TextWriter log, CancellationToken ct)
    {
        // Two COPY streams and two index builders: the machine has two cores.
        await PostgresBulkLoad.RunAsync(cs, Tables, () => Task.WhenAll(
            InSequenceAsync(cs, data, ct, CopyPaymentsAsync, CopyTransactionsAsync, CopyCancelAttemptsAsync, CopyFindingsAsync),
            InSequenceAsync(cs, data, ct, CopyEventsAsync, CopyOutboxAsync)), log, builders: 2, ct);

        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await InsertRunsAsync(conn, data, ct);
        // Statistics for the runs too, as a server that has run reconciliation for a while has them (autovacuum
        // analyzes a table after its first 50 changes): without them the planner takes the date's runs for one row and
        // nests a loop over the findings per date (a 7-day control total measured 167 ms instead of 18 ms).
        await using (var analyze = new NpgsqlCommand("ANALYZE recon_runs, recon_run_control_totals", conn))
            await analyze.ExecuteNonQueryAsync(ct);
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables.Append("recon_run_control_totals"))
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", conn) { CommandTimeout = 0 };
            counts[table] = (long)(await cmd.ExecuteScalarAsync(ct))!;
        }
        return counts;
    }

    /// <summary>
    /// Throws unless the database at <paramref name="cs"/> has the same secondary indexes as
    /// <paramref name="reference"/> (a freshly migrated one): a kept database must still match the model.
    /// </summary>
    public static Task EnsureSameIndexesAsync(string cs, string reference, CancellationToken ct) =>
        PostgresBulkLoad.EnsureSameIndexesAsync(cs, reference, Tables, ct);

    private static async Task InSequenceAsync(string cs, ConsoleBenchData data, CancellationToken ct,
        params Func<NpgsqlConnection, ConsoleBenchData, CancellationToken, Task>[] steps)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        foreach (var step in steps) await step(conn, data, ct);
    }

    /// <summary>
    /// One SUCCEEDED run per business date (id = the day's index: the findings' first and last run) and its control
    /// totals: ours summed from the transactions, the PG's chosen so that our net − PG gross is exactly the signed
    /// differences of the date's confirmed findings (computed here from the data set, not by the console's query),
    /// so the dashboard's "adds up" is the benchmark's check of right answers.
    /// </summary>
    private static async Task InsertRunsAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct)
    {
        var first = d.LastDate.AddDays(1 - d.Days);
        long RunOf(DateOnly date) => date.DayNumber - d.LastDate.DayNumber + d.Days;
        bool InRange(DateOnly date) => date >= first && date <= d.LastDate;
        var ours = new Dictionary<DateOnly, LedgerSide>();
        foreach (var t in d.Transactions())
        {
            var date = BusinessCalendar.BusinessDateOf(t.At);
            var side = ours.GetValueOrDefault(date) ?? LedgerSide.Empty;
            ours[date] = side.Plus(t.Kind == TransactionKind.APPROVAL ? new LedgerSide(1, t.Amount, 0, 0) : new LedgerSide(0, 0, 1, t.Amount));
        }
        var explained = new Dictionary<DateOnly, long>();
        for (long j = 1; j <= d.Findings; j++)
        {
            if (ConsoleBenchData.FindingVerdictOf(j) != FindingVerdict.CONFIRMED) continue;
            var (date, type, amount) = (d.BusinessDate(d.FindingPayment(j)), ConsoleBenchData.FindingTypeOf(j), ConsoleBenchData.Amount(d.FindingPayment(j)));
            if (type != FindingType.MISSING_INTERNAL) explained[date] = explained.GetValueOrDefault(date) + amount;
            if (type == FindingType.MISSING_EXTERNAL) continue;
            var external = (type == FindingType.AMOUNT_MISMATCH ? amount - 100 : amount) * (type == FindingType.DUPLICATE_EXTERNAL ? 2 : 1);
            var sold = type == FindingType.DATE_MISMATCH ? date.AddDays(1) : date;
            if (InRange(sold)) explained[sold] = explained.GetValueOrDefault(sold) - external;
        }
        for (var date = first; date <= d.LastDate; date = date.AddDays(1))
        {
            var at = BusinessCalendar.StartOfDayUtc(date.AddDays(1)).AddHours(1);
            var o = ours.GetValueOrDefault(date) ?? LedgerSide.Empty;
            var gross = o.Net - explained.GetValueOrDefault(date);
            var fee = gross / 40;
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO recon_runs (id, business_date, trigger, requested_by, status, phase, progress_percent, started_at,
                    heartbeat_at, finished_at, pass1_count, confirmed_count, transient_count, confirmed_amount, auto_resolved_count,
                    keys_learned, keyless_approvals, scope, pg)
                VALUES (@run, @date, 'SCHEDULE', 'bench', 'SUCCEEDED', 'DONE', 100, @at, @at, @at, 0, 0, 0, 0, 0, 0, 0, 'FULL', @pg);
                INSERT INTO recon_run_control_totals (run_id, business_date, currency, our_approval_count, our_approval_amount,
                    our_cancel_count, our_cancel_amount, pg_approval_line_count, pg_approval_amount, pg_cancel_line_count,
                    pg_cancel_amount, pg_fee, pg_vat, pg_payout)
                VALUES (@run, @date, 'KRW', @oac, @oaa, @occ, @oca, @oac, @paa, @occ, @oca, @fee, @vat, @payout);
                """, conn);
            cmd.Parameters.AddWithValue("run", RunOf(date));
            cmd.Parameters.AddWithValue("pg", Core.Gateway.PgConnections.LegacyName);
            cmd.Parameters.AddWithValue("date", date);
            cmd.Parameters.AddWithValue("at", at.UtcDateTime);
            cmd.Parameters.AddWithValue("oac", o.ApprovalCount);
            cmd.Parameters.AddWithValue("oaa", o.ApprovalAmount);
            cmd.Parameters.AddWithValue("occ", o.CancelCount);
            cmd.Parameters.AddWithValue("oca", o.CancelAmount);
            cmd.Parameters.AddWithValue("paa", gross + o.CancelAmount);
            cmd.Parameters.AddWithValue("fee", fee);
            cmd.Parameters.AddWithValue("vat", fee / 11);
            cmd.Parameters.AddWithValue("payout", gross - fee);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    private static void Text(NpgsqlBinaryImporter w, string? value)
    {
        if (value is null) w.WriteNull();
        else w.Write(value, NpgsqlDbType.Varchar);
    }

    private static void Time(NpgsqlBinaryImporter w, DateTimeOffset? value)
    {
        if (value is { } v) w.Write(v.UtcDateTime, NpgsqlDbType.TimestampTz);
        else w.WriteNull();
    }

    private static void Long(NpgsqlBinaryImporter w, long? value)
    {
        if (value is { } v) w.Write(v, NpgsqlDbType.Bigint);
        else w.WriteNull();
    }

    private static Task CopyPaymentsAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct) =>
        PostgresBulkLoad.CopyAsync(conn, "payments",
            "id, payment_key, order_id, amount, balance_amount, pending_cancel_amount, currency, method, status, requested_at, " +
            "approved_at, updated_at, failure_code, failure_message, trace_id, version, janitor_attempts, pg",
            d.PaymentIds(), (w, i) =>
            {
                var status = ConsoleBenchData.Status(i);
                var at = d.RequestedAt(i);
                w.Write(i, NpgsqlDbType.Bigint);
                Text(w, ConsoleBenchData.PaymentKey(i));
                Text(w, ConsoleBenchData.OrderId(i));
                Long(w, ConsoleBenchData.Amount(i));
                Long(w, ConsoleBenchData.Balance(i));
                Long(w, 0);
                Text(w, "KRW");
                Text(w, ConsoleBenchData.Method(i).ToString());
                Text(w, status.ToString());
                Time(w, at);
                Time(w, ConsoleBenchData.IsApproved(i) ? at.AddSeconds(2) : null);
                Time(w, at.AddHours(ConsoleBenchData.IsCanceled(i) ? 3 : 0).AddSeconds(2));
                Text(w, status == PaymentStatus.ABORTED ? ConsoleBenchData.ErrorCode(i) : null);
                Text(w, status == PaymentStatus.ABORTED ? "card company declined" : null);
                Text(w, ConsoleBenchData.TraceId(i));
                Long(w, 1);
                w.Write(status == PaymentStatus.EXPIRED ? 1 : 0, NpgsqlDbType.Integer);
                Text(w, Core.Gateway.PgConnections.LegacyName);
            }, ct);

    private static Task CopyTransactionsAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct) =>
        PostgresBulkLoad.CopyAsync(conn, "payment_transactions",
            "id, payment_id, payment_key, order_id, transaction_key, kind, amount, method, occurred_at, currency, pg",
            d.Transactions(), (w, t) =>
            {
                w.Write(t.Id, NpgsqlDbType.Bigint);
                w.Write(t.PaymentId, NpgsqlDbType.Bigint);
                Text(w, ConsoleBenchData.PaymentKey(t.PaymentId));
                Text(w, ConsoleBenchData.OrderId(t.PaymentId));
                Text(w, t.TransactionKey);
                Text(w, t.Kind.ToString());
                Long(w, t.Amount);
                Text(w, ConsoleBenchData.Method(t.PaymentId).ToString());
                Time(w, t.At);
                Text(w, "KRW");
                Text(w, Core.Gateway.PgConnections.LegacyName);
            }, ct);

    private static Task CopyEventsAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct) =>
        PostgresBulkLoad.CopyAsync(conn, "payment_events",
            "id, payment_key, order_id, type, message, from_status, to_status, http_method, path, status_code, pg_code, " +
            "latency_ms, request_summary, response_summary, trace_id, span_id, occurred_at",
            d.Events(), (w, e) =>
            {
                w.Write(e.Id, NpgsqlDbType.Bigint);
                Text(w, ConsoleBenchData.PaymentKey(e.PaymentId));
                Text(w, ConsoleBenchData.OrderId(e.PaymentId));
                Text(w, e.Type);
                Text(w, e.Message);
                Text(w, e.From);
                Text(w, e.To);
                Text(w, e.HttpMethod);
                Text(w, e.Path);
                if (e.StatusCode is { } code) w.Write(code, NpgsqlDbType.Integer);
                else w.WriteNull();
                Text(w, e.PgCode);
                Long(w, e.HttpMethod is null ? null : 120 + (long)(ConsoleBenchData.Hash(e.Id, 30) % 400));
                Text(w, e.Request);
                Text(w, e.Response);
                Text(w, ConsoleBenchData.TraceId(e.PaymentId));
                Text(w, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ConsoleBenchData.Hash(e.Id, 31):x16}"));
                Time(w, e.At);
            }, ct);

    private static Task CopyCancelAttemptsAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct) =>
        PostgresBulkLoad.CopyAsync(conn, "cancel_attempts",
            "id, payment_id, payment_key, idempotency_key, amount, is_full_cancel, reason, requested_by, status, " +
            "transaction_key, created_at, updated_at, trace_id, janitor_attempts",
            d.PaymentIds().Where(ConsoleBenchData.IsCanceled), (w, i) =>
            {
                var at = d.RequestedAt(i).AddHours(3);
                w.Write(i, NpgsqlDbType.Bigint);
                w.Write(i, NpgsqlDbType.Bigint);
                Text(w, ConsoleBenchData.PaymentKey(i));
                Text(w, ConsoleBenchData.IdempotencyKey(i));
                Long(w, ConsoleBenchData.Amount(i) - ConsoleBenchData.Balance(i));
                w.Write(ConsoleBenchData.Status(i) == PaymentStatus.CANCELED, NpgsqlDbType.Boolean);
                Text(w, ConsoleBenchData.CancelReason);
                Text(w, "ops01");
                Text(w, CancelAttemptStatus.SUCCEEDED.ToString());
                Text(w, ConsoleBenchData.CancelKey(i));
                Time(w, at);
                Time(w, at.AddSeconds(1));
                Text(w, ConsoleBenchData.TraceId(i));
                w.Write(0, NpgsqlDbType.Integer);
            }, ct);

    private static Task CopyOutboxAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct) =>
        PostgresBulkLoad.CopyAsync(conn, "outbox_messages",
            "id, type, aggregate_key, payload, trace_id, created_at, sent_at, attempts, next_attempt_at",
            d.PaymentIds().Where(ConsoleBenchData.IsApproved), (w, i) =>
            {
                var at = d.RequestedAt(i).AddSeconds(2);
                w.Write(i, NpgsqlDbType.Bigint);
                Text(w, "payment.approved");
                Text(w, ConsoleBenchData.PaymentKey(i));
                Text(w, $"{{\"orderId\":\"{ConsoleBenchData.OrderId(i)}\",\"amount\":{ConsoleBenchData.Amount(i)}}}");
                Text(w, ConsoleBenchData.TraceId(i));
                Time(w, at);
                Time(w, at.AddSeconds(1));
                w.Write(1, NpgsqlDbType.Integer);
                Time(w, at);
            }, ct);

    private static Task CopyFindingsAsync(NpgsqlConnection conn, ConsoleBenchData d, CancellationToken ct) =>
        PostgresBulkLoad.CopyAsync(conn, "recon_findings",
            "id, transaction_key, type, business_date, verdict, status, payment_key, order_id, trace_id, payment_status, " +
            "internal_kind, internal_amount, internal_method, internal_business_date, internal_occurred_at, " +
            "external_line_count, external_amount, external_amount_total, external_fee, external_method, external_sold_date, " +
            "external_approved_at, diff_fields, money_at_risk, assignee, first_run_id, last_run_id, first_seen_at, " +
            "last_seen_at, seen_count, acknowledged_at, acknowledged_by, resolved_at, resolved_by, version, pg",
            Enumerable.Range(1, d.Findings).Select(j => (long)j), (w, j) =>
            {
                var i = d.FindingPayment(j);
                var type = ConsoleBenchData.FindingTypeOf(j);
                var status = ConsoleBenchData.FindingStatusOf(j);
                var date = d.BusinessDate(i);
                var at = d.RequestedAt(i);
                var hasInternal = type != FindingType.MISSING_INTERNAL;
                var hasExternal = type != FindingType.MISSING_EXTERNAL;
                var amount = ConsoleBenchData.Amount(i);
                var seenAt = BusinessCalendar.StartOfDayUtc(date.AddDays(1)).AddHours(1 + ConsoleBenchData.Hash(j, 27) % 20);
                var dayIndex = date.DayNumber - d.LastDate.DayNumber + d.Days;
                w.Write(j, NpgsqlDbType.Bigint);
                Text(w, ConsoleBenchData.ApprovalKey(i));
                Text(w, type.ToString());
                w.Write(date, NpgsqlDbType.Date);
                Text(w, ConsoleBenchData.FindingVerdictOf(j).ToString());
                Text(w, status.ToString());
                Text(w, ConsoleBenchData.PaymentKey(i));
                Text(w, ConsoleBenchData.OrderId(i));
                Text(w, ConsoleBenchData.TraceId(i));
                Text(w, type == FindingType.CHARGED_BUT_FAILED ? nameof(PaymentStatus.ABORTED) : ConsoleBenchData.Status(i).ToString());
                Text(w, hasInternal ? nameof(TransactionKind.APPROVAL) : null);
                Long(w, hasInternal ? amount : null);
                Text(w, hasInternal ? ConsoleBenchData.Method(i).ToString() : null);
                if (hasInternal) w.Write(date, NpgsqlDbType.Date);
                else w.WriteNull();
                Time(w, hasInternal ? at : null);
                w.Write(hasExternal ? type == FindingType.DUPLICATE_EXTERNAL ? 2 : 1 : 0, NpgsqlDbType.Integer);
                var external = type == FindingType.AMOUNT_MISMATCH ? amount - 100 : amount;
                Long(w, hasExternal ? external : null);
                Long(w, hasExternal ? external * (type == FindingType.DUPLICATE_EXTERNAL ? 2 : 1) : null);
                Long(w, hasExternal ? external / 40 : null);
                Text(w, hasExternal ? ConsoleBenchData.Method(i).ToString() : null);
                if (hasExternal) w.Write(type == FindingType.DATE_MISMATCH ? date.AddDays(1) : date, NpgsqlDbType.Date);
                else w.WriteNull();
                Time(w, hasExternal ? at : null);
                Text(w, type switch
                {
                    FindingType.MISSING_INTERNAL => "internal",
                    FindingType.MISSING_EXTERNAL => "external",
                    FindingType.DUPLICATE_EXTERNAL => "lineCount",
                    FindingType.AMOUNT_MISMATCH => "amount",
                    FindingType.DATE_MISMATCH => "soldDate",
                    FindingType.FEE_MISMATCH => "fee",
                    _ => "internal",
                });
                Long(w, ConsoleBenchData.FindingMoney(j));
                Text(w, ConsoleBenchData.FindingAssignee(j));
                Long(w, dayIndex);
                Long(w, dayIndex);
                Time(w, seenAt);
                Time(w, seenAt);
                w.Write(1, NpgsqlDbType.Integer);
                var acknowledged = status != FindingStatus.OPEN && status != FindingStatus.AUTO_RESOLVED;
                Time(w, acknowledged ? seenAt.AddHours(2) : null);
                Text(w, acknowledged ? "ops01" : null);
                Time(w, status is FindingStatus.RESOLVED or FindingStatus.AUTO_RESOLVED ? seenAt.AddHours(4) : null);
                Text(w, status == FindingStatus.RESOLVED ? "ops02" : status == FindingStatus.AUTO_RESOLVED ? ReconciliationSqlGenerator.ResolvedBySystem : null);
                Long(w, 1);
                Text(w, Core.Gateway.PgConnections.LegacyName);
            }, ct);
}
