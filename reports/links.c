/*
 * links.c - where a reader clicks through to: the Jira issue behind an item
 * key, the CI build behind a deployment.
 *
 * The base URLs are the live sources' `base_url` in the configuration (a
 * [source] of type jira or jenkins): the report never invents a host.  An
 * item key goes to the Jira source whose `projects` lists its project, else
 * to the first Jira source with a base_url; a build to the first Jenkins
 * source with one.  Without such a source there is no link, and the
 * renderers show plain text (file-based sources have no base_url).
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "../extract/http.h"
#include "../extract/source.h"

/* The source of type `type` with a base_url whose `projects` lists project,
 * else the first of that type with a base_url (project NULL: the first). */
static const cw_source *source_with_url(const cw_config *cfg, const char *type,
                                        const char *project)
{
    const cw_source *first = NULL;
    for (size_t i = 0; cfg && i < cfg->n_sources; i++) {
        const cw_source *src = &cfg->sources[i];
        cw_strlist projects = {0};
        int listed = 0;
        if (!src->type || strcmp(src->type, type) != 0 ||
            cw_str_empty(cw_source_get(src, "base_url")))
            continue;
        if (!first)
            first = src;
        if (!project)
            return src;
        cw_strlist_split(cw_source_get(src, "projects"), &projects);
        for (size_t p = 0; p < projects.n && !listed; p++)
            listed = strcmp(projects.items[p], project) == 0;
        cw_strlist_free(&projects);
        if (listed)
            return src;
    }
    return first;
}

static char *base_of(const cw_source *src)
{
    char *base = cw_strdup(cw_source_get(src, "base_url"));
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        base[--n] = '\0';
    return base;
}

char *cw_report_issue_url(const cw_config *cfg, const char *key)
{
    const char *dash = key ? strrchr(key, '-') : NULL;
    if (!dash || dash == key)
        return NULL;
    char *project = cw_strndup(key, (size_t)(dash - key));
    const cw_source *src = source_with_url(cfg, "jira", project);
    char *url = NULL;
    free(project);
    if (src) {
        char *base = base_of(src), *esc = cw_http_escape(key);
        url = cw_asprintf("%s/browse/%s", base, esc);
        free(esc);
        free(base);
    }
    return url;
}

char *cw_report_build_url(const cw_config *cfg, const char *job, long number)
{
    const cw_source *src = cw_str_empty(job) ? NULL : source_with_url(cfg, "jenkins", NULL);
    char *url = NULL;
    if (src) {
        char *base = base_of(src), *path = cw_jenkins_job_path(job);
        url = cw_asprintf("%s%s/%ld/", base, path, number);
        free(path);
        free(base);
    }
    return url;
}
