/*
 * keys.h - ticket-key recognition in free text (commit messages, PR titles).
 *
 * A key is a match of a pcre2 pattern (default CW_KEYS_DEFAULT_PATTERN) whose
 * project part is a known work-item project: `[CLI-354] Fix ...` names
 * CLI-354 when CLI is known, while UTF-16, SHA-256 or JDK-8024695 are ignored
 * unless someone tracks a project of that name (metrics.md, Traceability).
 *
 * The project is the named group `project` if the pattern has one, else group
 * 1, else the text before the first '-'.  Projects compare case-insensitively,
 * so a caseless pattern such as `(?i)\b([a-z][a-z0-9_]+)-(\d+)\b` finds
 * `cli-166`; the key handed to the callback is then spelled with the project
 * as it was registered ("CLI-166").  The default pattern is case-sensitive,
 * so lower-case `cli-166` is not a key by default.
 */
#ifndef CW_KEYS_H
#define CW_KEYS_H

#include <stddef.h>

#define CW_KEYS_DEFAULT_PATTERN "\\b([A-Z][A-Z0-9_]+)-([1-9][0-9]{0,6})\\b"

typedef struct cw_keys cw_keys;

/* Compile pattern (NULL = the default).  On error fills err and returns NULL. */
cw_keys *cw_keys_new(const char *pattern, char *err, size_t errlen);
void cw_keys_free(cw_keys *keys);

/* Register a known project (e.g. "CLI").  Empty or NULL names are ignored. */
void cw_keys_add_project(cw_keys *keys, const char *project);
size_t cw_keys_project_count(const cw_keys *keys);

/* Called once per key occurrence, in text order.  key is NUL-terminated and
 * only valid during the call.  A non-zero return stops the scan. */
typedef int (*cw_key_fn)(void *ctx, const char *key, const char *project);

/* Scan text (UTF-8; invalid sequences are tolerated) for keys of known
 * projects.  Returns the number of keys reported, or -1 on a matching error
 * or when the callback stopped the scan. */
int cw_keys_scan(cw_keys *keys, const char *text, cw_key_fn fn, void *ctx);

#endif
