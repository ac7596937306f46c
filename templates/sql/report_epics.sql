-- report_epics.sql - the weekly report's epics/themes sheet: one row per
-- epic and theme (metrics.md "Hierarchy roll-up") that has items left or
-- whose children changed or ended in the window [?1, ?2) (UTC seconds).
-- Columns, in order:
--   level               epic | theme
--   key                 the epic's or theme's key
--   summary             its summary (NULL when it is not loaded)
--   applications        distinct applications of its children (a count)
--   application_list    their names, comma-separated
--   items_total         children, sub-tasks excluded
--   items_done          of those, done now
--   items_remaining     items_total - items_done
--   done_pct            items_done / items_total, a fraction 0..1 (NULL: no items;
--                       v_hierarchy_progress.percent_done, named for reports/section.c)
--   last_change_at      latest transition of any child (UTC seconds)
--   cycle_time_median_h median cycle time of its children, hours (all time)
--   throughput          children ending in the window
--   feature, defect, risk, debt   that throughput by flow type (flow distribution)
-- Themes first, then epics, each by key.
WITH win AS (
    SELECT level, group_key, COUNT(*) AS throughput,
           SUM(CASE WHEN flow_type = 'feature' THEN 1 ELSE 0 END) AS feature,
           SUM(CASE WHEN flow_type = 'defect' THEN 1 ELSE 0 END) AS defect,
           SUM(CASE WHEN flow_type = 'risk' THEN 1 ELSE 0 END) AS risk,
           SUM(CASE WHEN flow_type = 'debt' THEN 1 ELSE 0 END) AS debt
      FROM v_hierarchy_items
     WHERE is_subtask = 0 AND end_at >= CAST(?1 AS BIGINT) AND end_at < CAST(?2 AS BIGINT)
     GROUP BY level, group_key
)
SELECT p.level, p.key, p.summary, p.applications, p.application_list, p.items_total,
       p.items_done, p.items_remaining, p.percent_done AS done_pct, p.last_change_at, p.cycle_time_median_h,
       COALESCE(win.throughput, 0) AS throughput, COALESCE(win.feature, 0) AS feature,
       COALESCE(win.defect, 0) AS defect, COALESCE(win.risk, 0) AS risk,
       COALESCE(win.debt, 0) AS debt
  FROM v_hierarchy_progress p
  LEFT JOIN win ON win.level = p.level AND win.group_key = p.key
 WHERE p.items_remaining > 0 OR win.throughput > 0
    OR (p.last_change_at >= CAST(?1 AS BIGINT) AND p.last_change_at < CAST(?2 AS BIGINT))
 ORDER BY CASE WHEN p.level = 'theme' THEN 0 ELSE 1 END, p.key;
