-- migrate-6-data.sql (SQLite) - version 6, second half: forecast_history
-- filled back into the table schema.sql created (migrate-6.sql).
INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at, remaining,
                              items_by_planned_85, at_risk, critical_release_id, reason)
SELECT release_id, made_at, p50_at, p85_at, p95_at, remaining, items_by_planned_85, at_risk,
       critical_release_id, reason
  FROM cw_v6_forecast_history;
DROP TABLE cw_v6_forecast_history;
