/*
 * items.h - the walk every JSON connector shares: from a landed file to one
 * callback per API item.
 *
 * A landed file is an API page ({"incidents":[...]}, {"workflow_runs":[...]},
 * {"result":[...]}), a plain array, one object (bare or wrapped, as
 * {"incident":{...}}), or the DevLake raw-table CSV wrapper.  The items
 * arrays of pages and plain arrays are read one item at a time
 * (core/jsonstream.h), so a file of any size costs one item's memory.
 * Reading it,
 * rejecting a file that is not JSON with its line and column, numbering the
 * items (record = 1-based position, 1 for a lone object), flattening those
 * shapes and reading optional timestamps live here once; a connector
 * describes its page keys (cw_item_shape) and supplies the item callback.
 */
#ifndef CW_ITEMS_H
#define CW_ITEMS_H

#include <jansson.h>
#include <stdint.h>
#include "../core/jsonstream.h"
#include "../core/record.h"
#include "../core/regex.h"

#define CW_ITEM_RAW_MAX 600     /* bytes of an item's JSON kept in a reject */

/* One item: 0 to go on; non-zero stops the walk (the sink failed). */
typedef int (*cw_item_fn)(void *ctx, json_t *item, const cw_origin *origin);

/* 1 when the object holds key with a value other than null. */
int cw_item_has(json_t *item, const char *key);

/* Reject an item, its compact JSON (cut to CW_ITEM_RAW_MAX) as the raw
 * text (none when item is NULL).  Returns 0, or -1 when the sink failed. */
int cw_item_reject(cw_sink *sink, const cw_origin *origin, const char *field, json_t *item,
                   const char *reason);

/* An optional ISO-8601 field at a dotted path: 0 with *out (CW_NO_TIME when
 * absent or null), or -1 after rejecting the item ("unparseable timestamp");
 * *rc is then 0, or -1 when that reject failed. */
int cw_item_time(cw_sink *sink, const cw_origin *origin, json_t *item, const char *field,
                 int64_t *out, int *rc);

/* 1 when s is a full git object name: 40 (SHA-1) or 64 (SHA-256) hex digits. */
int cw_item_is_object_name(const char *s);

/* A build's revision must be a full object name: anything else (a branch,
 * an abbreviation, text) could never match a commit, or would match the
 * wrong one, so it is dropped (b->revision = NULL) with a reject naming
 * `revision`, and the build still loads.  Returns 0, or -1 when the reject
 * failed.  Every build connector calls it (cw_item_emit_build does). */
int cw_item_check_revision(cw_sink *sink, cw_build *b);

/* Emit b as a build of the job "<repository>/<name>" (GitHub and GitLab
 * name their jobs after the repository), production when its environment
 * matches the production regex, after cw_item_check_revision.  Returns 0,
 * or -1 when the sink failed. */
int cw_item_emit_build(cw_sink *sink, cw_build *b, const char *repository, const char *name,
                       const cw_regex *production);

/* Where a forge keeps a commit's object name, instants and people: dotted
 * paths for cw_json_str. */
typedef struct cw_commit_paths {
    const char *sha, *authored_at, *committed_at;
    const char *author_name, *author_email, *committer_name, *committer_email;
} cw_commit_paths;

/* The origin, object name, instants and people of commit c into *r, where
 * `paths` says: 0, or -1 after rejecting c (no object name; no author date,
 * or an unparseable instant) with *rc then 0, or -1 when the reject failed. */
int cw_item_commit(cw_sink *sink, const cw_origin *origin, json_t *c,
                   const cw_commit_paths *paths, cw_commit *r, int *rc);

/* Where a forge keeps each field of a pull request (GitLab: merge request):
 * dotted paths for cw_json_str, NULL for a field it does not have. */
typedef struct cw_pull_paths {
    const char *what;           /* "pull request", "merge request": for rejects */
    const char *number;         /* the number within the repository */
    const char *title, *body, *source_branch, *target_branch, *state, *author;
    const char *merge_commit_sha, *squash_commit_sha;
} cw_pull_paths;

/* Emit pr as a pull request of repository: the fields where `paths` says,
 * and created_at, updated_at, closed_at and merged_at.  Without its number
 * or created_at, or with an unparseable instant, it is rejected instead.
 * It is merged exactly when merged_at is set (formats.md), whatever its
 * state says.  Returns 0, or -1 when the sink failed. */
