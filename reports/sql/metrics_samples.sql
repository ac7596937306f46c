-- metrics_samples.sql - the values behind every median and percentile, in
-- whole seconds, grouped by (member, period, metric).
--
-- reports/metrics.c reads them group by group and computes count, median and
-- nearest-rank percentile with cw_median / cw_percentile: the one place
-- those statistics are computed.  The events and their instants are those
-- of v_events (views.sql); metrics and their period rule:
--   lead_time        per deployed commit, by the deployment's finished_at
--   restore          resolved_at - created_at, by resolved_at (resolved only)
--   recovery         resolved_at - deployment finished_at of attributed incidents, by resolved_at
-- A duration that would be negative is NULL in the views (metrics.md,
-- Decisions 10) and so is no sample.
--   cycle_time       end - start of items with a start, by end
--   item_lead_time   end - created of ended items, by end

WITH samples AS (                               -- the events with a duration
    SELECT application_id, at, kind AS metric, value
    FROM v_events WHERE value IS NOT NULL
)
SELECT m.member_ord, p.period_id, s.metric, s.value
FROM samples s
JOIN cw_period_day pd ON pd.day = s.at / 86400
JOIN cw_period p ON p.period_id = pd.period_id AND s.at >= p.period_start AND s.at < p.period_end
JOIN cw_member_app ma ON ma.application_id = s.application_id
JOIN cw_member m ON m.member_id = ma.member_id
ORDER BY m.member_ord, p.period_id, s.metric;
