/*
 * registry.c - the table of source types.  Adding a connector is one file
 * plus one row here.
 */
#include "source.h"

#include <string.h>

extern const cw_source_type cw_source_jira;
extern const cw_source_type cw_source_jira_csv;
extern const cw_source_type cw_source_git;
extern const cw_source_type cw_source_jenkins;
extern const cw_source_type cw_source_pagerduty;
extern const cw_source_type cw_source_servicenow;
extern const cw_source_type cw_source_github;
extern const cw_source_type cw_source_gitlab;

const cw_source_type *const cw_source_types[] = {
    &cw_source_jira,
    &cw_source_jira_csv,
    &cw_source_git,
    &cw_source_jenkins,
    &cw_source_pagerduty,
    &cw_source_servicenow,
    &cw_source_github,
    &cw_source_gitlab,
    NULL,
};

const cw_source_type *cw_source_type_find(const char *name)
{
    for (const cw_source_type *const *t = cw_source_types; *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}
