-- OpsConsole reconciliation 'payment-transactions-vs-pg-settlement', pass 2 (bigquery)
WITH lk AS (
  -- The key of each payment's one approval line: an approval our ledger holds without a key (the PG's answer
  -- did not tell it) is matched by it, as the console engines do after learning it (ApprovalKeyLearning).
  SELECT l.payment_key AS payment_key, MIN(l.transaction_key) AS k
  FROM `acme-warehouse.payments_ledger.settlement_lines` l
  WHERE l.transaction_key IN UNNEST(@keys) AND l.pg = @pg AND l.sold_date BETWEEN @recheck_from AND @recheck_to AND l.amount > 0
  GROUP BY l.payment_key
  HAVING COUNT(DISTINCT l.transaction_key) = 1
),
i AS (
  SELECT COALESCE(t.transaction_key, lk.k) AS k, t.payment_key AS payment_key, t.order_id AS order_id, t.kind AS kind,
         CASE WHEN t.kind = 'CANCEL' THEN -t.amount ELSE t.amount END AS amount,
         t.method AS method, DATE(t.occurred_at, 'Asia/Seoul') AS business_date, t.occurred_at AS occurred_at,
         t.currency AS currency
  FROM `acme-warehouse.payments_ledger.payment_transactions` t
    LEFT JOIN lk ON t.transaction_key IS NULL AND t.kind = 'APPROVAL' AND lk.payment_key = t.payment_key
  WHERE (t.transaction_key IN UNNEST(@keys) OR (t.transaction_key IS NULL AND t.payment_key IN (SELECT lk.payment_key FROM lk))) AND t.pg = @pg AND t.business_date BETWEEN @recheck_from AND @recheck_to AND (t.transaction_key IS NOT NULL OR lk.k IS NOT NULL)
),
e AS (
  SELECT l.transaction_key AS k, COUNT(*) AS line_count, MIN(l.payment_key) AS payment_key,
         MIN(l.order_id) AS order_id, MIN(l.method) AS method, MIN(l.amount) AS amount,
         SUM(l.amount) AS amount_total, MIN(l.fee) AS fee, MIN(l.sold_date) AS sold_date,
         MIN(l.approved_at) AS approved_at, MIN(l.currency) AS currency
  FROM `acme-warehouse.payments_ledger.settlement_lines` l
  WHERE l.transaction_key IN UNNEST(@keys) AND l.pg = @pg AND l.sold_date BETWEEN @recheck_from AND @recheck_to
  GROUP BY l.transaction_key
),
j AS (
  SELECT i.k AS i_k, i.payment_key AS i_payment_key, i.order_id AS i_order_id, i.kind AS i_kind,
         i.amount AS i_amount, i.method AS i_method, i.business_date AS i_business_date,
         i.occurred_at AS i_occurred_at, i.currency AS i_currency, e.currency AS e_currency,
         e.k AS e_k, e.line_count AS e_line_count, e.payment_key AS e_payment_key, e.order_id AS e_order_id,
         e.method AS e_method, e.amount AS e_amount, e.amount_total AS e_amount_total, e.fee AS e_fee,
         e.sold_date AS e_sold_date, e.approved_at AS e_approved_at
  FROM i FULL OUTER JOIN e ON e.k = i.k
),
d AS (
  SELECT j.*, DIV(j.e_amount * CASE j.e_method WHEN 'CARD' THEN 25000 WHEN 'EASY_PAY' THEN 30000 WHEN 'TRANSFER' THEN 20000 WHEN 'VIRTUAL_ACCOUNT' THEN 10000 WHEN 'MOBILE_PHONE' THEN 35000 END, 1000000) AS e_expected_fee
  FROM j
),
c AS (
  SELECT d.*, CASE WHEN d.i_k IS NULL THEN 'MISSING_INTERNAL' WHEN d.e_k IS NULL THEN 'MISSING_EXTERNAL' WHEN d.e_line_count > 1 THEN 'DUPLICATE_EXTERNAL' WHEN d.i_currency <> d.e_currency THEN 'AMOUNT_MISMATCH' WHEN d.i_amount <> d.e_amount THEN 'AMOUNT_MISMATCH' WHEN d.i_business_date <> d.e_sold_date THEN 'DATE_MISMATCH' WHEN d.e_expected_fee IS NOT NULL AND (ABS(d.e_fee - d.e_expected_fee) > 1) THEN 'FEE_MISMATCH' END AS base_type
  FROM d
)
SELECT COALESCE(c.i_k, c.e_k) AS transaction_key,
       CASE WHEN c.base_type = 'MISSING_INTERNAL' AND c.e_amount > 0 AND p.status IN ('ABORTED', 'EXPIRED', 'UNKNOWN') THEN 'CHARGED_BUT_FAILED' ELSE c.base_type END AS finding_type,
       COALESCE(c.i_payment_key, c.e_payment_key) AS payment_key, COALESCE(c.i_order_id, c.e_order_id) AS order_id,
       p.trace_id AS trace_id, p.status AS payment_status,
       c.i_kind AS internal_kind, c.i_amount AS internal_amount, c.i_method AS internal_method,
       c.i_business_date AS internal_business_date, c.i_occurred_at AS internal_occurred_at,
       COALESCE(c.e_line_count, 0) AS external_line_count, c.e_amount AS external_amount,
       CAST(c.e_amount_total AS INT64) AS external_amount_total, c.e_fee AS external_fee, c.e_expected_fee AS external_expected_fee,
       c.e_method AS external_method, c.e_sold_date AS external_sold_date, c.e_approved_at AS external_approved_at,
       RTRIM(COALESCE(CASE WHEN c.i_k IS NULL THEN 'internal,' END, '') || COALESCE(CASE WHEN c.e_k IS NULL THEN 'external,' END, '') || COALESCE(CASE WHEN c.e_line_count > 1 THEN 'lineCount,' END, '') || COALESCE(CASE WHEN c.i_k IS NOT NULL AND c.e_k IS NOT NULL AND c.i_currency <> c.e_currency THEN 'currency,' END, '') || COALESCE(CASE WHEN c.i_k IS NOT NULL AND c.e_k IS NOT NULL AND c.i_amount <> c.e_amount THEN 'amount,' END, '') || COALESCE(CASE WHEN c.i_k IS NOT NULL AND c.e_k IS NOT NULL AND c.i_business_date <> c.e_sold_date THEN 'soldDate,' END, '') || COALESCE(CASE WHEN c.i_k IS NOT NULL AND c.e_k IS NOT NULL AND c.e_expected_fee IS NOT NULL AND ABS(c.e_fee - c.e_expected_fee) > 1 THEN 'fee,' END, ''), ',') AS diff_fields,
       CAST(CASE c.base_type WHEN 'MISSING_INTERNAL' THEN ABS(c.e_amount_total) WHEN 'MISSING_EXTERNAL' THEN ABS(c.i_amount) WHEN 'DUPLICATE_EXTERNAL' THEN ABS(c.e_amount_total - c.i_amount) WHEN 'AMOUNT_MISMATCH' THEN CASE WHEN c.i_currency <> c.e_currency THEN ABS(c.i_amount) ELSE ABS(c.e_amount_total - c.i_amount) END WHEN 'DATE_MISMATCH' THEN ABS(c.i_amount) WHEN 'FEE_MISMATCH' THEN ABS(c.e_fee - c.e_expected_fee) ELSE 0 END AS INT64) AS money_at_risk,
       COALESCE(c.i_currency, c.e_currency) AS currency
FROM c LEFT JOIN `acme-warehouse.payments_ledger.payments` p ON p.payment_key = COALESCE(c.i_payment_key, c.e_payment_key) AND p.pg = @pg
ORDER BY transaction_key