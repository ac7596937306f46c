-- flow_in_flight.sql - `catwalk flow --in-flight`: the items of configured
-- applications with a referencing commit not deployed yet (v_in_flight), as
-- they stand in the warehouse, oldest undeployed commit first.
-- Columns: application, team, item_key, status, category, created_at,
-- undeployed_commits, oldest_undeployed_at (UTC seconds).
SELECT a.name, t.name, f.item_key, f.status, f.category, f.created_at,
       f.undeployed_commits, f.oldest_undeployed_at
  FROM v_in_flight f
  JOIN dim_application a ON a.application_id = f.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1
 ORDER BY f.oldest_undeployed_at, f.item_key;
