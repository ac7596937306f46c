/*
 * strmap.c - open-addressing string -> int64 map (see strmap.h).
 *
 * FNV-1a hashing and linear probing: simple, cache friendly, and good enough
 * for hex shas and short project keys, whose bytes are already well mixed.
 */
#include "strmap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *key;          /* NULL = empty */
    size_t len;
    uint64_t hash;
    int64_t value;
} slot;

struct cw_strmap {
    slot *slots;
    size_t cap;         /* power of two */
    size_t count;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

cw_strmap *cw_strmap_new(void)
{
    cw_strmap *map = cw_xcalloc(1, sizeof(*map));
    map->cap = 64;
    map->slots = cw_xcalloc(map->cap, sizeof(slot));
    return map;
}

void cw_strmap_free(cw_strmap *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->cap; i++)
        free(map->slots[i].key);
    free(map->slots);
    free(map);
}

void cw_strmap_clear(cw_strmap *map)
{
    for (size_t i = 0; i < map->cap; i++) {
        free(map->slots[i].key);
        map->slots[i].key = NULL;
    }
    map->count = 0;
}

/* The slot holding key, or the empty slot where it would go. */
static slot *find_slot(slot *slots, size_t cap, const char *key, size_t len, uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);
    for (;;) {
        slot *s = &slots[i];
        if (!s->key)
            return s;
        if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0)
            return s;
        i = (i + 1) & (cap - 1);
    }
}

static void grow(cw_strmap *map)
{
    size_t cap = map->cap * 2;
    slot *slots = cw_xcalloc(cap, sizeof(slot));
    for (size_t i = 0; i < map->cap; i++) {
        slot *old = &map->slots[i];
        if (old->key)
            *find_slot(slots, cap, old->key, old->len, old->hash) = *old;
    }
    free(map->slots);
    map->slots = slots;
    map->cap = cap;
}

static int insert(cw_strmap *map, const char *key, int64_t value, int overwrite, int64_t *existing)
{
    size_t len = strlen(key);
    uint64_t hash = hash_bytes(key, len);
    slot *s;

    if ((map->count + 1) * 10 > map->cap * 7)
        grow(map);
    s = find_slot(map->slots, map->cap, key, len, hash);
    if (s->key) {
        if (existing)
            *existing = s->value;
        if (overwrite)
            s->value = value;
        return 0;
    }
    s->key = cw_strndup(key, len);
    s->len = len;
    s->hash = hash;
    s->value = value;
    map->count++;
    return 1;
}

int cw_strmap_put(cw_strmap *map, const char *key, int64_t value)
{
    return insert(map, key, value, 1, NULL);
}

int cw_strmap_add(cw_strmap *map, const char *key, int64_t value, int64_t *existing)
{
    return insert(map, key, value, 0, existing);
}

int cw_strmap_getn(const cw_strmap *map, const char *key, size_t len, int64_t *value)
{
    const slot *s = find_slot(map->slots, map->cap, key, len, hash_bytes(key, len));
    if (!s->key)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

int cw_strmap_get(const cw_strmap *map, const char *key, int64_t *value)
{
    return cw_strmap_getn(map, key, strlen(key), value);
}

size_t cw_strmap_count(const cw_strmap *map)
{
    return map->count;
}

char *cw_strmap_fold(const char *s, char *out, size_t outlen)
{
    size_t i = 0;
    if (outlen == 0)
        return out;
    for (; s && s[i] && i + 1 < outlen; i++) {
        char c = s[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[i] = '\0';
    return out;
}
