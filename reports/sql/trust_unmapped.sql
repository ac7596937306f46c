-- trust_unmapped.sql - the data-trust banner's counts over everything
-- loaded (reports/trust.c): work items of no application (a project no
-- [application] lists), the distinct services of incidents no application
-- maps (an empty service counts as one) -- such records count nowhere but
-- in data-quality findings (metrics.md, Decisions 9) -- and the rejected
-- records of every source (a reject stays until its file is fixed).
SELECT (SELECT COUNT(*) FROM dim_work_item
         WHERE application_id IS NULL OR application_id = 0),
       (SELECT COUNT(DISTINCT COALESCE(service, '')) FROM fact_incident
         WHERE application_id = 0),
       (SELECT COUNT(*) FROM reject);
