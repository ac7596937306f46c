-- report_done_not_deployed.sql - the items a release counts as delivered
-- (done at its release instant) whose code is not in production: the ones
-- executives are misled about (v_done_not_deployed; transform/scope.h).
-- Rows: releases whose release instant falls in the window [?1, ?2).
-- Columns: release, project, application, item, summary, status, done_at,
-- released_at, commits (non-merge commits naming the item; 0 = nothing in
-- git shows it reached production).
SELECT release, project, application, item_key AS item, summary, status, done_at,
       release_instant AS released_at, commits
  FROM v_done_not_deployed
 WHERE release_instant >= CAST(?1 AS BIGINT) AND release_instant < CAST(?2 AS BIGINT)
 ORDER BY release_instant, release, item_key
