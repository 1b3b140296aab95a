-- Engine: BigQuery (Standard SQL), jobs run in project ops-jobs, data in ops-project.payments, location (default)
-- Payouts paidOutDate 2026-03-02..2026-03-20; maximumBytesBilled 107374182400; each job is dry-run first.

-- ===== Pass 1, lines =====
-- Parameters:
--   @lookback DATE = '2026-01-30'
--   @to DATE = '2026-03-20'
--   @sold_from DATE = '2025-10-22'
SELECT l.m_id, l.paid_out_date, l.sold_date, l.method, SUM(l.pay_out_amount), COUNT(*)
FROM (SELECT s.m_id AS m_id, s.paid_out_date AS paid_out_date, s.sold_date AS sold_date, s.method AS method, s.pay_out_amount AS pay_out_amount FROM `ops-project.payments.settlement_lines` s WHERE s.sold_date BETWEEN @sold_from AND @to) l
WHERE l.m_id IN ('inicis', 'nicepay', 'tosspay') AND l.paid_out_date >= @lookback AND l.paid_out_date <= @to
GROUP BY l.m_id, l.paid_out_date, l.sold_date, l.method;

-- ===== Pass 1 and 2, match (the run's aggregate, deposits and calendar as parameters) =====
-- Parameters:
--   @run INT64 = '0'
--   @pass INT64 = '1'
--   @mfrom DATE = '2026-02-16'
--   @from DATE = '2026-03-02'
--   @to DATE = '2026-03-20'
--   @depto DATE = '2026-03-25'
--   @asof DATE = '2026-03-31'
--   @groups ARRAY<STRUCT<run_id INT64, pg_mid STRING, paid_out_date DATE, sold_date DATE, method STRING, net_amount INT64, line_count INT64>> = [0 rows]
--   @deposits ARRAY<STRUCT<id INT64, account_name STRING, booking_date DATE, amount INT64, direction STRING, counterparty STRING, memo STRING>> = [0 rows]
--   @calendar ARRAY<STRUCT<date DATE, is_business_day BOOL, business_ordinal INT64, due_ordinal INT64>> = [0 rows]
WITH pgs AS (
  SELECT 'inicis' AS m_id, 'kb-operating' AS account_name
          UNION ALL SELECT 'nicepay', 'shinhan'
          UNION ALL SELECT 'tosspay', 'kb-operating'
), pats AS (
  SELECT 'inicis' AS m_id, 'kb-operating' AS account_name, 'KG이니시스' AS pattern
          UNION ALL SELECT 'inicis', 'kb-operating', 'INICIS'
          UNION ALL SELECT 'nicepay', 'shinhan', '나이스페이'
          UNION ALL SELECT 'tosspay', 'kb-operating', '토스페이먼츠'
          UNION ALL SELECT 'tosspay', 'kb-operating', 'TOSS'
), contract AS (
  SELECT 'inicis' AS m_id, 'CARD' AS method, 3 AS days
          UNION ALL SELECT 'tosspay', 'CARD', 2
          UNION ALL SELECT 'tosspay', 'EASY_PAY', 1
), cal AS (
  SELECT c.date AS d, c.is_business_day AS bd, c.business_ordinal AS bo, c.due_ordinal AS dueo FROM (SELECT * FROM UNNEST(@calendar)) c
), bdays AS (
  SELECT c.date AS d, c.business_ordinal AS bo FROM (SELECT * FROM UNNEST(@calendar)) c WHERE c.is_business_day
), days AS (
  SELECT g.pg_mid AS m_id, g.paid_out_date AS d, SUM(g.net_amount) AS net, SUM(g.line_count) AS lines
  FROM (SELECT * FROM UNNEST(@groups)) g WHERE g.run_id = @run
  GROUP BY g.pg_mid, g.paid_out_date
), cum AS (
  SELECT m_id, d, net, lines, SUM(net) OVER (PARTITION BY m_id ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c FROM days
), peak AS (
  SELECT m_id, d, net, lines, MAX(CASE WHEN c > 0 THEN c ELSE 0 END) OVER (PARTITION BY m_id ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS pk FROM cum
), pay AS (
  SELECT m_id, d, net, lines, pk - COALESCE(LAG(pk) OVER (PARTITION BY m_id ORDER BY d), 0) AS amount FROM peak
), expd AS (
  SELECT p.m_id, pg.account_name, p.d AS e, p.net, p.lines, p.amount, due.d AS due, dl.d AS deadline
  FROM pay p
  JOIN pgs pg ON pg.m_id = p.m_id
  JOIN cal c ON c.d = p.d
  JOIN bdays due ON due.bo = c.dueo
  JOIN bdays dl ON dl.bo = c.dueo + 2
  WHERE p.d >= @mfrom
), exps AS (
  SELECT * FROM expd WHERE amount > 0
), dep AS (
  SELECT t.id, t.account_name, t.booking_date AS b, t.amount, MIN(pt.m_id) AS m_id
  FROM (SELECT * FROM UNNEST(@deposits)) t
  JOIN pats pt ON pt.account_name = t.account_name
    AND (STRPOS(UPPER(COALESCE(t.counterparty, '')), pt.pattern) > 0
         OR STRPOS(UPPER(COALESCE(t.memo, '')), pt.pattern) > 0)
  WHERE t.direction = 'CREDIT' AND t.booking_date >= @mfrom AND t.booking_date <= @depto
  GROUP BY t.id, t.account_name, t.booking_date, t.amount
), x1 AS (
  SELECT x.m_id, x.e, x.due, x.amount, ROW_NUMBER() OVER (PARTITION BY x.m_id, x.due, x.amount ORDER BY x.e) AS rn FROM exps x
), d1 AS (
  SELECT d.id, d.m_id, d.b, d.amount, ROW_NUMBER() OVER (PARTITION BY d.m_id, d.b, d.amount ORDER BY d.id) AS rn FROM dep d
), s1 AS (
  SELECT x.m_id, x.e, d.id AS dep_id FROM x1 x
  JOIN d1 d ON d.m_id = x.m_id AND d.b = x.due AND d.amount = x.amount AND d.rn = x.rn
), r1x AS (
  SELECT x.m_id, x.e, x.due, x.deadline, x.amount,
         ROW_NUMBER() OVER (PARTITION BY x.m_id ORDER BY x.e) AS k,
         SUM(x.amount) OVER (PARTITION BY x.m_id ORDER BY x.e ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ps
  FROM exps x LEFT JOIN s1 ON s1.m_id = x.m_id AND s1.e = x.e
  WHERE s1.dep_id IS NULL
), r1d AS (
  SELECT d.id, d.m_id, d.b, d.amount FROM dep d LEFT JOIN s1 ON s1.dep_id = d.id WHERE s1.dep_id IS NULL
), c2 AS (
  SELECT d.id AS dep_id, j.m_id, i.k AS ki, j.k AS kj,
         ROW_NUMBER() OVER (PARTITION BY d.id ORDER BY j.k DESC, i.k DESC) AS rk
  FROM r1d d
  JOIN r1x j ON j.m_id = d.m_id AND d.b >= j.due AND d.b <= j.deadline
  JOIN r1x i ON i.m_id = j.m_id AND i.k < j.k AND j.ps - i.ps + i.amount = d.amount
), p2 AS (
  SELECT dep_id, m_id, ki, kj FROM c2 WHERE rk = 1
), k2 AS (
  SELECT p.dep_id, p.m_id, p.ki, p.kj FROM p2 p
  WHERE NOT EXISTS (SELECT 1 FROM p2 q WHERE q.m_id = p.m_id AND q.dep_id < p.dep_id AND q.ki <= p.kj AND p.ki <= q.kj)
), s2 AS (
  SELECT x.m_id, x.e, k.dep_id FROM r1x x JOIN k2 k ON k.m_id = x.m_id AND x.k >= k.ki AND x.k <= k.kj
), r2x AS (
  SELECT x.m_id, x.e, x.due, x.deadline, x.amount FROM r1x x LEFT JOIN s2 ON s2.m_id = x.m_id AND s2.e = x.e
  WHERE s2.dep_id IS NULL
), r2d AS (
  SELECT d.id, d.m_id, d.b, d.amount FROM r1d d LEFT JOIN k2 ON k2.dep_id = d.id WHERE k2.dep_id IS NULL
), c3 AS (
  SELECT x.m_id, x.e, d.id AS dep_id,
         ROW_NUMBER() OVER (PARTITION BY x.m_id, x.e ORDER BY CASE WHEN ABS(d.amount - x.amount) <= 0 THEN 0 ELSE 1 END,
                            d.b, ABS(d.amount - x.amount), d.id) AS rx
  FROM r2x x JOIN r2d d ON d.m_id = x.m_id AND d.b >= x.due AND d.b <= x.deadline
), c3b AS (
  SELECT m_id, e, dep_id, ROW_NUMBER() OVER (PARTITION BY dep_id ORDER BY e) AS rd FROM c3 WHERE rx = 1
), matched AS (
  SELECT m_id, e, dep_id, 'EXACT' AS how FROM s1
  UNION ALL SELECT m_id, e, dep_id, 'COMBINED' FROM s2
  UNION ALL SELECT m_id, e, dep_id, 'WINDOW' FROM c3b WHERE rd = 1
), used AS (
  SELECT DISTINCT dep_id FROM matched
), offc AS (
  SELECT g.pg_mid, g.paid_out_date, SUM(g.line_count) AS lines, SUM(g.net_amount) AS net
  FROM (SELECT * FROM UNNEST(@groups)) g
  JOIN contract k ON k.m_id = g.pg_mid AND k.method = g.method
  JOIN cal s ON s.d = g.sold_date
  JOIN cal p ON p.d = g.paid_out_date
  WHERE g.run_id = @run AND g.paid_out_date >= @from AND g.paid_out_date <= @to
    AND NOT (p.bd AND p.bo = CASE WHEN k.days = 0 THEN s.dueo ELSE s.bo + k.days END)
  GROUP BY g.pg_mid, g.paid_out_date
), classified AS (
  SELECT x.*, m.how, d.id AS dep_id, d.b AS dep_b, d.amount AS dep_amount,
         CASE WHEN x.amount <= 0 THEN NULL
              WHEN m.how IS NULL THEN CASE WHEN x.deadline < @asof THEN 'PAYOUT_MISSING' END
              WHEN m.how = 'WINDOW' AND ABS(d.amount - x.amount) > 0 THEN 'PAYOUT_AMOUNT_MISMATCH'
              WHEN d.b > x.due THEN 'PAYOUT_LATE'
         END AS finding_type
  FROM expd x
  LEFT JOIN matched m ON m.m_id = x.m_id AND m.e = x.e
  LEFT JOIN dep d ON d.id = m.dep_id
  WHERE x.e >= @from AND x.e <= @to AND (x.amount > 0 OR x.net <> 0)
)
SELECT @run, @pass, 'PAYOUT:' || x.m_id || ':' || FORMAT_DATE('%Y-%m-%d', x.e), 'EXPECTED', x.finding_type,
       CASE WHEN x.amount <= 0 THEN 'OFFSET' WHEN x.how IS NOT NULL THEN x.how
            WHEN x.deadline < @asof THEN 'NONE' ELSE 'PENDING' END,
       x.m_id, x.account_name, x.e, x.e, x.due, x.deadline, CASE WHEN x.amount > 0 THEN x.amount ELSE 0 END, x.net, x.lines,
       x.dep_id, x.dep_b, x.dep_amount,
       CASE x.finding_type WHEN 'PAYOUT_MISSING' THEN x.amount
            WHEN 'PAYOUT_AMOUNT_MISMATCH' THEN ABS(x.dep_amount - x.amount) ELSE 0 END
FROM classified x
UNION ALL
SELECT @run, @pass, 'DEPOSIT:' || CAST(d.id AS STRING), 'DEPOSIT',
       'UNEXPECTED_DEPOSIT', NULL, d.m_id, d.account_name, d.b, NULL, NULL, NULL, NULL, NULL, 0,
       d.id, d.b, d.amount, d.amount
FROM dep d LEFT JOIN used u ON u.dep_id = d.id
WHERE u.dep_id IS NULL AND d.b >= @from AND d.b <= @to
UNION ALL
SELECT @run, @pass, 'CONTRACT:' || o.pg_mid || ':' || FORMAT_DATE('%Y-%m-%d', o.paid_out_date), 'CONTRACT',
       'PAYOUT_DATE_OFF_CONTRACT', NULL, o.pg_mid, pg.account_name, o.paid_out_date, o.paid_out_date,
       NULL, NULL, NULL, o.net, o.lines, NULL, NULL, NULL, 0
FROM offc o JOIN pgs pg ON pg.m_id = o.pg_mid;

-- ===== Pass 2, lines (pass 1's flagged payouts as @items) =====
-- Parameters:
--   @run INT64 = '0'
--   @to DATE = '2026-03-20'
--   @sold_from DATE = '2025-10-22'
--   @items ARRAY<STRUCT<run_id INT64, pass INT64, finding_type STRING, kind STRING, pg_mid STRING, expected_date DATE>> = [0 rows]
SELECT l.m_id, l.paid_out_date, l.sold_date, l.method, SUM(l.pay_out_amount), COUNT(*)
FROM (SELECT DISTINCT i.pg_mid, i.expected_date FROM (SELECT * FROM UNNEST(@items)) i
WHERE i.run_id = @run AND i.pass = 1 AND i.finding_type IS NOT NULL AND i.kind <> 'DEPOSIT') f
JOIN (SELECT s.m_id AS m_id, s.paid_out_date AS paid_out_date, s.sold_date AS sold_date, s.method AS method, s.pay_out_amount AS pay_out_amount FROM `ops-project.payments.settlement_lines` s WHERE s.sold_date BETWEEN @sold_from AND @to) l ON l.m_id = f.pg_mid AND l.paid_out_date = f.expected_date
GROUP BY l.m_id, l.paid_out_date, l.sold_date, l.method;
