/*
 * keys.c - ticket-key recognition with pcre2 and an allow-list of projects
 * (see keys.h).
 *
 * The regex finds candidates; the allow-list decides.  A deny-list would
 * never be complete (UTF-8, SHA-256, ISO-8601, JDK-8024695, LANG-894 ...),
 * whereas the set of projects we track is known exactly.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "keys.h"
#include "../core/strmap.h"
#include "../core/util.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROJECT_MAX 128     /* longer "projects" are not Jira keys */

struct cw_keys {
    pcre2_code *code;
    pcre2_match_data *match;
    int project_group;      /* capture group of the project, 0 = text before '-' */
    cw_strmap *projects;    /* folded name -> index into names */
    char **names;           /* projects as registered */
    size_t n_names;
};

/* Which capture group holds the project: `project` by name, else group 1. */
static int find_project_group(const pcre2_code *code)
{
    uint32_t captures = 0;
    int named = pcre2_substring_number_from_name(code, (PCRE2_SPTR)"project");
    if (named > 0)
        return named;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
    return captures >= 1 ? 1 : 0;
}

cw_keys *cw_keys_new(const char *pattern, char *err, size_t errlen)
{
    int errcode;
    PCRE2_SIZE erroff;
    cw_keys *keys;
    pcre2_code *code;

    if (cw_str_empty(pattern))
        pattern = CW_KEYS_DEFAULT_PATTERN;
    /* MATCH_INVALID_UTF: commit messages are not always valid UTF-8, and a
     * bad byte must not hide the keys around it. */
    code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                         PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        if (err && errlen)
            snprintf(err, errlen, "offset %zu: %s", (size_t)erroff, (const char *)msg);
        return NULL;
    }
    keys = cw_xcalloc(1, sizeof(*keys));
    keys->code = code;
    keys->match = pcre2_match_data_create_from_pattern(code, NULL);
    keys->project_group = find_project_group(code);
    keys->projects = cw_strmap_new();
    return keys;
}

void cw_keys_free(cw_keys *keys)
{
    if (!keys)
        return;
    pcre2_match_data_free(keys->match);
    pcre2_code_free(keys->code);
    cw_strmap_free(keys->projects);
    for (size_t i = 0; i < keys->n_names; i++)
        free(keys->names[i]);
    free(keys->names);
    free(keys);
}

void cw_keys_add_project(cw_keys *keys, const char *project)
{
    char folded[PROJECT_MAX];
    if (cw_str_empty(project) || strlen(project) >= PROJECT_MAX)
        return;
    cw_strmap_fold(project, folded, sizeof(folded));
    if (!cw_strmap_add(keys->projects, folded, (int64_t)keys->n_names, NULL))
        return;
    keys->names = cw_xrealloc(keys->names, (keys->n_names + 1) * sizeof(char *));
    keys->names[keys->n_names++] = cw_strdup(project);
}

size_t cw_keys_project_count(const cw_keys *keys)
{
    return keys->n_names;
}

/* The project span [*ps, *pe) of the current match; 0 when it has none. */
static int project_span(const cw_keys *keys, const char *text, PCRE2_SIZE *ps, PCRE2_SIZE *pe)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(keys->match);
    if (keys->project_group > 0) {
        *ps = ov[2 * keys->project_group];
        *pe = ov[2 * keys->project_group + 1];
        return *ps != PCRE2_UNSET && *pe > *ps;
    }
    *ps = ov[0];
    for (*pe = ov[0]; *pe < ov[1] && text[*pe] != '-'; (*pe)++)
        ;
    return *pe > *ps;
}

/* The registered spelling of the project text[ps, pe), or NULL if unknown. */
static const char *known_project(const cw_keys *keys, const char *text, PCRE2_SIZE ps, PCRE2_SIZE pe)
{
    char folded[PROJECT_MAX];
    char raw[PROJECT_MAX];
    int64_t index;
    size_t len = pe - ps;

    if (len >= PROJECT_MAX)
        return NULL;
    memcpy(raw, text + ps, len);
    raw[len] = '\0';
    cw_strmap_fold(raw, folded, sizeof(folded));
    if (!cw_strmap_getn(keys->projects, folded, len, &index))
        return NULL;
    return keys->names[index];
}

/* Report the current match if its project is known: 1 reported, 0 skipped,
 * -1 when the callback asked to stop. */
static int report_match(cw_keys *keys, const char *text, cw_key_fn fn, void *ctx)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(keys->match);
    PCRE2_SIZE ps, pe;
    const char *project;
    char *key;
    int rc;

    if (!project_span(keys, text, &ps, &pe))
        return 0;
    project = known_project(keys, text, ps, pe);
    if (!project)
        return 0;
    /* Spell the project as registered: same length, only the case differs. */
    key = cw_strndup(text + ov[0], ov[1] - ov[0]);
    memcpy(key + (ps - ov[0]), project, pe - ps);
    rc = fn ? fn(ctx, key, project) : 0;
    free(key);
    return rc ? -1 : 1;
}

int cw_keys_scan(cw_keys *keys, const char *text, cw_key_fn fn, void *ctx)
{
    size_t len, off = 0;
    int found = 0;

    if (!text)
        return 0;
    len = strlen(text);
    while (off <= len) {
        PCRE2_SIZE *ov;
        int rc = pcre2_match(keys->code, (PCRE2_SPTR)text, len, off, 0, keys->match, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            return -1;
        rc = report_match(keys, text, fn, ctx);
        if (rc < 0)
            return -1;
        found += rc;
        ov = pcre2_get_ovector_pointer(keys->match);
        if (ov[1] > ov[0]) {
            off = ov[1];
        } else {
            /* An empty match: step over one whole UTF-8 character. */
            off = ov[1] + 1;
            while (off < len && ((unsigned char)text[off] & 0xC0) == 0x80)
                off++;
        }
    }
    return found;
}
