-- report_rejects.sql - rejected records per source.  A reject stays in the
-- table until its file is fixed and landed again, so every row counts; the
-- latest batch that rejected one tells whether the problem is still live.
SELECT source, COUNT(*), MAX(batch_id)
  FROM reject
 GROUP BY source
 ORDER BY source;
