/*
 * json.h - small jansson helpers shared by the JSON connectors.
 *
 * Paths are dotted ("fields.status.statusCategory.key"); a missing step or a
 * JSON null yields NULL.  Numbers are not turned into strings here: use
 * cw_json_int for those.
 */
#ifndef CW_JSON_H
#define CW_JSON_H

#include <jansson.h>
#include <stdint.h>

json_t *cw_json_path(json_t *root, const char *path);
const char *cw_json_str(json_t *root, const char *path);      /* string value or NULL */
/* Integer value (also a decimal string); returns 0 and sets *out, or -1. */
int cw_json_int(json_t *root, const char *path, int64_t *out);
/* true/false value; def when absent. */
int cw_json_bool(json_t *root, const char *path, int def);

/* Load a whole JSON file; on error fill err with "line L, column C: message"
 * and return NULL.  The reader is core/jsonstream.c, whose comment gives the
 * rules every document is judged by; a large file is better read with
 * cw_json_doc_open. */
json_t *cw_json_load_file(const char *path, char *err, size_t errlen);

/* The same for JSON text of len bytes (a DevLake cell, a response body). */
json_t *cw_json_load_text(const char *text, size_t len, char *err, size_t errlen);

/* The value of a JSON number token text[0..len): an integer, a real, or,
 * when jansson cannot hold it, a string that cw_json_out_of_range knows
 * (json.c explains the representation). */
json_t *cw_json_number(const char *text, size_t len);

/* 1 when v stands for a number the document held but jansson cannot.
 * cw_json_int and cw_json_str fail on it. */
int cw_json_out_of_range(const json_t *v);

/* Array elements joined with a separator, taking `field` of each object
 * (or the element itself when it is a string and field is NULL).  Caller frees;
 * NULL when the array is absent or empty. */
char *cw_json_join(json_t *array, const char *field, const char *sep);

/* Compact text of a value, truncated to max bytes, for a reject's raw text.  Caller frees. */
char *cw_json_dump_short(json_t *value, size_t max);

#endif
