-- types.sql (SQLite) - how this engine spells the type tokens of
-- load/sql/schema.sql (named statements, core/sqlset.h: one a token).
--
-- SQLite's INTEGER is 64-bit.  INTEGER PRIMARY KEY is the table's rowid, so
-- a new row is numbered by SQLite and an explicit id is still accepted.

-- name: int
INTEGER

-- name: id
INTEGER PRIMARY KEY

-- name: real
REAL
