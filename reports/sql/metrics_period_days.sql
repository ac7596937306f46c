-- metrics_period_days.sql - expand cw_period into cw_period_day: one row per
-- UTC day a period touches (instants are >= 0, so instant / 86400 is its day).
-- A fact joins on its day and then checks the exact [start, end) bounds, so
-- periods need not start at midnight for this to stay right.

INSERT INTO cw_period_day (day, period_id)
WITH RECURSIVE d (period_id, day, last_day) AS (
    SELECT period_id, period_start / 86400, (period_end - 1) / 86400
    FROM cw_period
    WHERE period_end > period_start
    UNION ALL
    SELECT period_id, day + 1, last_day FROM d WHERE day < last_day
)
SELECT day, period_id FROM d;
