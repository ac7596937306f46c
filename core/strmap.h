/*
 * strmap.h - a small open-addressing hash map from strings to integers.
 *
 * The correlation step looks up commit shas, project keys and status names
 * millions of times, and the loader caches natural key -> row id; a linear
 * scan would make either quadratic.  This map copies each key once, probes
 * linearly in a power-of-two table kept at most 70 % full, and never deletes
 * single keys (its users only ever add); cw_strmap_clear empties it whole.
 *
 * Keys compare as bytes; callers that want case-insensitive lookups fold the
 * key before calling (cw_strmap_fold).
 */
#ifndef CW_STRMAP_H
#define CW_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_strmap cw_strmap;

cw_strmap *cw_strmap_new(void);
void cw_strmap_free(cw_strmap *map);

/* Insert or overwrite key -> value (the key is copied).  Returns 1 when the
 * key is new, 0 when an existing value was replaced. */
int cw_strmap_put(cw_strmap *map, const char *key, int64_t value);
/* Insert only when absent.  Returns 1 when inserted, 0 when the key was
 * already there (its value is left alone and copied to *existing if not NULL). */
int cw_strmap_add(cw_strmap *map, const char *key, int64_t value, int64_t *existing);
/* 1 and *value when found, 0 otherwise (value may be NULL). */
int cw_strmap_get(const cw_strmap *map, const char *key, int64_t *value);
/* Same with a key of explicit length (need not be NUL-terminated). */
int cw_strmap_getn(const cw_strmap *map, const char *key, size_t len, int64_t *value);
size_t cw_strmap_count(const cw_strmap *map);
/* Remove every key (the table keeps its size). */
void cw_strmap_clear(cw_strmap *map);

/* ASCII lower-case copy of s into out (at most outlen-1 bytes, NUL-terminated);
 * returns out.  For maps keyed case-insensitively. */
char *cw_strmap_fold(const char *s, char *out, size_t outlen);

#endif
