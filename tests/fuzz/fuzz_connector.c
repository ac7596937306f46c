/*
 * fuzz_connector.c - one connector's parse entry point under libFuzzer.
 *
 * Built once per source type with -DFUZZ_TYPE='"jira"' (see the Makefile's
 * fuzz targets): the input becomes a landed file, parsed with an in-memory
 * [source fuzz] section like the ones tests/data uses, into the checking
 * sink of fuzz_support.c.  Parse returns 0 or -1, and -1 only after a reject
 * (source.h), which is checked too.
 *
 * CW_FUZZ_LAX=1 leaves that last check out, to fuzz past a known open
 * violation of it while it is being fixed (never in make fuzz-smoke).
 *
 * A Jira file's name carries its owner ("PAY-7.changelog.json"), so for jira
 * the first input byte picks one of two names; other types use one name.
 */
#include "fuzz.h"
#include "core/config.h"
#include "core/log.h"
#include "core/time.h"
#include "extract/source.h"

#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_TYPE
#error "build with -DFUZZ_TYPE='\"jira\"' (or another row of cw_source_types[])"
#endif

typedef struct fuzz_setup {
    const char *type;
    const char *names[2];          /* landed file names; two = the first byte picks */
    cw_kv keys[4];                 /* the section's keys besides type/path */
} fuzz_setup;

static const fuzz_setup setups[] = {
    {"jira", {"search.json", "PAY-7.changelog.json"}, {{0}}},
    {"jira-csv", {"issues.csv", NULL}, {{"timezone", "+01:00", 3}}},
    {"git", {"repo.log", NULL}, {{"repository", "payments-service", 3}}},
    {"jenkins", {"builds.json", NULL},
     {{"deployment_job", "^deploy-", 3}, {"environment_parameter", "ENVIRONMENT", 4},
      {"production", "^prod", 5}}},
    {"pagerduty", {"incidents.json", NULL}, {{0}}},
    {"servicenow", {"incident.csv", NULL}, {{"timezone", "-05:00", 3}}},
    {"github", {"runs.json", NULL},
     {{"repository", "acme/payments", 3}, {"deployment_workflow", "(?i)deploy", 4},
      {"production", "^prod", 5}}},
    {"gitlab", {"pipelines.json", NULL},
     {{"project", "acme/payments", 3}, {"production", "^prod", 4}}},
    {"opsgenie", {"incidents.json", NULL}, {{0}}},
    {"csv", {"kpi.csv", NULL},
     {{"target", "kpi", 3}, {"column.at", "Week", 4}, {"timezone", "+01:00", 5}}},
};

static const fuzz_setup *setup_find(const char *type)
{
    for (size_t i = 0; i < sizeof setups / sizeof setups[0]; i++)
        if (strcmp(setups[i].type, type) == 0)
            return &setups[i];
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* CW_FUZZ_LAX, read once */
static int lax;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    lax = getenv("CW_FUZZ_LAX") != NULL;
    cw_log_set_level(CW_LOG_ERROR);
    CW_FUZZ_CHECK(cw_source_type_find(FUZZ_TYPE) != NULL);
    CW_FUZZ_CHECK(setup_find(FUZZ_TYPE) != NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const cw_source_type *type = cw_source_type_find(FUZZ_TYPE);
    const fuzz_setup *setup = setup_find(FUZZ_TYPE);
    const char *name = setup->names[0];
    cw_kv keys[6];
    size_t n = 0;
    cw_source src = {0};
    cw_sink sink;
    cw_fuzz_counts counts;
    int rc;

    if (setup->names[1]) {
        if (size == 0)
            return 0;
        name = setup->names[data[0] & 1];
        data++, size--;
    }
    const char *path = cw_fuzz_file(name, data, size);
    keys[n++] = (cw_kv){"type", (char *)FUZZ_TYPE, 2};
    keys[n++] = (cw_kv){"path", (char *)path, 3};
    for (size_t i = 0; i < 4 && setup->keys[i].key; i++)
        keys[n++] = setup->keys[i];
    src.name = "fuzz";
    src.type = (char *)FUZZ_TYPE;
    src.line = 1;
    src.config_path = "fuzz.ini";
    src.config_dir = "/nonexistent";
    src.keys = keys;
    src.n_keys = n;

    cw_fuzz_sink(&sink, &counts);
    rc = type->parse(&src, path, &sink);
    cw_tz_release();
    CW_FUZZ_CHECK(rc == 0 || rc == -1);
    /* our sink never fails, so -1 means "file unusable", reported as a reject */
    CW_FUZZ_CHECK(rc == 0 || counts.rejects > 0 || lax);
    return 0;
}
