/*
 * test_config.c - the INI configuration: a full valid file, defaults and
 * path resolution, and errors that name the file, line and key.
 */
#include "support.h"
#include "core/config.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const valid_ini =
    "; the issue's example configuration\n"
    "[catwalk]\n"
    "warehouse = catwalk.db            ; SQLite file\n"
    "landing = /var/lib/catwalk/landing\n"
    "\n"
    "[status]\n"
    "Backlog = todo\n"
    "In Progress = in_progress\n"
    "Blocked = wait\n"
    "Done = done\n"
    "\n"
    "[metrics]\n"
    "attribution_window = 48\n"
    "\n"
    "[source jira]\n"
    "type = jira\n"
    "path = exports/jira/*.json\n"
    "\n"
    "[source git-payments]\n"
    "type = git\n"
    "path = exports/git/payments-service.log\n"
    "repository = payments-service\n"
    "\n"
    "[source jenkins]\n"
    "type = jenkins\n"
    "path = exports/jenkins/*.json\n"
    "deployment_job = ^deploy-\n"
    "environment_parameter = ENVIRONMENT\n"
    "production = ^prod\n"
    "\n"
    "[application payments]\n"
    "team = Core Banking\n"
    "projects = PAY, PAYOPS\n"
    "repositories = payments-service\n"
    "jobs = deploy-payments\n"
    "services = Payments API\n";

/* Load text as a config; return the error output (caller frees) via *errors. */
static int load_text(const char *text, cw_config **cfg, char **errors)
{
    const char *path = cw_temp_file(text, ".ini");
    char *copy = cw_strdup(path);
    cw_redirect err;
    int rc;
    cw_redirect_begin(&err, 2);
    rc = cw_config_load(copy, cfg);
    *errors = cw_redirect_end(&err);
    unlink(copy);
    free(copy);
    return rc;
}

static void test_valid_config(void **state)
{
    cw_config *cfg = NULL;
    char *errors = NULL;
    (void)state;
    assert_int_equal(load_text(valid_ini, &cfg, &errors), 0);
    assert_string_equal(errors, "");
    assert_int_equal(cfg->n_sources, 3);
    assert_int_equal(cfg->n_apps, 1);
    assert_int_equal(cfg->n_statuses, 4);
    assert_string_equal(cfg->statuses[2].name, "Blocked");
    assert_string_equal(cfg->statuses[2].category, "in_progress");
    assert_int_equal(cfg->statuses[2].waiting, 1);
    assert_int_equal(cfg->attribution_window_s, 48 * 3600);
    assert_string_equal(cfg->apps[0].team, "Core Banking");
    assert_int_equal(cfg->apps[0].projects.n, 2);
    assert_string_equal(cfg->apps[0].projects.items[1], "PAYOPS");
    assert_string_equal(cw_source_get(&cfg->sources[2], "deployment_job"), "^deploy-");
    assert_int_equal(cw_source_line(&cfg->sources[2], "production"), 29);
    /* relative paths resolve against the config's folder, absolute ones stay */
    assert_string_equal(cfg->landing, "/var/lib/catwalk/landing");
    assert_non_null(strstr(cfg->warehouse, "/catwalk.db"));
    assert_true(cfg->warehouse[0] == '/');
    free(errors);
    cw_config_free(cfg);
}

static void test_defaults(void **state)
{
    cw_config *cfg = NULL;
    char *errors = NULL;
    (void)state;
    assert_int_equal(load_text("[catwalk]\n", &cfg, &errors), 0);
    assert_int_equal(cfg->attribution_window_s, 72 * 3600);
    assert_null(cfg->key_pattern);
    assert_non_null(strstr(cfg->landing, "/landing"));
    assert_non_null(strstr(cfg->reports, "/reports"));
    free(errors);
    cw_config_free(cfg);
}

static void expect_error(const char *text, const char *needle)
{
    cw_config *cfg = NULL;
    char *errors = NULL;
    assert_int_equal(load_text(text, &cfg, &errors), -1);
    assert_null(cfg);
    if (!strstr(errors, needle))
        fail_msg("expected '%s' in: %s", needle, errors);
    free(errors);
}

static void test_errors_name_line_and_key(void **state)
{
    (void)state;
    expect_error("[catwalk]\nwarehouse = x.db\nlandng = y\n", ".ini:3: landng: unknown key");
    expect_error("[status]\nDone = finished\n", ":2: Done: expected todo, in_progress, wait or done");
    expect_error("[source s]\ntype = jira\npath = a\nbogus = 1\n", ":4: bogus: not a key of jira sources");
    expect_error("[source s]\ntype = svn\npath = a\n", ":2: type: unknown source type 'svn'");
    expect_error("[source s]\ntype = jira\n", ":1: path: [source s] needs a path");
    expect_error("[application a]\nprojects = A\n", ":1: team: [application a] needs a team");
    expect_error("[metrics]\nattribution_window = soon\n", ":2: attribution_window: expected hours");
    expect_error("[application a]\nteam = t\njobs = deploy-(\n", "jobs: 'deploy-(' is not a valid regex");
    expect_error("[nonsense]\nx = 1\n", ":1: unknown section [nonsense]");
    expect_error("[source s]\ntype = jenkins\npath = a\ndeployment_job = ^deploy-(\n",
                 ":4: deployment_job");
    expect_error("[source s]\ntype = jira\nbase_url = https://x\ntoken = abc\n",
                 ":4: token: secrets never go in the configuration");
    expect_error("[source s]\ntype = jira\nbase_url = http://jira.example.com\nprojects = A\n",
                 ":3: base_url: use https://");
    expect_error("[source s]\ntype = jira\nbase_url = https://bob:pw@jira.example.com\nprojects = A\n",
                 ":3: base_url: no user or password in the URL");
    expect_error("[source s]\ntype = jira\nbase_url = https://x\napi_token = abc\n",
                 ":4: api_token: secrets never go in the configuration");
    expect_error("[source s]\ntype = git\nrepository = r\nbase_url = https://x\n",
                 ":4: base_url: git sources cannot be extracted live");
}

static void test_continuation_lines_extend_lists(void **state)
{
    cw_config *cfg = NULL;
    char *errors = NULL;
    (void)state;
    assert_int_equal(load_text("[application a]\nteam = t\nprojects = A, B,\n   C, D\n\tE\n"
                               "[source j]\ntype = jira\npath = x\nprojects = P1, P2\n    P3\n",
                               &cfg, &errors), 0);
    assert_int_equal(cfg->apps[0].projects.n, 5);
    assert_string_equal(cfg->apps[0].projects.items[4], "E");
    assert_string_equal(cw_source_get(&cfg->sources[0], "projects"), "P1, P2,P3");
    free(errors);
    cw_config_free(cfg);
}

static void test_overlong_line_is_a_clear_error(void **state)
{
    char text[600];
    (void)state;
    snprintf(text, sizeof(text), "[application a]\nteam = t\nprojects = %0*d\n", 300, 7);
    expect_error(text, ":3: line longer than 198 characters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors_name_line_and_key),
        cmocka_unit_test(test_continuation_lines_extend_lists),
        cmocka_unit_test(test_overlong_line_is_a_clear_error),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
