-- metrics_member_apps.sql - fill cw_member_app for one scope: which
-- configured applications make up each member of cw_member (an application
-- is its own member, a team the union of its applications, the organisation
-- member 0 all of them).
--
-- ?1 is the scope: 'application', 'team' or 'organisation'.

INSERT INTO cw_member_app (member_id, application_id)
SELECT CASE CAST(?1 AS TEXT) WHEN 'application' THEN a.application_id
                             WHEN 'team' THEN a.team_id
                             ELSE 0 END,
       a.application_id
FROM dim_application a
WHERE a.configured = 1
  AND (CAST(?1 AS TEXT) <> 'team' OR a.team_id IS NOT NULL);
