/*
 * config.c - load and validate the INI configuration (see config.h).
 *
 * inih does the INI syntax.  The Debian build of inih does not pass line
 * numbers to the handler, so we feed it through ini_parse_stream with a
 * reader that counts lines: when the handler runs, the counter holds the
 * line of the key it was given.  Every error names FILE:LINE: key.
 *
 * Validation happens in two passes: the handler stores raw sections and
 * keys, then validate_*() checks them as a whole (types known, required keys
 * present, lists well-formed), so a half-valid config never runs.
 */
#include "config.h"
#include "regex.h"
#include "util.h"
#include "../extract/credentials.h"
#include "../extract/landing.h"
#include "../extract/source.h"

#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ATTRIBUTION_WINDOW_S (72 * 3600)

typedef struct parse_state {
    cw_config *cfg;
    FILE *file;
    int line;
    int section_line;           /* line of the last [section] header read */
    int continuation;           /* the line being handled is an indented continuation */
    int errors;
    char section[256];          /* current section as written */
    void *current;              /* cw_source / cw_application of the section */
    enum { SEC_NONE, SEC_CATWALK, SEC_METRICS, SEC_STATUS, SEC_FLOW, SEC_SOURCE, SEC_APP,
           SEC_UNKNOWN } kind;
} parse_state;

static void config_error(parse_state *st, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void config_error(parse_state *st, int line, const char *key, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: %s%s", st->cfg->path, line, key ? key : "", key ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    st->errors++;
}

static char *counting_reader(char *str, int num, void *stream)
{
    parse_state *st = stream;
    char *r = fgets(str, num, st->file);
    size_t len;
    if (!r)
        return r;
    st->line++;
    len = strlen(r);
    /* inih reads at most num - 1 bytes of a line: say so rather than let the
     * rest of a long list be parsed as a broken line of its own. */
    if (len == (size_t)num - 1 && r[len - 1] != '\n' && !feof(st->file)) {
        int c;
        config_error(st, st->line, NULL, "line longer than %d characters: continue a long "
                     "list on indented lines below it", num - 2);
        while ((c = fgetc(st->file)) != EOF && c != '\n')
            ;
        r[0] = '\n';
        r[1] = '\0';
        return r;
    }
    st->continuation = (r[0] == ' ' || r[0] == '\t') && r[strspn(r, " \t")] != '\n' &&
                       r[strspn(r, " \t")] != ';' && r[strspn(r, " \t")] != '#';
    if (r[strspn(r, " \t")] == '[')
        st->section_line = st->line;
    return r;
}

char *cw_path_resolve(const char *dir, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] == '/' || !dir || !*dir)
        return cw_strdup(path);
    return cw_asprintf("%s/%s", dir, path);
}

int cw_strlist_split(const char *text, cw_strlist *out)
{
    char *copy = cw_strdup(text ? text : ""), *save = NULL, *tok;
    out->items = NULL;
    out->n = 0;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = cw_trim(tok);
        if (!*t)
            continue;
        out->items = cw_xrealloc(out->items, (out->n + 1) * sizeof(char *));
        out->items[out->n++] = cw_strdup(t);
    }
    free(copy);
    return 0;
}

