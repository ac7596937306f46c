-- exceptions_delivery.sql - the delivery candidates of the exceptions
-- digest (reports/exceptions.h: open_incident, stalled_pipeline,
-- release_at_risk, and the samples behind a DORA regression) at T.
--
-- Parameters: ?1 T (UTC seconds), ?2 T - 90 days (dora_samples: see there).
-- Only configured applications take part.

-- Times to restore of the incidents resolved in [?2, ?1), per application
-- (v_incidents.restore_s: never negative, Decisions 10).
-- name: open_incident_baseline
SELECT a.name, v.restore_s
  FROM v_incidents v
  JOIN dim_application a ON a.application_id = v.application_id
 WHERE a.configured = 1 AND v.restore_s IS NOT NULL
   AND v.resolved_at >= CAST(?2 AS BIGINT) AND v.resolved_at < CAST(?1 AS BIGINT);

-- Incidents open at T: created before T and not resolved before T.
-- Columns: number (else the source's id), application, team, title,
-- severity, created, the source's name.
-- name: open_incident_candidates
SELECT COALESCE(i.number, i.external_id), a.name, t.name, i.title, i.severity, i.created_at,
       src.name
  FROM fact_incident i
  JOIN dim_application a ON a.application_id = i.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  LEFT JOIN dim_source src ON src.source_id = i.source_id
 WHERE a.configured = 1 AND i.created_at < CAST(?1 AS BIGINT)
   AND (i.resolved_at IS NULL OR i.resolved_at >= CAST(?1 AS BIGINT))
  ;

-- Successful production deployments finishing in [?2, ?1), and each
-- application's last one before T however old, in order per application:
-- the gaps between consecutive ones give the median gap; the last one is
-- where the stall began.  They are the DORA deployments, the rows of
-- derived_deployment (v_deployments_prod reads the same), read from the
-- tables so that ix_deployment_app (application_id, finished_at) finds each
-- application's last one (through the view, whose application_id is an
-- expression, that lookup was a scan per application: 6.4 s against 0.9 s
-- on a 200-application demo).  Columns: application, team, finished, job,
-- run number, build URL, in_history (1: inside [?2, ?1), a gap sample).
-- name: stalled_pipeline_deployments
SELECT a.name, t.name, d.finished_at, b.job, b.number, b.url,
       CASE WHEN d.finished_at >= CAST(?2 AS BIGINT) THEN 1 ELSE 0 END
  FROM dim_application a
  JOIN fact_deployment d ON d.application_id = a.application_id
  JOIN derived_deployment p ON p.deployment_id = d.deployment_id
  JOIN fact_build b ON b.build_id = d.build_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1 AND d.finished_at < CAST(?1 AS BIGINT)
   AND (d.finished_at >= CAST(?2 AS BIGINT)
        OR d.finished_at = (SELECT MAX(l.finished_at)
                              FROM fact_deployment l
                              JOIN derived_deployment lp ON lp.deployment_id = l.deployment_id
                             WHERE l.application_id = a.application_id
                               AND l.finished_at < CAST(?1 AS BIGINT)))
 ORDER BY a.name, d.finished_at, d.run_number, b.job;

-- Releases the forecast marked at risk as it stood at ?1 (T; the weekly
-- report's as-of instant: reports/exceptions.h forecasts_at), by the rule
-- of v_forecast_made (at now, the last derivation's forecasts).  Columns: project, release name, application and team
-- (the release's project through map_project), planned date
-- (dim_release.release_at), P85, remaining items, the critical
-- dependency's project and name, the reason, and since: the first of the
-- unbroken run of stored forecasts, up to this one, whose P85 is after the
-- planned date (else when this forecast was made).
-- name: release_at_risk
SELECT f.project, f.name, f.application, f.team, f.planned_at, f.p85_at, f.remaining,
       cr.project, cr.name, f.reason,
       COALESCE((SELECT MIN(h.made_at) FROM forecast_history h
                  WHERE h.release_id = f.release_id AND h.made_at <= f.as_of
                    AND h.p85_at > f.planned_at
                    AND NOT EXISTS (SELECT 1 FROM forecast_history h2
                                     WHERE h2.release_id = f.release_id
                                       AND h2.made_at > h.made_at AND h2.made_at <= f.as_of
                                       AND h2.p85_at <= f.planned_at)),
                f.as_of)
  FROM v_forecast_made f
  LEFT JOIN dim_release cr ON cr.release_id = f.critical_release_id
 WHERE f.valid_from <= CAST(?1 AS BIGINT)
   AND (f.valid_until IS NULL OR f.valid_until > CAST(?1 AS BIGINT))
   AND f.at_risk = 1 AND f.has_forecast = 1 AND f.p85_at IS NOT NULL
   AND f.planned_at IS NOT NULL
 ORDER BY f.project, f.name;

-- How many samples each DORA key's level rests on, per application, in the
-- two halves of a regression: ?1 T, ?2 T - 28 days, ?3 T - 56 days.  recent
-- = 1 for [?2, ?1), 0 for [?3, ?2).  Counted from v_events, the events the
-- metrics themselves count: deploy (deployment frequency and change failure
-- rate), lead_time, restore.
-- name: dora_samples
SELECT x.application, x.kind, x.recent, COUNT(*)
  FROM (SELECT a.name AS application, e.kind,
               CASE WHEN e.at >= CAST(?2 AS BIGINT) THEN 1 ELSE 0 END AS recent
          FROM v_events e
          JOIN dim_application a ON a.application_id = e.application_id
         WHERE a.configured = 1 AND e.kind IN ('deploy', 'lead_time', 'restore')
           AND e.at >= CAST(?3 AS BIGINT) AND e.at < CAST(?1 AS BIGINT)) x
 GROUP BY x.application, x.kind, x.recent;
