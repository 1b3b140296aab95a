using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OpsConsole.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_clients",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    scopes = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    key_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    key_hint = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    is_demo = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    last_used_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    revoked_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_clients", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    target_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    target_id = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    before = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    after = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "bank_statement_imports",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    file_name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    format = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    profile_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    account_name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    row_count = table.Column<int>(type: "INTEGER", nullable: false),
                    period_from = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    period_to = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    imported_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    imported_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bank_statement_imports", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "cash_calendar_days",
                columns: table => new
                {
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    is_business_day = table.Column<bool>(type: "INTEGER", nullable: false),
                    business_ordinal = table.Column<int>(type: "INTEGER", nullable: false),
                    due_ordinal = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cash_calendar_days", x => x.date);
                });

            migrationBuilder.CreateTable(
                name: "cash_settings",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cash_settings", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    friendly_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "fee_contracts",
                columns: table => new
                {
                    m_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    terms = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fee_contracts", x => x.m_id);
                });

            migrationBuilder.CreateTable(
                name: "identity_roles",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    normalized_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    concurrency_stamp = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_roles", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "identity_users",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    normalized_user_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    normalized_email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    email_confirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    password_hash = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    security_stamp = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    concurrency_stamp = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    phone_number = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    phone_number_confirmed = table.Column<bool>(type: "INTEGER", nullable: false),
                    two_factor_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    lockout_end = table.Column<long>(type: "INTEGER", nullable: true),
                    lockout_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    access_failed_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    type = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    aggregate_key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    payload = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    sent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "payment_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    from_status = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    to_status = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    http_method = table.Column<string>(type: "TEXT", maxLength: 10, nullable: true),
                    path = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    pg_code = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    latency_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    request_summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    response_summary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    span_id = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    balance_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pending_cancel_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    method_text = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    approved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    failure_code = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    failure_message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false),
                    janitor_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_janitor_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payments", x => x.id);
                    table.CheckConstraint("ck_payments_balance", "balance_amount >= 0 AND balance_amount <= amount");
                    table.CheckConstraint("ck_payments_pending_cancel", "pending_cancel_amount >= 0 AND pending_cancel_amount <= balance_amount");
                });

            migrationBuilder.CreateTable(
                name: "payout_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    from_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    to_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    as_of_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    pass1_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    pass2_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    persist_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    expected_count = table.Column<int>(type: "INTEGER", nullable: false),
                    expected_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    deposit_count = table.Column<int>(type: "INTEGER", nullable: false),
                    deposit_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pass1_count = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed_count = table.Column<int>(type: "INTEGER", nullable: false),
                    transient_count = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    auto_resolved_count = table.Column<int>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    alert_delivered = table.Column<bool>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payout_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_control_total_deltas",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    our_approval_count = table.Column<long>(type: "INTEGER", nullable: false),
                    our_approval_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    our_cancel_count = table.Column<long>(type: "INTEGER", nullable: false),
                    our_cancel_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_approval_line_count = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_approval_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_cancel_line_count = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_cancel_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_fee = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_vat = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_payout = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_control_total_deltas", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_control_total_verifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    verified_at = table.Column<long>(type: "INTEGER", nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pending_deltas = table.Column<int>(type: "INTEGER", nullable: false),
                    result = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    our_net_drift = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_gross_drift = table.Column<long>(type: "INTEGER", nullable: false),
                    drift = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    duration_ms = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_control_total_verifications", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_dirty_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_dirty_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_finding_sightings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    finding_id = table.Column<long>(type: "INTEGER", nullable: false),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    run_business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    verdict = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    money_at_risk = table.Column<long>(type: "INTEGER", nullable: false),
                    seen_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_finding_sightings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_findings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    verdict = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    pass1_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    transient_reason = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    payment_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    internal_kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    internal_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    internal_method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    internal_business_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    internal_occurred_at = table.Column<long>(type: "INTEGER", nullable: true),
                    external_line_count = table.Column<int>(type: "INTEGER", nullable: false),
                    external_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    external_amount_total = table.Column<long>(type: "INTEGER", nullable: true),
                    external_fee = table.Column<long>(type: "INTEGER", nullable: true),
                    external_expected_fee = table.Column<long>(type: "INTEGER", nullable: true),
                    external_method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    external_sold_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    external_approved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    pg_live_status = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    pg_live_balance = table.Column<long>(type: "INTEGER", nullable: true),
                    pg_live_checked_at = table.Column<long>(type: "INTEGER", nullable: true),
                    diff_fields = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    money_at_risk = table.Column<long>(type: "INTEGER", nullable: false),
                    assignee = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    first_run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    first_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    acknowledged_at = table.Column<long>(type: "INTEGER", nullable: true),
                    acknowledged_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    resolved_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_recon_findings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_run_items",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pass = table.Column<int>(type: "INTEGER", nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    finding_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    payment_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    internal_kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    internal_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    internal_method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    internal_business_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    internal_occurred_at = table.Column<long>(type: "INTEGER", nullable: true),
                    external_line_count = table.Column<int>(type: "INTEGER", nullable: false),
                    external_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    external_amount_total = table.Column<long>(type: "INTEGER", nullable: true),
                    external_fee = table.Column<long>(type: "INTEGER", nullable: true),
                    external_expected_fee = table.Column<long>(type: "INTEGER", nullable: true),
                    external_method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    external_sold_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    external_approved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    diff_fields = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    money_at_risk = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    pg_live_status = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    pg_live_balance = table.Column<long>(type: "INTEGER", nullable: true),
                    pg_live_checked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_run_items", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "recon_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    trigger = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    phase = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    progress_percent = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    heartbeat_at = table.Column<long>(type: "INTEGER", nullable: false),
                    finished_at = table.Column<long>(type: "INTEGER", nullable: true),
                    pull_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    pass1_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    settle_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    pass2_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    persist_ms = table.Column<long>(type: "INTEGER", nullable: true),
                    pass1_count = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed_count = table.Column<int>(type: "INTEGER", nullable: false),
                    transient_count = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    auto_resolved_count = table.Column<int>(type: "INTEGER", nullable: false),
                    error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    keys_learned = table.Column<int>(type: "INTEGER", nullable: false),
                    keyless_approvals = table.Column<long>(type: "INTEGER", nullable: false),
                    lines_without_contract = table.Column<long>(type: "INTEGER", nullable: true),
                    scope = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    compared_keys = table.Column<int>(type: "INTEGER", nullable: true),
                    carried_from_run_id = table.Column<long>(type: "INTEGER", nullable: true),
                    carried_at = table.Column<long>(type: "INTEGER", nullable: true),
                    rules_fingerprint = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    alert_delivered = table.Column<bool>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "repair_batches",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    reason_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    comment = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    approved_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    approved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    rejected_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    reject_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    heartbeat_at = table.Column<long>(type: "INTEGER", nullable: true),
                    item_count = table.Column<int>(type: "INTEGER", nullable: false),
                    total_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_repair_batches", x => x.id);
                    table.CheckConstraint("ck_repair_batches_four_eyes", "approved_by IS NULL OR approved_by <> requested_by");
                });

            migrationBuilder.CreateTable(
                name: "repair_requests",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    finding_id = table.Column<long>(type: "INTEGER", nullable: true),
                    batch_id = table.Column<long>(type: "INTEGER", nullable: true),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    is_full_refund = table.Column<bool>(type: "INTEGER", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    reason_code = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    comment = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    requested_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    approved_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    approved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    rejected_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    reject_reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    execution_started_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_repair_requests", x => x.id);
                    table.CheckConstraint("ck_repair_requests_amount", "amount >= 0");
                    table.CheckConstraint("ck_repair_requests_four_eyes", "approved_by IS NULL OR approved_by <> requested_by");
                });

            migrationBuilder.CreateTable(
                name: "settlement_imports",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    row_count = table.Column<int>(type: "INTEGER", nullable: false),
                    imported_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    imported_at = table.Column<long>(type: "INTEGER", nullable: false),
                    range_from = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    range_to = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_settlement_imports", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "bank_transactions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    import_id = table.Column<long>(type: "INTEGER", nullable: false),
                    line_number = table.Column<int>(type: "INTEGER", nullable: false),
                    account_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    booking_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    value_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    booking_time = table.Column<TimeOnly>(type: "TEXT", nullable: true),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    direction = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    counterparty = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    memo = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    balance = table.Column<long>(type: "INTEGER", nullable: true),
                    account_servicer_ref = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bank_transactions", x => x.id);
                    table.ForeignKey(
                        name: "fk_bank_transactions_bank_statement_imports_import_id",
                        column: x => x.import_id,
                        principalTable: "bank_statement_imports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "identity_role_claims",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    role_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    claim_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    claim_value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_role_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_identity_role_claims_identity_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "identity_roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "identity_user_claims",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    claim_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    claim_value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_user_claims", x => x.id);
                    table.ForeignKey(
                        name: "fk_identity_user_claims_identity_users_user_id",
                        column: x => x.user_id,
                        principalTable: "identity_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "identity_user_logins",
                columns: table => new
                {
                    login_provider = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    provider_key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    provider_display_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_user_logins", x => new { x.login_provider, x.provider_key });
                    table.ForeignKey(
                        name: "fk_identity_user_logins_identity_users_user_id",
                        column: x => x.user_id,
                        principalTable: "identity_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "identity_user_roles",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    role_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_user_roles", x => new { x.user_id, x.role_id });
                    table.ForeignKey(
                        name: "fk_identity_user_roles_identity_roles_role_id",
                        column: x => x.role_id,
                        principalTable: "identity_roles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_identity_user_roles_identity_users_user_id",
                        column: x => x.user_id,
                        principalTable: "identity_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "identity_user_tokens",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    login_provider = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_user_tokens", x => new { x.user_id, x.login_provider, x.name });
                    table.ForeignKey(
                        name: "fk_identity_user_tokens_identity_users_user_id",
                        column: x => x.user_id,
                        principalTable: "identity_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cancel_attempts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    payment_id = table.Column<long>(type: "INTEGER", nullable: false),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    is_full_cancel = table.Column<bool>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    failure_code = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    failure_message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    trace_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    janitor_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_janitor_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cancel_attempts", x => x.id);
                    table.CheckConstraint("ck_cancel_attempts_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_cancel_attempts_payments_payment_id",
                        column: x => x.payment_id,
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payment_transactions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    payment_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payment_transactions", x => x.id);
                    table.CheckConstraint("ck_payment_transactions_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_payment_transactions_payments_payment_id",
                        column: x => x.payment_id,
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payout_run_groups",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_mid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    paid_out_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    sold_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    net_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    line_count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payout_run_groups", x => x.id);
                    table.ForeignKey(
                        name: "fk_payout_run_groups_payout_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "payout_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payout_run_items",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pass = table.Column<int>(type: "INTEGER", nullable: false),
                    item_key = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    finding_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    match_kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    pg_mid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    account_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    expected_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    due_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    deadline_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    expected_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    net_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    line_count = table.Column<long>(type: "INTEGER", nullable: false),
                    deposit_id = table.Column<long>(type: "INTEGER", nullable: true),
                    deposit_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    received_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    money_at_risk = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payout_run_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_payout_run_items_payout_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "payout_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "payout_run_jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pass = table.Column<int>(type: "INTEGER", nullable: false),
                    step = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    job_id = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    location = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    estimated_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_processed = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_billed = table.Column<long>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    rows_returned = table.Column<int>(type: "INTEGER", nullable: false),
                    console_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_payout_run_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_payout_run_jobs_payout_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "payout_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recon_finding_last_seen",
                columns: table => new
                {
                    finding_id = table.Column<long>(type: "INTEGER", nullable: false),
                    last_run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    last_seen_at = table.Column<long>(type: "INTEGER", nullable: false),
                    seen_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_recon_finding_last_seen", x => x.finding_id);
                    table.ForeignKey(
                        name: "fk_recon_findings_recon_findings_id",
                        column: x => x.finding_id,
                        principalTable: "recon_findings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recon_run_control_totals",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    business_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    our_approval_count = table.Column<long>(type: "INTEGER", nullable: false),
                    our_approval_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    our_cancel_count = table.Column<long>(type: "INTEGER", nullable: false),
                    our_cancel_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_approval_line_count = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_approval_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_cancel_line_count = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_cancel_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_fee = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_vat = table.Column<long>(type: "INTEGER", nullable: false),
                    pg_payout = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_run_control_totals", x => new { x.run_id, x.currency });
                    table.ForeignKey(
                        name: "fk_recon_run_control_totals_recon_run_run_id",
                        column: x => x.run_id,
                        principalTable: "recon_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recon_run_keys",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_run_keys", x => new { x.run_id, x.transaction_key });
                    table.ForeignKey(
                        name: "fk_recon_run_keys_recon_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "recon_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recon_run_totals",
                columns: table => new
                {
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    finding_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    confirmed_count = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    transient_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_run_totals", x => new { x.run_id, x.finding_type });
                    table.ForeignKey(
                        name: "fk_recon_run_totals_recon_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "recon_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recon_warehouse_jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    run_id = table.Column<long>(type: "INTEGER", nullable: false),
                    pass = table.Column<int>(type: "INTEGER", nullable: false),
                    engine = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    job_id = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    location = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    estimated_bytes = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_processed = table.Column<long>(type: "INTEGER", nullable: false),
                    bytes_billed = table.Column<long>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    console_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    rows_returned = table.Column<int>(type: "INTEGER", nullable: false),
                    recorded_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_warehouse_jobs", x => x.id);
                    table.ForeignKey(
                        name: "fk_recon_warehouse_jobs_recon_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "recon_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "repair_batch_items",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    batch_id = table.Column<long>(type: "INTEGER", nullable: false),
                    finding_id = table.Column<long>(type: "INTEGER", nullable: false),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    repair_id = table.Column<long>(type: "INTEGER", nullable: true),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    result = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    why = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_repair_batch_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_repair_batch_items_repair_batches_batch_id",
                        column: x => x.batch_id,
                        principalTable: "repair_batches",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "settlement_lines",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    import_id = table.Column<long>(type: "INTEGER", nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    pg = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    line_number = table.Column<int>(type: "INTEGER", nullable: false),
                    payment_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    order_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    method = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    amount = table.Column<long>(type: "INTEGER", nullable: false),
                    fee = table.Column<long>(type: "INTEGER", nullable: false),
                    supply_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    vat = table.Column<long>(type: "INTEGER", nullable: false),
                    pay_out_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    approved_at = table.Column<long>(type: "INTEGER", nullable: false),
                    sold_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    paid_out_date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    m_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    method_text = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    interest_fee = table.Column<long>(type: "INTEGER", nullable: true),
                    fee_base = table.Column<long>(type: "INTEGER", nullable: true),
                    fee_installment_discount = table.Column<long>(type: "INTEGER", nullable: true),
                    fee_installment = table.Column<long>(type: "INTEGER", nullable: true),
                    fee_point_saving = table.Column<long>(type: "INTEGER", nullable: true),
                    fee_etc = table.Column<long>(type: "INTEGER", nullable: true),
                    card_issuer_code = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    card_acquirer_code = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    card_installment_plan_months = table.Column<int>(type: "INTEGER", nullable: true),
                    card_is_interest_free = table.Column<bool>(type: "INTEGER", nullable: true),
                    card_interest_payer = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    card_acquire_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    easy_pay_provider = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    cancel_transaction_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    cancel_amount = table.Column<long>(type: "INTEGER", nullable: true),
                    canceled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    key_repeated = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_settlement_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_settlement_lines_settlement_imports_import_id",
                        column: x => x.import_id,
                        principalTable: "settlement_imports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "recon_finding_notes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    finding_id = table.Column<long>(type: "INTEGER", nullable: false),
                    author = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_recon_finding_notes", x => x.id);
                    table.ForeignKey(
                        name: "fk_recon_finding_notes_recon_findings_finding_id",
                        column: x => x.finding_id,
                        principalTable: "recon_finding_last_seen",
                        principalColumn: "finding_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_clients_key_hash",
                table: "api_clients",
                column: "key_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_clients_name",
                table: "api_clients",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_actor",
                table: "audit_log",
                column: "actor");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_at",
                table: "audit_log",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_payment_key_at",
                table: "audit_log",
                columns: new[] { "payment_key", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target_id",
                table: "audit_log",
                column: "target_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_target_type_target_id",
                table: "audit_log",
                columns: new[] { "target_type", "target_id" });

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_imports_imported_at",
                table: "bank_statement_imports",
                column: "imported_at");

            migrationBuilder.CreateIndex(
                name: "ix_bank_statement_imports_sha256",
                table: "bank_statement_imports",
                column: "sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bank_transactions_account_name_booking_date_direction",
                table: "bank_transactions",
                columns: new[] { "account_name", "booking_date", "direction" });

            migrationBuilder.CreateIndex(
                name: "ix_bank_transactions_import_id",
                table: "bank_transactions",
                column: "import_id");

            migrationBuilder.CreateIndex(
                name: "ix_cancel_attempts_idempotency_key",
                table: "cancel_attempts",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_cancel_attempts_payment_key",
                table: "cancel_attempts",
                column: "payment_key");

            migrationBuilder.CreateIndex(
                name: "ix_cancel_attempts_status_next_janitor_at",
                table: "cancel_attempts",
                columns: new[] { "status", "next_janitor_at" });

            migrationBuilder.CreateIndex(
                name: "ux_cancel_attempts_one_open_per_payment",
                table: "cancel_attempts",
                column: "payment_id",
                unique: true,
                filter: "status IN ('PENDING', 'UNKNOWN')");

            migrationBuilder.CreateIndex(
                name: "ix_cash_calendar_days_is_business_day_business_ordinal",
                table: "cash_calendar_days",
                columns: new[] { "is_business_day", "business_ordinal" });

            migrationBuilder.CreateIndex(
                name: "ix_identity_role_claims_role_id",
                table: "identity_role_claims",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "identity_roles",
                column: "normalized_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_identity_user_claims_user_id",
                table: "identity_user_claims",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_identity_user_logins_user_id",
                table: "identity_user_logins",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_identity_user_roles_role_id",
                table: "identity_user_roles",
                column: "role_id");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "identity_users",
                column: "normalized_email");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "identity_users",
                column: "normalized_user_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_aggregate_key",
                table: "outbox_messages",
                column: "aggregate_key");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_sent_at_next_attempt_at",
                table: "outbox_messages",
                columns: new[] { "sent_at", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_events_occurred_at",
                table: "payment_events",
                column: "occurred_at");

            migrationBuilder.CreateIndex(
                name: "ix_payment_events_order_id",
                table: "payment_events",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_payment_events_payment_key_occurred_at",
                table: "payment_events",
                columns: new[] { "payment_key", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_events_trace_id",
                table: "payment_events",
                column: "trace_id");

            migrationBuilder.CreateIndex(
                name: "ix_payment_events_type_occurred_at",
                table: "payment_events",
                columns: new[] { "type", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_payment_transactions_keyless",
                table: "payment_transactions",
                column: "payment_key",
                filter: "transaction_key IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_payment_transactions_occurred_at",
                table: "payment_transactions",
                column: "occurred_at");

            migrationBuilder.CreateIndex(
                name: "ix_payment_transactions_payment_id",
                table: "payment_transactions",
                column: "payment_id");

            migrationBuilder.CreateIndex(
                name: "ix_payment_transactions_payment_key",
                table: "payment_transactions",
                column: "payment_key");

            migrationBuilder.CreateIndex(
                name: "ix_payment_transactions_transaction_key",
                table: "payment_transactions",
                column: "transaction_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_payments_order_id",
                table: "payments",
                column: "order_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_payments_payment_key",
                table: "payments",
                column: "payment_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_payments_status_next_janitor_at",
                table: "payments",
                columns: new[] { "status", "next_janitor_at" });

            migrationBuilder.CreateIndex(
                name: "ix_payments_trace_id",
                table: "payments",
                column: "trace_id");

            migrationBuilder.CreateIndex(
                name: "ix_payout_run_groups_run_id_pg_mid_paid_out_date",
                table: "payout_run_groups",
                columns: new[] { "run_id", "pg_mid", "paid_out_date" });

            migrationBuilder.CreateIndex(
                name: "ix_payout_run_items_item_key_run_id",
                table: "payout_run_items",
                columns: new[] { "item_key", "run_id" });

            migrationBuilder.CreateIndex(
                name: "ix_payout_run_items_run_id_pass_item_key",
                table: "payout_run_items",
                columns: new[] { "run_id", "pass", "item_key" });

            migrationBuilder.CreateIndex(
                name: "ix_payout_run_jobs_run_id_pass",
                table: "payout_run_jobs",
                columns: new[] { "run_id", "pass" });

            migrationBuilder.CreateIndex(
                name: "ix_payout_runs_started_at",
                table: "payout_runs",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ux_payout_runs_one_running",
                table: "payout_runs",
                column: "status",
                unique: true,
                filter: "status = 'RUNNING'");

            migrationBuilder.CreateIndex(
                name: "ix_recon_control_total_deltas_business_date_pg",
                table: "recon_control_total_deltas",
                columns: new[] { "business_date", "pg" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_control_total_verifications_business_date_pg_id",
                table: "recon_control_total_verifications",
                columns: new[] { "business_date", "pg", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_dirty_keys_business_date_pg_transaction_key",
                table: "recon_dirty_keys",
                columns: new[] { "business_date", "pg", "transaction_key" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_last_run_id",
                table: "recon_finding_last_seen",
                column: "last_run_id");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_last_seen_at_id",
                table: "recon_finding_last_seen",
                columns: new[] { "last_seen_at", "finding_id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_finding_notes_finding_id_at",
                table: "recon_finding_notes",
                columns: new[] { "finding_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_finding_sightings_finding_id_run_id",
                table: "recon_finding_sightings",
                columns: new[] { "finding_id", "run_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_recon_finding_sightings_run_id_verdict",
                table: "recon_finding_sightings",
                columns: new[] { "run_id", "verdict" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_assignee_id",
                table: "recon_findings",
                columns: new[] { "assignee", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_backlog",
                table: "recon_findings",
                column: "business_date",
                filter: "verdict = 'CONFIRMED' AND status IN ('OPEN', 'ACKNOWLEDGED')");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_business_date_id",
                table: "recon_findings",
                columns: new[] { "business_date", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_business_date_money_at_risk_id",
                table: "recon_findings",
                columns: new[] { "business_date", "money_at_risk", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_business_date_pg_status",
                table: "recon_findings",
                columns: new[] { "business_date", "pg", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_money_at_risk_id",
                table: "recon_findings",
                columns: new[] { "money_at_risk", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_order_id",
                table: "recon_findings",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_other_sold_date",
                table: "recon_findings",
                column: "external_sold_date",
                filter: "external_sold_date <> business_date");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_payment_key",
                table: "recon_findings",
                column: "payment_key");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_resolved_at",
                table: "recon_findings",
                column: "resolved_at");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_status_id",
                table: "recon_findings",
                columns: new[] { "status", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_status_type",
                table: "recon_findings",
                columns: new[] { "status", "type" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_trace_id",
                table: "recon_findings",
                column: "trace_id");

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_transaction_key_type_pg",
                table: "recon_findings",
                columns: new[] { "transaction_key", "type", "pg" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_type_id",
                table: "recon_findings",
                columns: new[] { "type", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_findings_unassigned_backlog",
                table: "recon_findings",
                column: "first_seen_at",
                filter: "verdict = 'CONFIRMED' AND status IN ('OPEN', 'ACKNOWLEDGED') AND assignee IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_recon_run_items_run_id_pass_transaction_key",
                table: "recon_run_items",
                columns: new[] { "run_id", "pass", "transaction_key" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_runs_date_started",
                table: "recon_runs",
                columns: new[] { "business_date", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ix_recon_runs_started_at",
                table: "recon_runs",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ux_recon_runs_one_running_per_date_pg",
                table: "recon_runs",
                columns: new[] { "business_date", "pg" },
                unique: true,
                filter: "status = 'RUNNING'");

            migrationBuilder.CreateIndex(
                name: "ix_recon_warehouse_jobs_run_id_pass",
                table: "recon_warehouse_jobs",
                columns: new[] { "run_id", "pass" });

            migrationBuilder.CreateIndex(
                name: "ix_repair_batch_items_batch_id",
                table: "repair_batch_items",
                column: "batch_id");

            migrationBuilder.CreateIndex(
                name: "ix_repair_batches_status_requested_at",
                table: "repair_batches",
                columns: new[] { "status", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ix_repair_requests_batch_id",
                table: "repair_requests",
                column: "batch_id");

            migrationBuilder.CreateIndex(
                name: "ix_repair_requests_finding_id",
                table: "repair_requests",
                column: "finding_id");

            migrationBuilder.CreateIndex(
                name: "ix_repair_requests_idempotency_key",
                table: "repair_requests",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_repair_requests_status_requested_at",
                table: "repair_requests",
                columns: new[] { "status", "requested_at" });

            migrationBuilder.CreateIndex(
                name: "ux_repair_requests_one_open_per_payment",
                table: "repair_requests",
                column: "payment_key",
                unique: true,
                filter: "status IN ('REQUESTED', 'APPROVED', 'EXECUTING', 'UNKNOWN')");

            migrationBuilder.CreateIndex(
                name: "ix_settlement_imports_imported_at",
                table: "settlement_imports",
                column: "imported_at");

            migrationBuilder.CreateIndex(
                name: "ux_settlement_imports_csv_sha256",
                table: "settlement_imports",
                column: "sha256",
                unique: true,
                filter: "source = 'CSV'");

            migrationBuilder.CreateIndex(
                name: "ix_settlement_lines_import_id",
                table: "settlement_lines",
                column: "import_id");

            migrationBuilder.CreateIndex(
                name: "ix_settlement_lines_payment_key",
                table: "settlement_lines",
                column: "payment_key");

            migrationBuilder.CreateIndex(
                name: "ix_settlement_lines_payout_days",
                table: "settlement_lines",
                columns: new[] { "m_id", "paid_out_date" });

            migrationBuilder.CreateIndex(
                name: "ix_settlement_lines_repeated_keys",
                table: "settlement_lines",
                column: "transaction_key",
                filter: "key_repeated");

            migrationBuilder.CreateIndex(
                name: "ix_settlement_lines_sold_date_pg_transaction_key",
                table: "settlement_lines",
                columns: new[] { "sold_date", "pg", "transaction_key" });

            migrationBuilder.CreateIndex(
                name: "ix_settlement_lines_transaction_key",
                table: "settlement_lines",
                column: "transaction_key");

            migrationBuilder.CreateIndex(
                name: "ux_settlement_lines_single_line_keys",
                table: "settlement_lines",
                column: "transaction_key",
                unique: true,
                filter: "NOT key_repeated");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_clients");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "bank_transactions");

            migrationBuilder.DropTable(
                name: "cancel_attempts");

            migrationBuilder.DropTable(
                name: "cash_calendar_days");

            migrationBuilder.DropTable(
                name: "cash_settings");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "fee_contracts");

            migrationBuilder.DropTable(
                name: "identity_role_claims");

            migrationBuilder.DropTable(
                name: "identity_user_claims");

            migrationBuilder.DropTable(
                name: "identity_user_logins");

            migrationBuilder.DropTable(
                name: "identity_user_roles");

            migrationBuilder.DropTable(
                name: "identity_user_tokens");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "payment_events");

            migrationBuilder.DropTable(
                name: "payment_transactions");

            migrationBuilder.DropTable(
                name: "payout_run_groups");

            migrationBuilder.DropTable(
                name: "payout_run_items");

            migrationBuilder.DropTable(
                name: "payout_run_jobs");

            migrationBuilder.DropTable(
                name: "recon_control_total_deltas");

            migrationBuilder.DropTable(
                name: "recon_control_total_verifications");

            migrationBuilder.DropTable(
                name: "recon_dirty_keys");

            migrationBuilder.DropTable(
                name: "recon_finding_notes");

            migrationBuilder.DropTable(
                name: "recon_finding_sightings");

            migrationBuilder.DropTable(
                name: "recon_run_control_totals");

            migrationBuilder.DropTable(
                name: "recon_run_items");

            migrationBuilder.DropTable(
                name: "recon_run_keys");

            migrationBuilder.DropTable(
                name: "recon_run_totals");

            migrationBuilder.DropTable(
                name: "recon_warehouse_jobs");

            migrationBuilder.DropTable(
                name: "repair_batch_items");

            migrationBuilder.DropTable(
                name: "repair_requests");

            migrationBuilder.DropTable(
                name: "settlement_lines");

            migrationBuilder.DropTable(
                name: "bank_statement_imports");

            migrationBuilder.DropTable(
                name: "identity_roles");

            migrationBuilder.DropTable(
                name: "identity_users");

            migrationBuilder.DropTable(
                name: "payments");

            migrationBuilder.DropTable(
                name: "payout_runs");

            migrationBuilder.DropTable(
                name: "recon_finding_last_seen");

            migrationBuilder.DropTable(
                name: "recon_runs");

            migrationBuilder.DropTable(
                name: "repair_batches");

            migrationBuilder.DropTable(
                name: "settlement_imports");

            migrationBuilder.DropTable(
                name: "recon_findings");
        }
    }
}