void cw_strlist_free(cw_strlist *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* ---------------------------------------------------------------- sections */

static int begin_section(parse_state *st, const char *section)
{
    cw_config *cfg = st->cfg;
    snprintf(st->section, sizeof(st->section), "%s", section);
    st->current = NULL;
    if (strcmp(section, "catwalk") == 0)
        st->kind = SEC_CATWALK;
    else if (strcmp(section, "metrics") == 0)
        st->kind = SEC_METRICS;
    else if (strcmp(section, "status") == 0)
        st->kind = SEC_STATUS;
    else if (strcmp(section, "flow_types") == 0)
        st->kind = SEC_FLOW;
    else if (strncmp(section, "source ", 7) == 0 || strncmp(section, "application ", 12) == 0) {
        int is_source = section[0] == 's';
        char *copy = cw_strdup(section + (is_source ? 7 : 12));
        char *owned = cw_strdup(cw_trim(copy));
        free(copy);
        if (!*owned) {
            config_error(st, st->section_line, NULL, "section [%s] needs a name", section);
            free(owned);
            st->kind = SEC_UNKNOWN;
            return 1;
        }
        if (is_source) {
            for (size_t i = 0; i < cfg->n_sources; i++)
                if (strcmp(cfg->sources[i].name, owned) == 0)
                    config_error(st, st->section_line, NULL, "duplicate [source %s]", owned);
            cfg->sources = cw_xrealloc(cfg->sources, (cfg->n_sources + 1) * sizeof(cw_source));
            cw_source *src = &cfg->sources[cfg->n_sources++];
            memset(src, 0, sizeof(*src));
            src->name = owned;
            src->line = st->section_line;
            src->config_path = cfg->path;
            src->config_dir = cfg->dir;
            st->kind = SEC_SOURCE;
        } else {
            for (size_t i = 0; i < cfg->n_apps; i++)
                if (strcmp(cfg->apps[i].name, owned) == 0)
                    config_error(st, st->section_line, NULL, "duplicate [application %s]", owned);
            cfg->apps = cw_xrealloc(cfg->apps, (cfg->n_apps + 1) * sizeof(cw_application));
            cw_application *app = &cfg->apps[cfg->n_apps++];
            memset(app, 0, sizeof(*app));
            app->name = owned;
            app->line = st->section_line;
            st->kind = SEC_APP;
        }
    } else {
        config_error(st, st->section_line, NULL, "unknown section [%s]", section);
        st->kind = SEC_UNKNOWN;
    }
    return 1;
}

/* ---------------------------------------------------------------- keys */

static int parse_hours(const char *value, int64_t *seconds)
{
    char *end;
    double h = strtod(value, &end);
    if (end == value || *cw_trim(end) != '\0' || h < 0)
        return -1;
    *seconds = (int64_t)(h * 3600.0 + 0.5);
    return 0;
}

static void set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = cw_strdup(value);
}

static void key_catwalk(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    if (strcmp(key, "warehouse") == 0)
        set_string(&cfg->warehouse, value);
    else if (strcmp(key, "landing") == 0)
        set_string(&cfg->landing, value);
    else if (strcmp(key, "reports") == 0)
        set_string(&cfg->reports, value);
    else
        config_error(st, st->line, key, "unknown key in [catwalk] (warehouse, landing, reports)");
}

static void key_metrics(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    if (strcmp(key, "attribution_window") == 0) {
        if (parse_hours(value, &cfg->attribution_window_s) != 0)
            config_error(st, st->line, key, "expected hours (0 = unlimited), got '%s'", value);
    } else if (strcmp(key, "key_pattern") == 0) {
        set_string(&cfg->key_pattern, value);
    } else if (strcmp(key, "incident_deployment_pattern") == 0) {
        set_string(&cfg->incident_deployment_pattern, value);
    } else {
        config_error(st, st->line, key,
                     "unknown key in [metrics] (attribution_window, key_pattern, "
                     "incident_deployment_pattern)");
    }
}

static void key_status(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    const char *category = value;
    int waiting = 0;
    if (strcmp(value, "wait") == 0) {
        category = "in_progress";
        waiting = 1;
    } else if (strcmp(value, "todo") != 0 && strcmp(value, "in_progress") != 0 &&
               strcmp(value, "done") != 0) {
        config_error(st, st->line, key, "expected todo, in_progress, wait or done, got '%s'", value);
        return;
    }
    cfg->statuses = cw_xrealloc(cfg->statuses, (cfg->n_statuses + 1) * sizeof(cw_status_rule));
    cfg->statuses[cfg->n_statuses].name = cw_strdup(key);
    cfg->statuses[cfg->n_statuses].category = cw_strdup(category);
    cfg->statuses[cfg->n_statuses].waiting = waiting;
    cfg->n_statuses++;
}

