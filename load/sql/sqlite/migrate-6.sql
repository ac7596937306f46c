-- migrate-6.sql (SQLite) - version 6, first half: forecast_history's dates
-- become nullable (it keeps every forecast row, those without dates too;
-- load/warehouse.c, "Schema versions").  SQLite cannot drop a NOT NULL, so
-- the table (its new columns already added) is set aside here, dropped,
-- created anew by schema.sql and filled back by migrate-6-data.sql, inside
-- the batch transaction.  A warehouse from before forecasts has no table
-- yet: an empty one is set aside (schema.sql creates the table anyway).
CREATE TABLE IF NOT EXISTS forecast_history (release_id, made_at, p50_at, p85_at, p95_at,
    remaining, items_by_planned_85, at_risk, critical_release_id, reason);
CREATE TABLE cw_v6_forecast_history AS SELECT * FROM forecast_history;
DROP TABLE forecast_history;
