-- analyze.sql (PostgreSQL) - planner statistics after a full derivation
-- (pipeline/derive.c, cw_wh_analyze).
--
-- A first load or a full derivation writes most of the warehouse in one
-- transaction, and autovacuum analyses it only some time after the commit.
-- A batch that runs before then (the next night's delta, on a schedule that
-- loads history first) planned with no statistics: the incremental
-- step's idea-to-production statement took minutes instead of a second.
-- ANALYZE samples every table (a few seconds at enterprise-L) inside the
-- batch, so its statistics commit with its rows.  SQLite has no such file:
-- its plans here do not depend on statistics.

-- name: analyze
ANALYZE
