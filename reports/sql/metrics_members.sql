-- metrics_members.sql - fill cw_member for one scope (metrics_member_apps.sql
-- then fills cw_member_app).
--
-- ?1 is the scope: 'application', 'team' or 'organisation'.  Only configured
-- applications count (dim_application.configured = 1); a team appears when
-- it owns at least one, and the organisation is the union of all of them.
-- member_ord orders the output rows by name.

INSERT INTO cw_member (member_id, member_ord, name, team)
SELECT member_id, ROW_NUMBER() OVER (ORDER BY name, member_id) - 1, name, team
FROM (
    SELECT a.application_id AS member_id, a.name AS name, t.name AS team
    FROM dim_application a
    LEFT JOIN dim_team t ON t.team_id = a.team_id
    WHERE a.configured = 1 AND CAST(?1 AS TEXT) = 'application'
    UNION ALL
    SELECT t.team_id, t.name, NULL
    FROM dim_team t
    WHERE CAST(?1 AS TEXT) = 'team'
      AND EXISTS (SELECT 1 FROM dim_application a
                  WHERE a.team_id = t.team_id AND a.configured = 1)
    UNION ALL
    SELECT 0, 'organisation', NULL
    WHERE CAST(?1 AS TEXT) = 'organisation'
) m;
