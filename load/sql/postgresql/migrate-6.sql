-- migrate-6.sql (PostgreSQL) - version 6: forecast_history's dates become
-- nullable (it keeps every forecast row, those without dates too; the new
-- columns are added by load/warehouse.c, "Schema versions"; a warehouse
-- from before forecasts has no table yet: schema.sql creates it).
ALTER TABLE IF EXISTS forecast_history ALTER COLUMN p50_at DROP NOT NULL,
    ALTER COLUMN p85_at DROP NOT NULL, ALTER COLUMN p95_at DROP NOT NULL;
