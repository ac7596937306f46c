/*
 * registry.c - the table of source types, and the check of a [source]
 * section against its type.  Adding a connector is one file plus one row
 * here: the config check, the list of types in its errors and the live
 * keys all come from this table, so none of them goes stale.
 */
#include "source.h"
#include "credentials.h"
#include "landing.h"
#include "../core/util.h"

#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>

extern const cw_source_type cw_source_jira;
extern const cw_source_type cw_source_jira_csv;
extern const cw_source_type cw_source_git;
extern const cw_source_type cw_source_jenkins;
extern const cw_source_type cw_source_pagerduty;
extern const cw_source_type cw_source_servicenow;
extern const cw_source_type cw_source_opsgenie;
extern const cw_source_type cw_source_csv;
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
    &cw_source_opsgenie,
    &cw_source_csv,
    NULL,
};

const cw_source_type *cw_source_type_find(const char *name)
{
    for (const cw_source_type *const *t = cw_source_types; *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

/* ---------------------------------------------------------------- the check */

/* The numeric keys every live source accepts, with their ranges; the
 * fetcher converts them to integers only after these checks passed. */
typedef struct number_key {
    const char *key;
    double min, max;
    int whole;                  /* an integer is required */
    const char *unit;           /* "hours", "seconds", or NULL for a count */
} number_key;

static const number_key live_numbers[] = {
    {"page_size", 1, 10000, 1, NULL},
    {"max_tries", 1, 100, 1, NULL},
    {"overlap", 0, 8760, 0, "hours"},
    {"timeout", 1, 86400, 0, "seconds"},
    {"backoff_initial", 0, 3600, 0, "seconds"},
    {"backoff_max", 0, 86400, 0, "seconds"},
};

static int in_list(const char *const *list, const char *key)
{
    for (const char *const *k = list; k && *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    return 0;
}

static int key_allowed(const cw_source_type *type, const char *key)
{
    return strcmp(key, "type") == 0 || strcmp(key, "path") == 0 || in_list(cw_landing_keys, key) ||
           in_list(type->keys, key) || (type->fetch && in_list(cw_live_keys, key));
}

/* localhost, [::1], or a whole IPv4 address in 127.0.0.0/8: a name that
 * only starts with "127." (127.evil.example) is anybody's host. */
static int is_loopback(const char *host, size_t len)
{
    char ip[INET_ADDRSTRLEN];
    struct in_addr a;
    if ((len == 9 && strncmp(host, "localhost", 9) == 0) ||
        (len == 5 && strncmp(host, "[::1]", 5) == 0))
        return 1;
    if (len >= sizeof(ip))
        return 0;
    memcpy(ip, host, len);
    ip[len] = '\0';
    return inet_pton(AF_INET, ip, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* A live source's URL: https (a token must never cross the network in
 * clear; plain http is allowed to the loopback only, for local test
 * servers), and no user or password inside it (secrets come from
 * token_env / token_file, and a URL ends up in logs).  Returns the errors. */
static int check_base_url(const cw_source *src)
{
    const char *url = cw_source_get(src, "base_url");
    const char *host, *end;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else {
        cw_source_error(src, "base_url", "expected an https:// URL, got '%s'", url);
        return 1;
    }
    end = host + strcspn(host, "/?#");
    if (memchr(host, '@', (size_t)(end - host))) {
        cw_source_error(src, "base_url", "no user or password in the URL: use user = and "
                        "token_env / token_file");
        return 1;
    }
    if (host == url + 7) {
        size_t hlen = strcspn(host, ":/?#");
        if (host[0] == '[')
            hlen = strcspn(host, "]") + 1;
        if (!is_loopback(host, hlen)) {
            cw_source_error(src, "base_url", "use https:// (plain http is only allowed to "
                            "localhost, where test servers run)");
            return 1;
        }
    }
    return 0;
}

/* "jira, jira-csv, ..." from the table above. */
static char *type_names(void)
{
    cw_buf b = {0};
    for (const cw_source_type *const *t = cw_source_types; *t; t++)
        cw_buf_printf(&b, "%s%s", t == cw_source_types ? "" : ", ", (*t)->name);
    return b.data ? b.data : cw_strdup("");
}

/* The live numeric keys, range checked before extract/ converts them. */
static int check_live_numbers(const cw_source *src)
{
    int errors = 0;
    for (size_t i = 0; i < sizeof(live_numbers) / sizeof(live_numbers[0]); i++) {
        const number_key *nk = &live_numbers[i];
        const char *value = cw_source_get(src, nk->key);
        double v;
        if (value && cw_parse_decimal(value, nk->min, nk->max, nk->whole, &v) != 0) {
            cw_source_error(src, nk->key, "expected %s from %g to %g, got '%s'",
                            nk->whole ? "a whole number" : nk->unit, nk->min, nk->max, value);
            errors++;
        }
    }
    return errors;
}

static int is_secret_key(const char *key)
{
    return strcmp(key, "token") == 0 || strcmp(key, "password") == 0 || strcmp(key, "secret") == 0 ||
           strcmp(key, "api_token") == 0;
}

/* Each key is known to the type, and no secret is written in the file. */
static int check_keys(const cw_source *src, const cw_source_type *type)
{
    int errors = 0;
    for (size_t i = 0; i < src->n_keys; i++) {
        const char *key = src->keys[i].key;
        if (is_secret_key(key))
            cw_source_error(src, key, "secrets never go in the configuration: "
                            "use token_env = VARIABLE or token_file = PATH");
        else if (!key_allowed(type, key))
            cw_source_error(src, key, "not a key of %s sources", type->name);
        else
            continue;
        errors++;
    }
    return errors;
}

int cw_source_check(const cw_source *src)
{
    const cw_source_type *type = src->type ? cw_source_type_find(src->type) : NULL;
    int errors;
    if (!type) {
        char *names = type_names();
        if (!src->type)
            cw_source_error(src, "type", "[source %s] has no type (%s)", src->name, names);
        else
            cw_source_error(src, "type", "unknown source type '%s' (%s)", src->type, names);
        free(names);
        return 1;
    }
    errors = check_keys(src, type);
    if (cw_source_get(src, "base_url") && !type->fetch) {
        cw_source_error(src, "base_url", "%s sources cannot be extracted live", type->name);
        errors++;
    } else if (cw_source_get(src, "base_url")) {
        errors += check_base_url(src);
    }
    if (!cw_source_get(src, "path") && !cw_source_get(src, "base_url") && !type->produce) {
        cw_source_error(src, "path", "[source %s] needs a path%s", src->name,
                        type->fetch ? " or a base_url" : "");
        errors++;
    }
    errors += check_live_numbers(src);
    if (type->validate && type->validate(src) != 0)
        errors++;
    if (cw_landing_validate(src) != 0)
        errors++;
    return errors;
}
