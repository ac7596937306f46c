/*
 * fuzz_config.c - the configuration loader (core/config.c) under libFuzzer.
 *
 * The input is written as catwalk.ini in a scratch folder and loaded.  A
 * load either fails (-1, nothing returned) or returns a config whose every
 * source has a name and a known type and whose numbers are in range; the
 * config is then freed (LeakSanitizer checks the cleanup paths).
 */
#include "fuzz.h"
#include "core/config.h"
#include "core/log.h"
#include "extract/source.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cw_log_set_level(CW_LOG_ERROR);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_config *cfg = NULL;
    const char *path = cw_fuzz_file("catwalk.ini", data, size);
    int rc = cw_config_load(path, &cfg);
    CW_FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc != 0) {
        CW_FUZZ_CHECK(cfg == NULL);
        return 0;
    }
    CW_FUZZ_CHECK(cfg != NULL);
    CW_FUZZ_CHECK(cfg->warehouse && cfg->landing && cfg->reports);
    CW_FUZZ_CHECK(cfg->attribution_window_s >= 0);
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const cw_source *src = &cfg->sources[i];
        CW_FUZZ_CHECK(src->name && src->name[0]);
        CW_FUZZ_CHECK(src->type && cw_source_type_find(src->type) != NULL);
        for (size_t k = 0; k < src->n_keys; k++)
            CW_FUZZ_CHECK(src->keys[k].key && src->keys[k].value);
    }
    for (size_t i = 0; i < cfg->n_apps; i++)
        CW_FUZZ_CHECK(cfg->apps[i].name && cfg->apps[i].name[0]);
    cw_config_free(cfg);
    return 0;
}
