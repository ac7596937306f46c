/*
 * attribute.h - incident -> deployment attribution (metrics.md, "Change
 * failure rate").
 *
 * An incident of application A is attributed to the latest successful
 * production deployment of A whose finished_at <= the incident's created_at,
 * provided the gap is at most the attribution window (0 = unlimited; a gap
 * of exactly the window is attributed).  An incident that names a deployment
 * or commit explicitly is attributed to that one instead: the configured
 * pattern (a pcre2 regex) is matched against title + "\n" + description and
 * its named group decides what was named:
 *   sha                  a deployment's revision, else a commit that one of
 *                        A's deployments deployed (prefix of >= 7 hex digits)
 *   deployment | build   "job#number" (or a bare number, when unique)
 * A reference that names nothing known falls back to the window rule.
 * An explicit reference may name a deployment that finished after the
 * incident was resolved: the attribution stands (the deployment failed), but
 * the recovery time would be negative, so it is left out (metrics.md,
 * Decisions 10; reports/sql/views.sql) and reported by the correlation step.
 *
 * All functions take A's deployments sorted by cw_deploy_sort (the order in
 * which cw_graph_walk leaves them).
 */
#ifndef CW_ATTRIBUTE_H
#define CW_ATTRIBUTE_H

#include <stddef.h>
#include <stdint.h>
#include "graph.h"
#include "../core/regex.h"

#define CW_ATTRIBUTION_WINDOW_DEFAULT 259200    /* 72 hours */

typedef enum cw_attr_how { CW_ATTR_NONE, CW_ATTR_WINDOW, CW_ATTR_EXPLICIT } cw_attr_how;

/* "none" | "window" | "explicit", as stored in derived_incident.how. */
const char *cw_attr_how_name(cw_attr_how how);

/* Index of the latest deployment with finished_at <= created_at (ties: the
 * last in walk order) within window_s, or -1.  Binary search. */
long cw_attribute_window(const cw_deploy *d, size_t n, int64_t created_at, int64_t window_s);

/* The deployment a sha prefix names: among deployments whose revision agrees
 * with it, the latest that finished by created_at (else the earliest); else
 * the deployment that deployed that commit in g (g may be NULL).  -1 if none. */
long cw_attribute_by_sha(const cw_deploy *d, size_t n, const cw_graph *g,
                         const char *sha, int64_t created_at);

/* The deployment "job#number" names (a bare "number" or "#number" matches
 * when exactly one deployment has that run number).  -1 if none. */
long cw_attribute_by_build(const cw_deploy *d, size_t n, const char *ref);

/* The whole rule: explicit reference (when re is not NULL) first, then the
 * window.  *index gets the deployment index or -1. */
cw_attr_how cw_attribute(const cw_deploy *d, size_t n, const cw_graph *g, const cw_regex *re,
                         const char *title, const char *description, int64_t created_at,
                         int64_t window_s, long *index);

#endif