static void key_flow(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    if (strcmp(value, "feature") != 0 && strcmp(value, "defect") != 0 &&
        strcmp(value, "risk") != 0 && strcmp(value, "debt") != 0) {
        config_error(st, st->line, key, "expected feature, defect, risk or debt, got '%s'", value);
        return;
    }
    cfg->flow_rules = cw_xrealloc(cfg->flow_rules, (cfg->n_flow_rules + 1) * sizeof(cw_flow_rule));
    cfg->flow_rules[cfg->n_flow_rules].type = cw_strdup(key);
    cfg->flow_rules[cfg->n_flow_rules].flow_type = cw_strdup(value);
    cfg->n_flow_rules++;
}

static void key_source(parse_state *st, const char *key, const char *value)
{
    cw_source *src = &st->cfg->sources[st->cfg->n_sources - 1];
    if (st->continuation && src->n_keys && strcmp(src->keys[src->n_keys - 1].key, key) == 0) {
        /* an indented line continues a comma-separated list */
        cw_kv *last = &src->keys[src->n_keys - 1];
        char *joined = cw_asprintf("%s,%s", last->value, value);
        free(last->value);
        last->value = joined;
        return;
    }
    for (size_t i = 0; i < src->n_keys; i++)
        if (strcmp(src->keys[i].key, key) == 0) {
            config_error(st, st->line, key, "given twice in [source %s]", src->name);
            return;
        }
    src->keys = cw_xrealloc(src->keys, (src->n_keys + 1) * sizeof(cw_kv));
    src->keys[src->n_keys].key = cw_strdup(key);
    src->keys[src->n_keys].value = cw_strdup(value);
    src->keys[src->n_keys].line = st->line;
    src->n_keys++;
    if (strcmp(key, "type") == 0)
        set_string(&src->type, value);
}

static void key_app(parse_state *st, const char *key, const char *value)
{
    cw_application *app = &st->cfg->apps[st->cfg->n_apps - 1];
    cw_strlist *list = NULL;
    if (strcmp(key, "team") == 0) {
        set_string(&app->team, value);
        return;
    }
    if (strcmp(key, "projects") == 0)
        list = &app->projects;
    else if (strcmp(key, "repositories") == 0)
        list = &app->repositories;
    else if (strcmp(key, "jobs") == 0)
        list = &app->jobs;
    else if (strcmp(key, "services") == 0)
        list = &app->services;
    if (!list) {
        config_error(st, st->line, key,
                     "unknown key in [application %s] (team, projects, repositories, jobs, services)",
                     app->name);
        return;
    }
    if (st->continuation) {
        cw_strlist more;
        cw_strlist_split(value, &more);
        list->items = cw_xrealloc(list->items, (list->n + more.n + 1) * sizeof(char *));
        for (size_t i = 0; i < more.n; i++)
            list->items[list->n++] = more.items[i];
        free(more.items);
        return;
    }
    cw_strlist_free(list);
    cw_strlist_split(value, list);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_state *st = user;
    if (!name)
        return begin_section(st, section);
    if (strcmp(section, st->section) != 0 || (st->kind == SEC_NONE && *section))
        begin_section(st, section);
    switch (st->kind) {
    case SEC_CATWALK: key_catwalk(st, name, value); break;
    case SEC_METRICS: key_metrics(st, name, value); break;
    case SEC_STATUS: key_status(st, name, value); break;
    case SEC_FLOW: key_flow(st, name, value); break;
    case SEC_SOURCE: key_source(st, name, value); break;
    case SEC_APP: key_app(st, name, value); break;
    case SEC_UNKNOWN: break;
    case SEC_NONE:
        config_error(st, st->line, name, "key outside any section");
        break;
    }
    return 1;
}

/* ---------------------------------------------------------------- validation */

