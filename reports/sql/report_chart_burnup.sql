-- report_chart_burnup.sql - the release burn-up (reports/charts.c): per
-- release and UTC day of the window, its scope (items carrying it that day)
-- and how many of them were done by then, from the forecast step's view
-- v_release_burnup(release, day, scope, done).  The forecast cone is drawn
-- from the model's forecasts (exec.h), not from here.
--   ?1 window from   ?2 window to (UTC seconds)
SELECT b.release, b.day AS day_at, b.scope, b.done
  FROM v_release_burnup b
 WHERE b.day >= CAST(?1 AS BIGINT) AND b.day < CAST(?2 AS BIGINT)
 ORDER BY b.release, b.day;
