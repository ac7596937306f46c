/*
 * jsonstream.h - JSON documents read in bounded memory.
 *
 * A landed file can be one huge array of records: a Jenkins job's
 * `allBuilds`, a Jira search page's `issues`, a plain array of GitLab
 * pipelines.  Loaded whole, it costs about eight times its size in jansson
 * values, and memory would follow the largest file.  A cw_json_doc reads
 * the file with yajl's event parser (jsonstream.c explains the choice) in
 * two passes:
 *
 *   cw_json_doc_open   judges the whole file (the same acceptance as
 *                      cw_json_load_text) and builds its skeleton: the
 *                      document with every streamed array left empty.
 *                      The root array is always streamed, and so is the
 *                      array of each top-level key listed in `streamed`;
 *                      everything else (Jira's `total`, a Jenkins job's
 *                      `fullName`, wherever it stands in the file) is
 *                      in the skeleton.
 *   cw_json_doc_each   reads the file again and builds ONE element of one
 *                      streamed array at a time as a jansson value, hands
 *                      it to the callback and frees it.
 *
 * So a connector decides the document's shape on the skeleton and reads
 * each record as a json_t, as it always did, and at most one record is
 * held at once.  Nothing here is static: two threads may read two
 * documents at the same time.
 */
#ifndef CW_JSONSTREAM_H
#define CW_JSONSTREAM_H

#include <jansson.h>
#include <stddef.h>

typedef struct cw_json_doc cw_json_doc;

/* One element of a streamed array (borrowed: json_incref to keep it),
 * index from 0.  0 to go on; non-zero stops the walk. */
typedef int (*cw_json_element_fn)(void *ctx, json_t *element, size_t index);

/* Open and judge the JSON file at path.  streamed: the top-level keys
 * whose arrays are read element by element (NULL-terminated; may be NULL;
 * kept by reference, so a static array).  On error NULL with err set to
 * "line L, column C: why" (never the file's bytes) or "cannot read: why". */
cw_json_doc *cw_json_doc_open(const char *path, const char *const *streamed, char *err,
                              size_t errlen);

/* The skeleton: streamed arrays are present but empty.  Owned by doc. */
json_t *cw_json_doc_root(const cw_json_doc *doc);

/* fn for each element of the array at key (NULL: the root array), in
 * order.  A key that is not streamed is walked in the skeleton, where its
 * array is whole.  Returns 0 when every element was handed over (none when
 * there is no such array), 1 when fn stopped the walk, or -1 when the file
 * could not be read again (err as for cw_json_doc_open). */
int cw_json_doc_each(cw_json_doc *doc, const char *key, cw_json_element_fn fn, void *ctx,
                     char *err, size_t errlen);

void cw_json_doc_close(cw_json_doc *doc);

#endif
