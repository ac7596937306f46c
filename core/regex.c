/*
 * regex.c - pcre2 wrapper for match / named-group checks, and the compile
 * of a config key's regex with its FILE:LINE error (see regex.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"
#include "util.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cw_regex {
    pcre2_code *code;
    pcre2_match_data *match;
};

cw_regex *cw_regex_compile(const char *pattern, int caseless, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE offset;
    cw_regex *re;
    pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                         PCRE2_UTF | (caseless ? PCRE2_CASELESS : 0),
                                         &code, &offset, NULL);
    if (!compiled) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof(msg));
        if (err)
            snprintf(err, errlen, "offset %zu: %s", (size_t)offset, (char *)msg);
        return NULL;
    }
    re = calloc(1, sizeof(*re));
    if (!re) {
        pcre2_code_free(compiled);
        return NULL;
    }
    re->code = compiled;
    re->match = pcre2_match_data_create_from_pattern(compiled, NULL);
    return re;
}

int cw_regex_match(const cw_regex *re, const char *subject)
{
    int rc;
    if (!subject)
        return 0;
    rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, re->match, NULL);
    if (rc >= 0)
        return 1;
    return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int cw_regex_named(const cw_regex *re, const char *subject, const char *group,
                   char *out, size_t outlen)
{
    PCRE2_SIZE len = outlen;
    if (cw_regex_match(re, subject) != 1)
        return 0;
    if (pcre2_substring_copy_byname(re->match, (PCRE2_SPTR)group, (PCRE2_UCHAR *)out, &len) != 0)
        return 0;
    return 1;
}

void cw_regex_free(cw_regex *re)
{
    if (!re)
        return;
    pcre2_match_data_free(re->match);
    pcre2_code_free(re->code);
    free(re);
}

/* "(*" opening a verb or an alpha assertion: a '(' not escaped by an odd
 * run of backslashes, followed by '*'.  Errs on the safe side: a "(*"
 * inside a character class or \Q...\E is refused as well. */
static int has_verb(const char *pattern)
{
    for (const char *p = pattern; *p; p++) {
        const char *q = p;
        if (p[0] != '(' || p[1] != '*')
            continue;
        while (q > pattern && q[-1] == '\\')
            q--;
        if ((p - q) % 2 == 0)
            return 1;
    }
    return 0;
}

int cw_regex_check_anchorable(const char *pattern, char *err, size_t errlen)
{
    char inner[200];
    cw_regex *re = cw_regex_compile(pattern, 0, inner, sizeof(inner));
    char *anchored;
    if (!re) {
        snprintf(err, errlen, "is not a valid regex: %s", inner);
        return -1;
    }
    cw_regex_free(re);
    if (has_verb(pattern)) {
        snprintf(err, errlen, "may not use (* verbs such as (*ACCEPT): the pattern must match "
                 "the whole job name");
        return -1;
    }
    anchored = cw_asprintf("^(?:%s)$", pattern);
    re = cw_regex_compile(anchored, 0, NULL, 0);
    free(anchored);
    if (!re) {
        snprintf(err, errlen, "cannot be anchored as ^(?:...)$: an unterminated \\Q or a (?x) "
                 "comment swallows the closing parenthesis");
        return -1;
    }
    cw_regex_free(re);
    return 0;
}
