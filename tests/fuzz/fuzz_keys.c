/*
 * fuzz_keys.c - ticket-key recognition (transform/keys.c) under libFuzzer.
 *
 * Input: one selector byte (bit 0: the default pattern or a caseless one,
 * as keys.h describes), a first line of project names (space-separated, at
 * most 8, registered besides PAY, CLI and A), then the free text scanned.
 * Every key reported must start with a registered project followed by '-',
 * and the count returned must match the callback calls.
 */
#include "fuzz.h"
#include "transform/keys.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct seen {
    int calls;
} seen;

static int on_key(void *ctx, const char *key, const char *project)
{
    size_t n;
    CW_FUZZ_CHECK(key != NULL && project != NULL);
    n = strlen(project);
    CW_FUZZ_CHECK(n > 0);
    CW_FUZZ_CHECK(strncasecmp(key, project, n) == 0 && key[n] == '-');
    ((seen *)ctx)->calls++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char caseless[] = "(?i)\\b([a-z][a-z0-9_]+)-(\\d+)\\b";
    char err[256];
    char *copy, *text, *save = NULL;
    seen s = {0};
    int names = 0, found;
    cw_keys *keys;
    if (size == 0)
        return 0;
    keys = cw_keys_new(data[0] & 1 ? caseless : NULL, err, sizeof err);
    CW_FUZZ_CHECK(keys != NULL);
    copy = malloc(size);
    CW_FUZZ_CHECK(copy != NULL);
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = '\0';
    text = strchr(copy, '\n');
    if (text) {
        *text++ = '\0';
        for (char *p = strtok_r(copy, " ", &save); p && names < 8; p = strtok_r(NULL, " ", &save))
            cw_keys_add_project(keys, p), names++;
    } else {
        text = copy;
    }
    cw_keys_add_project(keys, "PAY");
    cw_keys_add_project(keys, "CLI");
    cw_keys_add_project(keys, "A");
    found = cw_keys_scan(keys, text, on_key, &s);
    CW_FUZZ_CHECK(found == -1 || found == s.calls);
    cw_keys_free(keys);
    free(copy);
    return 0;
}
