-- forecast_as_of.sql - each release's forecast as it stood at ?1, the
-- report's as-of instant (`report weekly --as-of`; cw_now() otherwise), for
-- reports/forecast.c: a past week renders the forecasts it showed then.
-- derived_forecast holds the newest forecast of each open release (made at
-- its as_of); when that is newer than ?1, or the release has shipped since
-- (no derived row), the forecast of the time is the newest forecast_history
-- row made at or before ?1.  A release with neither is absent (no forecast
-- had been made; a derived row at or before ?1 without a forecast means
-- none then either).  Columns: release_id, made_at, p50_at, p85_at, p95_at,
-- origin ('derived' | 'history'); ordered by release_id.
SELECT release_id, made_at, p50_at, p85_at, p95_at, origin
FROM (
    SELECT f.release_id, f.as_of AS made_at, f.p50_at, f.p85_at, f.p95_at, 'derived' AS origin
    FROM derived_forecast f
    WHERE f.has_forecast = 1 AND f.as_of <= CAST(?1 AS BIGINT)
    UNION ALL
    SELECT h.release_id, h.made_at, h.p50_at, h.p85_at, h.p95_at, 'history'
    FROM forecast_history h
    WHERE h.made_at = (SELECT MAX(x.made_at) FROM forecast_history x
                       WHERE x.release_id = h.release_id AND x.made_at <= CAST(?1 AS BIGINT))
      AND NOT EXISTS (SELECT 1 FROM derived_forecast f
                      WHERE f.release_id = h.release_id AND f.as_of <= CAST(?1 AS BIGINT))
) forecasts
ORDER BY release_id;