static int key_allowed(const cw_source_type *type, const char *key)
{
    if (strcmp(key, "type") == 0 || strcmp(key, "path") == 0)
        return 1;
    for (const char *const *k = cw_landing_keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    for (const char *const *k = type->keys; k && *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    if (type->fetch)
        for (const char *const *k = cw_live_keys; *k; k++)
            if (strcmp(*k, key) == 0)
                return 1;
    return 0;
}

static int is_loopback(const char *host, size_t len)
{
    return (len == 9 && strncmp(host, "localhost", 9) == 0) ||
           (len >= 4 && strncmp(host, "127.", 4) == 0) || (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/* A live source's URL: https (a token must never cross the network in
 * clear; plain http is allowed to the loopback only, for local test
 * servers), and no user or password inside it (secrets come from
 * token_env / token_file, and a URL ends up in logs). */
static void check_base_url(parse_state *st, const cw_source *src)
{
    const char *url = cw_source_get(src, "base_url");
    int line = cw_source_line(src, "base_url");
    const char *host, *end;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else {
        config_error(st, line, "base_url", "expected an https:// URL, got '%s'", url);
        return;
    }
    end = host + strcspn(host, "/?#");
    if (memchr(host, '@', (size_t)(end - host))) {
        config_error(st, line, "base_url", "no user or password in the URL: use user = and "
                     "token_env / token_file");
        return;
    }
    if (host == url + 7) {
        size_t hlen = strcspn(host, ":/?#");
        if (host[0] == '[')
            hlen = strcspn(host, "]") + 1;
        if (!is_loopback(host, hlen))
            config_error(st, line, "base_url", "use https:// (plain http is only allowed to "
                         "localhost, where test servers run)");
    }
}

static void validate_source(parse_state *st, const cw_source *src)
{
    const cw_source_type *type;
    if (!src->type) {
        config_error(st, src->line, "type", "[source %s] has no type "
                     "(jira, jira-csv, git, jenkins, pagerduty, servicenow)", src->name);
        return;
    }
    type = cw_source_type_find(src->type);
    if (!type) {
        config_error(st, cw_source_line(src, "type"), "type", "unknown source type '%s' "
                     "(jira, jira-csv, git, jenkins, pagerduty, servicenow)", src->type);
        return;
    }
    for (size_t i = 0; i < src->n_keys; i++) {
        const char *key = src->keys[i].key;
        if (strcmp(key, "token") == 0 || strcmp(key, "password") == 0 || strcmp(key, "secret") == 0 ||
            strcmp(key, "api_token") == 0)
            config_error(st, src->keys[i].line, key, "secrets never go in the configuration: "
                         "use token_env = VARIABLE or token_file = PATH");
        else if (!key_allowed(type, key))
            config_error(st, src->keys[i].line, key, "not a key of %s sources", type->name);
    }
    if (cw_source_get(src, "base_url") && !type->fetch)
        config_error(st, cw_source_line(src, "base_url"), "base_url",
                     "%s sources cannot be extracted live", type->name);
    else if (cw_source_get(src, "base_url"))
        check_base_url(st, src);
    if (!cw_source_get(src, "path") && !cw_source_get(src, "base_url") && !type->produce)
        config_error(st, src->line, "path", "[source %s] needs a path%s", src->name,
                     type->fetch ? " or a base_url" : "");
    if (type->validate && type->validate(src) != 0)
        st->errors++;
    if (cw_landing_validate(src) != 0)
        st->errors++;
}

static void validate_app(parse_state *st, const cw_application *app)
{
    if (!app->team)
        config_error(st, app->line, "team", "[application %s] needs a team", app->name);
    for (size_t j = 0; j < app->jobs.n; j++) {
        char err[256];
        char *anchored = cw_asprintf("^(?:%s)$", app->jobs.items[j]);
        cw_regex *re = cw_regex_compile(anchored, 0, err, sizeof(err));
        if (!re)
            config_error(st, app->line, "jobs", "'%s' is not a valid regex: %s",
                         app->jobs.items[j], err);
        cw_regex_free(re);
        free(anchored);
    }
}

static void validate_metrics(parse_state *st)
{
    cw_config *cfg = st->cfg;
    const char *patterns[2] = {cfg->key_pattern, cfg->incident_deployment_pattern};
    const char *names[2] = {"key_pattern", "incident_deployment_pattern"};
    for (int i = 0; i < 2; i++) {
        char err[256];
        cw_regex *re;
        if (!patterns[i])
            continue;
        re = cw_regex_compile(patterns[i], 0, err, sizeof(err));
        if (!re)
            config_error(st, 0, names[i], "not a valid regex: %s", err);
        cw_regex_free(re);
    }
}

static void apply_defaults(cw_config *cfg)
{
    char *rel;
    rel = cfg->warehouse ? cfg->warehouse : cw_strdup("catwalk.db");
    cfg->warehouse = cw_path_resolve(cfg->dir, rel);
    free(rel);
    rel = cfg->landing ? cfg->landing : cw_strdup("landing");
    cfg->landing = cw_path_resolve(cfg->dir, rel);
    free(rel);
    rel = cfg->reports ? cfg->reports : cw_strdup("reports");
    cfg->reports = cw_path_resolve(cfg->dir, rel);
    free(rel);
}

int cw_config_load(const char *path, cw_config **out)
{
    parse_state st = {0};
    cw_config *cfg = cw_xcalloc(1, sizeof(*cfg));
    char *copy;
    int rc;
    cfg->path = cw_strdup(path);
    copy = cw_strdup(path);
    cfg->dir = cw_strdup(dirname(copy));
    free(copy);
    cfg->attribution_window_s = DEFAULT_ATTRIBUTION_WINDOW_S;
    st.cfg = cfg;
    st.file = fopen(path, "r");
    if (!st.file) {
        fprintf(stderr, "%s: cannot open configuration: %m\n", path);
        cw_config_free(cfg);
        return -1;
    }
    rc = ini_parse_stream(counting_reader, &st, on_key, &st);
    fclose(st.file);
    if (rc > 0)
        config_error(&st, rc, NULL, "syntax error (expected [section] or key = value)");
    for (size_t i = 0; i < cfg->n_sources; i++)
        validate_source(&st, &cfg->sources[i]);
    for (size_t i = 0; i < cfg->n_apps; i++)
        validate_app(&st, &cfg->apps[i]);
    validate_metrics(&st);
    if (st.errors) {
        cw_config_free(cfg);
        return -1;
    }
    apply_defaults(cfg);
    *out = cfg;
    return 0;
}

void cw_config_free(cw_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        cw_source *src = &cfg->sources[i];
        for (size_t k = 0; k < src->n_keys; k++) {
            free(src->keys[k].key);
            free(src->keys[k].value);
        }
        free(src->keys);
        free(src->name);
        free(src->type);
    }
    for (size_t i = 0; i < cfg->n_apps; i++) {
        cw_application *app = &cfg->apps[i];
        free(app->name);
        free(app->team);
        cw_strlist_free(&app->projects);
        cw_strlist_free(&app->repositories);
        cw_strlist_free(&app->jobs);
        cw_strlist_free(&app->services);
    }
    for (size_t i = 0; i < cfg->n_statuses; i++) {
        free(cfg->statuses[i].name);
        free(cfg->statuses[i].category);
    }
    for (size_t i = 0; i < cfg->n_flow_rules; i++) {
        free(cfg->flow_rules[i].type);
        free(cfg->flow_rules[i].flow_type);
    }
    free(cfg->sources);
    free(cfg->apps);
    free(cfg->statuses);
    free(cfg->flow_rules);
    free(cfg->path);
    free(cfg->dir);
    free(cfg->warehouse);
    free(cfg->landing);
    free(cfg->reports);
    free(cfg->key_pattern);
    free(cfg->incident_deployment_pattern);
    free(cfg);
}

const char *cw_source_get(const cw_source *src, const char *key)
{
    for (size_t i = 0; i < src->n_keys; i++)
        if (strcmp(src->keys[i].key, key) == 0)
            return src->keys[i].value;
    return NULL;
}

int cw_source_line(const cw_source *src, const char *key)
{
    for (size_t i = 0; i < src->n_keys; i++)
        if (strcmp(src->keys[i].key, key) == 0)
            return src->keys[i].line;
    return src->line;
}

char *cw_source_path(const cw_source *src, const char *key)
{
    return cw_path_resolve(src->config_dir, cw_source_get(src, key));
}
