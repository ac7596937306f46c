-- report_releases.sql - the releases sheet of the weekly report: planned vs
-- shipped, with creep (v_release_scope; rule in transform/scope.h).
-- Rows: releases whose release instant falls in the window [?1, ?2), and
-- releases still open (no release instant yet) whose baseline is before ?2,
-- their creep so far.  Released first by instant, then open ones by name.
--   ?1 window start, ?2 window end (UTC seconds)
-- Columns (named for the report sections, reports/section.c): application,
-- project, release, baseline_at and released_at (the release instant; NULL
-- = not released yet), planned, added, removed (items), scope_change_pct
-- (a share of planned, 0..1), delivered, shipped, carried_over,
-- done_not_deployed (items; NULL while open), shipped_pct (shipped as a
-- share of planned + added, NULL when none).
SELECT application, project, release, baseline_at, release_instant AS released_at,
       planned, added, removed, scope_change_pct / 100 AS scope_change_pct,
       delivered, shipped, carried_over, done_not_deployed,
       CAST(shipped AS DOUBLE PRECISION) / NULLIF(planned + added, 0) AS shipped_pct
  FROM v_release_scope
 WHERE (release_instant >= CAST(?1 AS BIGINT) AND release_instant < CAST(?2 AS BIGINT))
    OR (release_instant IS NULL AND baseline_at < CAST(?2 AS BIGINT))
 ORDER BY CASE WHEN release_instant IS NULL THEN 1 ELSE 0 END, release_instant,
          application, project, release;
