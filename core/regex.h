/*
 * regex.h - a thin pcre2 wrapper for the places that only need "does it
 * match" and "what did this named group capture" (job names, environments).
 * Key extraction iterates matches with pcre2
 * directly (transform/keys.c).
 */
#ifndef CW_REGEX_H
#define CW_REGEX_H

#include <stddef.h>

/* A compiled pattern keeps its match data inside, so one cw_regex serves
 * one thread at a time: a connector compiles its own per parse (files are
 * parsed on several threads, pipeline/parallel.c). */
typedef struct cw_regex cw_regex;

/* Compile a UTF-8 pattern; on error fill err ("offset 3: missing )") and return NULL. */
cw_regex *cw_regex_compile(const char *pattern, int caseless, char *err, size_t errlen);
/* 1 when subject matches anywhere, 0 when not, -1 on a matching error. */
int cw_regex_match(const cw_regex *re, const char *subject);
/* Match and copy named group `group` into out (NUL-terminated, truncated).
 * Returns 1 when it matched and the group took part, 0 otherwise. */
int cw_regex_named(const cw_regex *re, const char *subject, const char *group,
                   char *out, size_t outlen);
void cw_regex_free(cw_regex *re);

/* Check that a pattern keeps its meaning when wrapped as ^(?:pattern)$, the
 * way job patterns are anchored (load/sync.c sync_jobs): it must compile on
 * its own, so it cannot close the wrapper's group ("x)|(.*" would match every
 * job); the wrapped form must compile, so a \Q or a (?x) comment cannot
 * swallow the closing ")$"; and it may not use a (* verb, since (*ACCEPT)
 * ends a match before the $ is reached.  0, or -1 with err filled. */
int cw_regex_check_anchorable(const char *pattern, char *err, size_t errlen);

#endif
