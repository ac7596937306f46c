/*
 * source.h - the connector interface.
 *
 * Like curl's protocol handlers, each source type is one constant struct in
 * one file.  It lists the config keys it accepts, checks them, and parses one
 * landed file into normalised records handed to a sink.  Landing (copying
 * the raw bytes) is shared by every connector (extract/landing.c); a source
 * type only supplies `produce` when it creates the raw file itself (git runs
 * `git log` on a local clone).
 *
 * A source with `base_url` is extracted live instead: the type's `fetch`
 * describes its endpoints and cursor rule, and the shared machinery in
 * extract/fetch.c and extract/http.c does the requests, retries and landing,
 * so the same `parse` reads a page fetched live and a page dropped as a file.
 *
 * Adding a source is one file plus one row in cw_source_types[] (registry.c).
 */
#ifndef CW_SOURCE_H
#define CW_SOURCE_H

#include "../core/config.h"
#include "../core/record.h"
#include "http.h"

struct cw_fetch;

typedef struct cw_source_type {
    const char *name;                       /* "jira", "git", ... */
    const char *const *keys;                /* accepted keys besides type/path, NULL-terminated */
    /* Check key values (regexes compile, time zones parse).  Print
     * "FILE:LINE: key: message" to stderr and return -1 on error. */
    int (*validate)(const cw_source *src);
    /* Optional: write the raw export into out_path (git log of a local clone).
     * Return 0, or -1 after printing an error. NULL = copy files named by `path`. */
    int (*produce)(const cw_source *src, const char *out_path);
    /* Parse one landed file.  Bad records go to sink->reject and parsing goes
     * on; returns 0 when the file was read (possibly with rejects), -1 when
     * the file as a whole is unusable (a reject naming the file and position
     * has already been emitted) or the sink failed. */
    int (*parse)(const cw_source *src, const char *path, cw_sink *sink);
    /* Optional: live extraction from the source's base_url (extract/fetch.h).
     * Lands raw pages through cw_fetch_pages / cw_fetch_land only; returns 0,
     * or -1 with the error in f->error.  NULL = files only. */
    int (*fetch)(struct cw_fetch *f);
    /* The auth scheme a token is sent with unless `auth =` overrides it. */
    cw_auth_kind auth_kind;
} cw_source_type;

/* The registry: NULL-terminated. */
extern const cw_source_type *const cw_source_types[];

const cw_source_type *cw_source_type_find(const char *name);

/* Check a [source] section against its type (a cw_source_check_fn, handed
 * to cw_config_load): the type is known, every key is one the type, the
 * landing zone or (for a type that can fetch) live extraction accepts, no
 * secret is written in the file, the base_url is safe, a path or base_url
 * is there when the type needs one, live numbers are in range, and the
 * type's own validate passes.  Prints "FILE:LINE: key: message" for each
 * error; returns how many. */
int cw_source_check(const cw_source *src);

/* A Jenkins job's path under its base_url: "a/b" -> "/job/a/job/b", each
 * name percent-encoded (extract/jenkins.c); caller frees. */
char *cw_jenkins_job_path(const char *job);

#endif
