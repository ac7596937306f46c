-- trust_unmapped.sql - what the data-trust banner says maps to nothing
-- (reports/trust.c), over everything loaded: work items of no application
-- (a project no [application] lists), and the distinct services of
-- incidents no application maps (an empty service counts as one).  Such
-- records count nowhere but in data-quality findings (metrics.md,
-- Decisions 9).
SELECT (SELECT COUNT(*) FROM dim_work_item
         WHERE application_id IS NULL OR application_id = 0),
       (SELECT COUNT(DISTINCT COALESCE(service, '')) FROM fact_incident
         WHERE application_id = 0);