int cw_item_emit_pull(cw_sink *sink, const cw_origin *origin, json_t *pr,
                      const cw_pull_paths *paths, const char *repository);

/* Open a landed JSON file for walking (core/jsonstream.h): the whole file
 * is judged first, and the root array and the arrays of the top-level keys
 * in `streamed` (NULL-terminated, static; may be NULL) are read one element
 * at a time.  When it is not JSON, reject the file (record 0, "not JSON:
 * line L, column C: why", never the bytes) and return NULL. */
cw_json_doc *cw_items_open(const char *source, const char *path, cw_sink *sink,
                           const char *const *streamed);

/* fn for each element of the array at key (NULL: the root array), record =
 * index + 1, until one returns non-zero.  Returns 0, or -1 when fn stopped
 * the walk or the file could not be read again (rejected as above). */
int cw_items_each(cw_json_doc *doc, const char *key, const char *source, const char *path,
                  cw_sink *sink, cw_item_fn fn, void *ctx);

/* What a root that is neither an array, a page nor a wrapper is. */
typedef enum cw_lone_rule {
    CW_LONE_ANY,                /* one item, whatever it is: fn rejects what it cannot read */
    CW_LONE_WITH_KEY,           /* one item when an object holding lone_key, else unknown */
    CW_LONE_NEVER,              /* always unknown */
} cw_lone_rule;

/* The envelopes of one connector's documents, tried in order: a root
 * array, then each page key, each wrapper key, the lone rule, then each
 * empty key.  A document of no known shape is one reject of the file
 * (record 0, unknown_field, the document as raw text) and the walk
 * returns -1. */
typedef struct cw_item_shape {
    const char *const *pages;       /* keys holding the items array; NULL-terminated or NULL */
    const char *const *wrappers;    /* keys holding the one item object */
    cw_lone_rule lone;
    const char *lone_key;           /* with CW_LONE_WITH_KEY */
    const char *const *empty;       /* keys whose array marks a document with no items to load */
    const char *unknown_field;      /* may be NULL */
    const char *unknown;            /* the reject's reason */
} cw_item_shape;

/* Walk an opened document by shape (its pages are what cw_items_open
 * streams).  Returns 0, or -1 when fn stopped the walk or the document was
 * unknown or unreadable. */
int cw_items_walk(const cw_item_shape *shape, cw_json_doc *doc, const char *source,
                  const char *path, cw_sink *sink, cw_item_fn fn, void *ctx);

/* Open a JSON file, its pages streamed, and walk it by shape:
 * cw_items_open + cw_items_walk. */
int cw_items_parse_json(const cw_item_shape *shape, const char *source, const char *path,
                        cw_sink *sink, cw_item_fn fn, void *ctx);

/* A whole landed file: a DevLake wrapper row by row, else a JSON document
 * walked by shape.  Returns 0 when read (with rejects, maybe), -1 when the
 * file is unusable (rejected) or fn stopped the walk: source.h's parse. */
int cw_items_parse(const cw_item_shape *shape, const char *source, const char *path,
                   cw_sink *sink, cw_item_fn fn, void *ctx);

/* Pages of one pull request's parts (GET /pulls/{n}/commits, GitLab's
 * /merge_requests/:iid/commits) hold items that do not name their pull
 * request, so the page does: a DevLake row by its request URL
 * (".../<collection>/23/commits?...") or its `input` ({"Number": 23},
 * {"Iid": 23}), a landed file by its name: "pull-23-<part>.json", after
 * any leading "NNNNN-" counters (the name live extraction lands it under).
 * collection is "/pulls/" or "/merge_requests/", input_key "Number" or
 * "Iid". */
typedef struct cw_pull_hint {
    const char *collection;
    const char *input_key;
} cw_pull_hint;

/* The pull request number a landed file's name gives, or -1. */
long cw_item_pull_of_file(const char *path);

/* cw_items_parse, with *pull set before each item to the number of the
 * pull request its page names (-1 when it names none). */
int cw_items_parse_pulls(const cw_item_shape *shape, const cw_pull_hint *hint,
                         const char *source, const char *path, cw_sink *sink, cw_item_fn fn,
                         void *ctx, long *pull);

#endif
