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
#include <sys/stat.h>
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
    rc = cw_config_load(copy, cw_source_check, cfg);
    *errors = cw_redirect_end(&err);
    unlink(copy);
    free(copy);
    return rc;
}

/* Load text that must be a valid config, without a word on stderr; caller
 * frees the config. */
static cw_config *load_ok(const char *text)
{
    cw_config *cfg = NULL;
    char *errors = NULL;
    assert_int_equal(load_text(text, &cfg, &errors), 0);
    assert_string_equal(errors, "");
    free(errors);
    return cfg;
}

static void test_valid_config(void **state)
{
    cw_config *cfg = load_ok(valid_ini);
    (void)state;
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
    cw_config_free(cfg);
}

static void test_defaults(void **state)
{
    cw_config *cfg = load_ok("[catwalk]\n");
    (void)state;
    assert_int_equal(cfg->attribution_window_s, 72 * 3600);
    assert_null(cfg->key_pattern);
    assert_non_null(strstr(cfg->landing, "/landing"));
    assert_non_null(strstr(cfg->reports, "/reports"));
    cw_config_free(cfg);
}

static void expect_error(const char *text, const char *needle);

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

/* [report] templates: a folder, resolved against the config's; its errors
 * name their line and key. */
static void test_report_templates(void **state)
{
    char *dir = cw_temp_dir(), *text = cw_asprintf("[report]\ntemplates = %s\n", dir);
    cw_config *cfg = load_ok(text);
    (void)state;
    assert_string_equal(cfg->report_templates, dir);
    assert_int_equal(cfg->report_templates_line, 2);    /* kept for `catwalk check` */
    cw_config_free(cfg);
    cfg = load_ok("[catwalk]\n");
    assert_null(cfg->report_templates);                 /* built in */
    cw_config_free(cfg);
    cfg = load_ok("[report]\ntemplates = /\n");
    assert_string_equal(cfg->report_templates, "/");
    cw_config_free(cfg);
    expect_error("[report]\ntemplates = /nonexistent-templates\n",
                 ":2: templates: '/nonexistent-templates' is not a folder");
    expect_error("[report]\ntemplates = /\ntemplates = /\n", ":3: templates: given twice in [report]");
    expect_error("[report]\ntemplate = /\n", ":2: template: unknown key in [report] (templates, min_samples)");
    expect_error("[report]\n[report]\n", ":2: duplicate [report]");
    free(text);
    cw_remove_tree(dir);
    free(dir);
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
    /* a name that only starts like the loopback is anybody's host */
    expect_error("[source s]\ntype = jira\nbase_url = http://127.evil.example/\nprojects = A\n",
                 ":3: base_url: use https://");
    expect_error("[source s]\ntype = jira\nbase_url = http://127.0.0.1.nip.io:8080\nprojects = A\n",
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
    cw_config *cfg = load_ok("[application a]\nteam = t\nprojects = A, B,\n   C, D\n\tE\n"
                              "[source j]\ntype = jira\npath = x\nprojects = P1, P2\n    P3\n");
    (void)state;
    assert_int_equal(cfg->apps[0].projects.n, 5);
    assert_string_equal(cfg->apps[0].projects.items[4], "E");
    assert_string_equal(cw_source_get(&cfg->sources[0], "projects"), "P1, P2,P3");
    cw_config_free(cfg);
}

static void test_overlong_line_is_a_clear_error(void **state)
{
    char text[600];
    (void)state;
    snprintf(text, sizeof(text), "[application a]\nteam = t\nprojects = %0*d\n", 300, 7);
    expect_error(text, ":3: line longer than 198 characters");
}

/* Issue 6 #2: a source name becomes a landing folder, so it is checked
 * against a safe character set at load; no name ever reaches a path or a
 * glob pattern unchecked. */
static void test_source_names_are_validated(void **state)
{
    cw_config *cfg = NULL;
    char text[256];
    const char *bad[] = {"../../../escaped", "j*", "a/b", ".hidden", "-x", "a b", "q?", "x[1]",
                         "caf\xc3\xa9"};
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "[catwalk]\n[source %s]\ntype = jira\npath = a\n", bad[i]);
        expect_error(text, ":2: source: name '");
    }
    /* 64 bytes is the longest allowed; 65 is refused */
    snprintf(text, sizeof(text), "[source %064d]\ntype = jira\npath = a\n", 1);
    cfg = load_ok(text);
    assert_int_equal(strlen(cfg->sources[0].name), 64);
    cw_config_free(cfg);
    snprintf(text, sizeof(text), "[source %065d]\ntype = jira\npath = a\n", 1);
    expect_error(text, ":1: source: name '");
    cfg = load_ok("[source jira_2.prod-eu]\ntype = jira\npath = a\n");
    cw_config_free(cfg);
}

/* Application names are data, not paths: letters (any script), digits,
 * spaces and . _ - ( ) & + are allowed, nothing that can act as a path, a
 * pattern or a spreadsheet formula. */
static void test_application_names_are_validated(void **state)
{
    cw_config *cfg = NULL;
    char text[256];
    const char *bad[] = {"../x", "a/b", "=cmd()", "-x", "a*", "tab\there", "a;b"};
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "[application %s]\nteam = t\n", bad[i]);
        expect_error(text, ":1: application: name '");
    }
    cfg = load_ok("[application Payments API (EU) & Caf\xc3\xa9 2.0]\nteam = t\n");
    assert_string_equal(cfg->apps[0].name, "Payments API (EU) & Caf\xc3\xa9 2.0");
    cw_config_free(cfg);
}

/* Issue 6 #11: every number is range checked before it is converted. */
static void test_numbers_are_range_checked(void **state)
{
    cw_config *cfg = NULL;
    const char *bad[] = {"nan", "inf", "-inf", "1e300", "-1", "87601", "0x10", "1e", ""};
    const char *live = "[source s]\ntype = jira\nbase_url = https://x\nprojects = A\n";
    static const struct { const char *line, *error; } live_bad[] = {
        {"page_size = nan", ":5: page_size: expected a whole number from 1 to 10000"},
        {"page_size = 2.5", ":5: page_size: expected a whole number from 1 to 10000"},
        {"page_size = 0", ":5: page_size: expected a whole number from 1 to 10000"},
        {"max_tries = 1e300", ":5: max_tries: expected a whole number from 1 to 100"},
        {"overlap = inf", ":5: overlap: expected hours from 0 to 8760"},
        {"timeout = -1", ":5: timeout: expected seconds from 1 to 86400"},
        {"backoff_initial = nan", ":5: backoff_initial: expected seconds from 0 to 3600"},
        {"backoff_max = 1e9", ":5: backoff_max: expected seconds from 0 to 86400"},
    };
    char text[256];
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "[metrics]\nattribution_window = %s\n", bad[i]);
        expect_error(text, ":2: attribution_window: expected hours from 0 to 87600");
    }
    cfg = load_ok("[metrics]\nattribution_window = 87600\n");
    assert_int_equal(cfg->attribution_window_s, (int64_t)87600 * 3600);
    cw_config_free(cfg);
    cfg = load_ok("[metrics]\nattribution_window = 0.5\n");
    assert_int_equal(cfg->attribution_window_s, 1800);
    cw_config_free(cfg);
    /* the live keys: each bad value on line 5, after the section */
    for (size_t i = 0; i < sizeof(live_bad) / sizeof(live_bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s\n", live, live_bad[i].line);
        expect_error(text, live_bad[i].error);
    }
    snprintf(text, sizeof(text), "%spage_size = 500\nmax_tries = 3\noverlap = 1.5\ntimeout = 30\n"
             "backoff_initial = 0.5\nbackoff_max = 10\n", live);
    cfg = load_ok(text);
    cw_config_free(cfg);
}

/* [report] min_samples (issue 10): a whole number, default 5; errors name
 * the file, line and key. */
static void test_report_min_samples(void **state)
{
    cw_config *cfg = load_ok("[catwalk]\n");
    (void)state;
    assert_int_equal(cfg->report_min_samples, 0);      /* unset: CW_MIN_SAMPLES_DEFAULT */
    assert_int_equal(CW_MIN_SAMPLES_DEFAULT, 5);
    cw_config_free(cfg);
    cfg = load_ok("[report]\nmin_samples = 12\n");
    assert_int_equal(cfg->report_min_samples, 12);
    cw_config_free(cfg);
    expect_error("[report]\nmin_samples = 0\n", ".ini:2: min_samples: expected a whole number of "
                 "samples from 1 to 1000000, got '0'");
    expect_error("[report]\nmin_samples = 2.5\n", ":2: min_samples: expected a whole number");
    expect_error("[report]\nmin_samples = 3\nmin_samples = 4\n", ":3: min_samples: given twice");
    expect_error("[report]\nmin_sample = 3\n", ":2: min_sample: unknown key in [report]");
}

/* metrics.md Decisions 9: [catwalk] organisation names the organisation
 * row, "organisation" when absent; a name a report shows follows the rule of
 * application names. */
static void test_organisation_name(void **state)
{
    cw_config *cfg = load_ok("[catwalk]\n");
    (void)state;
    assert_string_equal(cfg->organisation, "organisation");
    cw_config_free(cfg);
    cfg = load_ok("[catwalk]\norganisation = Acme Bank (EU)\n");
    assert_string_equal(cfg->organisation, "Acme Bank (EU)");
    cw_config_free(cfg);
    expect_error("[catwalk]\norganisation = =SUM(A1)\n", ".ini:2: organisation: expected a name of "
                 "letters, digits, spaces and . _ - ( ) & +, starting with a letter or digit");
    expect_error("[catwalk]\norganisation = Acme\norganisation = Beta\n",
                 ":3: organisation: given twice in [catwalk]");
    expect_error("[catwalk]\norganization = Acme\n",
                 ":2: organization: unknown key in [catwalk] (warehouse, landing, reports, jobs, "
                 "organisation)");
}

/* Issue 6 #13: only a regular file is a configuration. */
static void test_only_a_regular_file_is_a_config(void **state)
{
    cw_config *cfg = NULL;
    char *dir = cw_temp_dir(), *fifo = cw_asprintf("%s/fifo.ini", dir), *errors;
    cw_redirect err;
    (void)state;
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_config_load(dir, cw_source_check, &cfg), -1);
    errors = cw_redirect_end(&err);
    assert_non_null(strstr(errors, "not a regular file"));
    free(errors);
    /* a FIFO with no writer: opening it for reading would block forever */
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_config_load(fifo, cw_source_check, &cfg), -1);
    errors = cw_redirect_end(&err);
    alarm(0);
    assert_non_null(strstr(errors, "not a regular file"));
    assert_null(cfg);
    free(errors);
    cw_remove_tree(dir);
    free(fifo);
    free(dir);
}

static void test_config_gaps_are_errors(void **state)
{
    (void)state;
    expect_error("", "the configuration is empty");
    expect_error("; only a comment\n\n", "the configuration is empty");
    /* adjacent duplicates merged silently before */
    expect_error("[source s]\ntype = jira\n[source s]\npath = a\n", ":3: source: duplicate [source s]");
    expect_error("[source s]\n[source s]\ntype = jira\npath = a\n", ":2: source: duplicate [source s]");
    expect_error("[catwalk]\nwarehouse = a.db\n[catwalk]\nlanding = l\n",
                 ":3: duplicate [catwalk] (first at line 1)");
    expect_error("[application a]\nteam = t\n[application a]\nprojects = P\n",
                 ":3: application: duplicate [application a]");
    expect_error("[metrics]\n[status]\nDone = done\n[metrics]\n", ":4: duplicate [metrics]");
    expect_error("[catwalk]\nwarehouse = a.db\nwarehouse = b.db\n", ":3: warehouse: given twice");
    /* the regex error names the key's own line */
    expect_error("[catwalk]\n[metrics]\nkey_pattern = ([A-Z]+\n", ":3: key_pattern: not a valid regex");
    expect_error("[metrics]\n\nincident_deployment_pattern = (\n",
                 ":3: incident_deployment_pattern: not a valid regex");
    /* a job pattern must not escape its anchoring */
    expect_error("[application a]\nteam = t\njobs = x)|(.*\n", ":3: jobs: 'x)|(.*' is not a valid regex");
    expect_error("[application a]\nteam = t\njobs = ok,\n  x(*ACCEPT)\n", ":4: jobs: 'x(*ACCEPT)'");
    expect_error("[application a]\nteam = t\njobs = \\Qdeploy\n", ":3: jobs: '\\Qdeploy'");
    /* invalid UTF-8 anywhere is refused with its line */
    expect_error("[catwalk]\n[application caf\xe9]\nteam = t\n", ":2: not valid UTF-8");
    expect_error("[application a]\nteam = t\nservices = Pay\xff\n", ":3: not valid UTF-8");
    expect_error("[status]\nDon\xc3 = done\n", ":2: not valid UTF-8");
}

static void test_job_patterns_stay_anchored(void **state)
{
    cw_config *cfg = load_ok("[application a]\nteam = t\njobs = deploy-(eu|us), a\\(b\\), [)(]x\n");
    (void)state;
    assert_int_equal(cfg->apps[0].jobs.n, 3);
    cw_config_free(cfg);
}

/* The unknown-type error lists the registry, so it cannot go stale. */
static void test_unknown_type_lists_every_type(void **state)
{
    const char *every = "(jira, jira-csv, git, jenkins, pagerduty, servicenow, github, gitlab, opsgenie, csv)";
    char no_type[128];
    (void)state;
    expect_error("[source s]\ntype = svn\npath = a\n", every);
    snprintf(no_type, sizeof(no_type), "has no type %s", every);
    expect_error("[source s]\npath = a\n", no_type);
}

/* The warehouse is a file path or a postgresql:// URI, in [catwalk] or in a
 * [warehouse] section; its password comes from password_env or
 * password_file, never from the URI or the INI. */
static void test_warehouse_uri_and_password_keys(void **state)
{
    cw_config *cfg = load_ok("[catwalk]\nwarehouse = postgresql://cw@db.example:5432/catwalk"
                              "?sslmode=verify-full\n");
    (void)state;
    assert_string_equal(cfg->warehouse, "postgresql://cw@db.example:5432/catwalk?sslmode=verify-full");
    assert_null(cfg->warehouse_password_env);
    assert_null(cfg->warehouse_password_file);
    cw_config_free(cfg);

    cfg = load_ok("[warehouse]\nuri = postgres://cw@/catwalk?host=/run/pg\n"
                    "password_file = secrets/pg\n");
    assert_string_equal(cfg->warehouse, "postgres://cw@/catwalk?host=/run/pg");
    assert_true(cfg->warehouse_password_file[0] == '/');          /* resolved */
    assert_non_null(strstr(cfg->warehouse_password_file, "/secrets/pg"));
    cw_config_free(cfg);

    cfg = load_ok("[warehouse]\nuri = wh.db\npassword_env = CW_PG_PASSWORD\n");
    assert_true(cfg->warehouse[0] == '/');                        /* a path resolves */
    assert_string_equal(cfg->warehouse_password_env, "CW_PG_PASSWORD");
    cw_config_free(cfg);

    expect_error("[catwalk]\nwarehouse = postgresql://cw:hunter2@db/catwalk\n",
                 ".ini:2: warehouse: no password in the URI");
    expect_error("[warehouse]\nuri = postgresql://db/catwalk?sslmode=require&password=hunter2\n",
                 ".ini:2: uri: no password in the URI");
    expect_error("[warehouse]\nuri = postgresql://db/catwalk\npassword = hunter2\n",
                 ".ini:3: password: secrets never go in the configuration");
    expect_error("[catwalk]\nwarehouse = a.db\n[warehouse]\nuri = b.db\n",
                 ".ini:4: uri: the warehouse is given twice ([catwalk] warehouse at line 2)");
    expect_error("[warehouse]\nuri = postgresql://db/c\npassword_env = A\npassword_file = b\n",
                 ".ini:4: password_file: give password_env or password_file, not both");
    expect_error("[warehouse]\npassword_env = A\n",
                 ":1: uri: [warehouse] needs a uri");
    expect_error("[warehouse]\nuri = postgresql://db/c\nhost = x\n",
                 ".ini:3: host: unknown key in [warehouse] (uri, password_env, password_file)");
}

/* [mail]: kept as keys (cw_source_get), every address and the team lists
 * checked at load with file, line and key. */
static void test_mail_section(void **state)
{
    const char *apps = "[application a]\nteam = Billing & Payments\n";    /* lines 1-2 */
    char *text = cw_asprintf("%s[mail]\nurl = smtp://mail.example.com:587\n"
                             "from = Catwalk Reports <catwalk@example.com>\n"
                             "to = cio@example.com, Release Desk <rel.desk@example.co.uk>,\n"
                             "  vsm@example.com\n"
                             "team.Billing & Payments = lead@example.com\n"
                             "username = catwalk\npassword_env = CW_SMTP_PASSWORD\n"
                             "timeout = 30\nca_file = ca/private.pem\n", apps);
    cw_config *cfg = load_ok(text);
    (void)state;
    free(text);
    assert_non_null(cfg->mail);
    assert_int_equal(cfg->mail->line, 3);
    assert_string_equal(cw_source_get(cfg->mail, "to"),
                        "cio@example.com, Release Desk <rel.desk@example.co.uk>,,vsm@example.com");
    assert_string_equal(cw_source_get(cfg->mail, "team.Billing & Payments"), "lead@example.com");
    assert_int_equal(cw_source_line(cfg->mail, "username"), 9);
    text = cw_source_path(cfg->mail, "ca_file");
    assert_true(text[0] == '/' && strstr(text, "/ca/private.pem"));
    free(text);
    cw_config_free(cfg);

    cfg = load_ok("[catwalk]\n");
    assert_null(cfg->mail);
    cw_config_free(cfg);

#define MAIL "[mail]\nurl = smtps://m.example.com\nfrom = c@example.com\n"   /* lines 1-3 */
    expect_error(MAIL "to = cio@example.com, someone\n", ".ini:4: to: 'someone': an address is "
                 "local@domain: no '@'");
    expect_error(MAIL "to = a..b@example.com\n", ".ini:4: to: 'a..b@example.com': the part "
                 "before '@'");
    expect_error(MAIL "to = a@exa_mple.com\n", ".ini:4: to: 'a@exa_mple.com': the domain");
    expect_error(MAIL "to = \"Boss\" <b@example.com>\n", ".ini:4: to: '\"Boss\" <b@example.com>': "
                 "a display name may not hold");
    expect_error(MAIL "to = ,\n", ".ini:4: to: expected one or more addresses");
    expect_error(MAIL "to = a@example.com\nteam.Nobody = b@example.com\n",
                 ".ini:5: team.Nobody: no [application] has team = Nobody");
    expect_error(MAIL "to = a@example.com\npassword = hunter2\n",
                 ".ini:5: password: secrets never go in the configuration");
    expect_error(MAIL "to = a@example.com\nreply_to = x@example.com\n",
                 ".ini:5: reply_to: unknown key in [mail]");
    expect_error(MAIL "to = a@example.com\ntimeout = 0\n",
                 ".ini:5: timeout: expected whole seconds from 1 to 3600, got '0'");
    expect_error(MAIL "to = a@example.com\nusername = u\n",
                 ".ini:5: username: a username needs password_env or password_file");
    expect_error(MAIL "to = a@example.com\npassword_env = P\n",
                 ".ini:5: username: a password needs a username");
    expect_error(MAIL "to = a@example.com\nusername = u\npassword_env = P\npassword_file = f\n",
                 ".ini:7: password_file: give password_env or password_file, not both");
    expect_error(MAIL, ".ini:1: to: [mail] needs `to` or a team.TEAM list");
    expect_error(MAIL "from = d@example.com\nto = a@example.com\n",
                 ".ini:4: from: given twice in [mail]");
    expect_error("[mail]\nurl = smtps://m.example.com\nfrom = a@example.com, b@example.com\n"
                 "to = a@example.com\n", ".ini:3: from: expected one address");
#undef MAIL
    expect_error("[mail]\nurl = http://m.example.com\nfrom = c@example.com\nto = a@example.com\n",
                 ".ini:2: url: expected smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT]");
    expect_error("[mail]\nurl = smtp://u:pw@m.example.com\nfrom = c@example.com\n"
                 "to = a@example.com\n", ".ini:2: url: no user or password in the URL");
    expect_error("[mail]\nfrom = c@example.com\nto = a@example.com\n",
                 ".ini:1: url: [mail] needs a url");
    expect_error("[mail]\nurl = smtp://m\nto = a@example.com\n[mail]\n",
                 ".ini:4: duplicate [mail] (first at line 1)");
}

/* core/ knows no connector: the source check is the caller's.  A check
 * that knows only "svn" accepts what the registry refuses, refuses what it
 * accepts, and every error it counts fails the load. */
/* [forecast] and [release "KEY"] depends_on (transform/forecast.h): the
 * defaults, the keys read, and every error naming file, line and key. */
static void test_forecast_and_release_keys(void **state)
{
    cw_config *cfg = load_ok("[catwalk]\n");
    (void)state;
    assert_true(cfg->forecast_seed == 1);
    assert_int_equal(cfg->forecast_history_days, 90);
    assert_int_equal(cfg->forecast_trials, 10000);
    assert_int_equal(cfg->n_releases, 0);
    cw_config_free(cfg);
    cfg = load_ok("[forecast]\nseed = 7\nhistory_days = 30\ntrials = 500\n"
                  "[release \"MOBILE 5.2\"]\ndepends_on = MFPOL 2027.1, WEB 3.0\n"
                  "  API R12\n[release MFPOL 2027.1]\ndepends_on = API R12\n");
    assert_true(cfg->forecast_seed == 7);
    assert_int_equal(cfg->forecast_history_days, 30);
    assert_int_equal(cfg->forecast_trials, 500);
    assert_int_equal(cfg->n_releases, 2);
    assert_string_equal(cfg->releases[0].key, "MOBILE 5.2");
    assert_int_equal(cfg->releases[0].depends_on.n, 3);
    assert_string_equal(cfg->releases[0].depends_on.items[2], "API R12");
    assert_string_equal(cfg->releases[1].key, "MFPOL 2027.1");
    assert_int_equal(cfg->releases[1].depends_line, 9);
    cw_config_free(cfg);
    expect_error("[forecast]\nseeds = 1\n", ".ini:2: seeds: unknown key in [forecast]");
    expect_error("[forecast]\ntrials = 0\n", ":2: trials: expected a whole number from 1");
    expect_error("[forecast]\nhistory_days = 2.5\n", ":2: history_days: expected a whole");
    expect_error("[forecast]\nseed = 1\nseed = 2\n", ":3: seed: given twice");
    expect_error("[release \"MOBILE\"]\n", ":1: release: 'MOBILE': a release is named");
    expect_error("[release \"A 1\"]\ndepend_on = B 2\n", ":2: depend_on: unknown key in "
                 "[release \"A 1\"] (depends_on)");
    expect_error("[release \"A 1\"]\ndepends_on = B\n", ":2: depends_on: 'B': a release is");
    expect_error("[release \"A 1\"]\ndepends_on = B 2\n[release \"A 1\"]\n",
                 ":3: release: duplicate [release \"A 1\"] (first at line 1)");
    /* cycles: A -> B -> C -> A, reported at A's depends_on; and A -> A */
    expect_error("[release \"A 1\"]\ndepends_on = B 1\n[release \"B 1\"]\ndepends_on = C 1\n"
                 "[release \"C 1\"]\ndepends_on = A 1\n",
                 ".ini:2: depends_on: dependency cycle: A 1 -> B 1 -> C 1 -> A 1");
    expect_error("[release \"A 1\"]\ndepends_on = X 1, A 1\n",
                 ":2: depends_on: dependency cycle: A 1 -> A 1");
}

static int svn_only(const cw_source *src)
{
    if (src->type && strcmp(src->type, "svn") == 0)
        return 0;
    cw_source_error(src, "type", "only svn here");
    return 2;
}

static void test_source_check_is_the_callers(void **state)
{
    const char *path = cw_temp_file("[source s]\ntype = svn\n", ".ini");
    char *copy = cw_strdup(path);
    cw_config *cfg = NULL;
    cw_redirect err;
    char *errors;
    (void)state;
    assert_int_equal(cw_config_load(copy, svn_only, &cfg), 0);
    assert_string_equal(cfg->sources[0].type, "svn");
    cw_config_free(cfg);
    unlink(copy);
    free(copy);
    copy = cw_strdup(cw_temp_file("[source s]\ntype = jira\npath = a\n", ".ini"));
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_config_load(copy, svn_only, &cfg), -1);
    errors = cw_redirect_end(&err);
    assert_non_null(strstr(errors, ":2: type: only svn here"));
    assert_null(cfg);
    free(errors);
    unlink(copy);
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_config),
        cmocka_unit_test(test_mail_section),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors_name_line_and_key),
        cmocka_unit_test(test_continuation_lines_extend_lists),
        cmocka_unit_test(test_overlong_line_is_a_clear_error),
        cmocka_unit_test(test_source_names_are_validated),
        cmocka_unit_test(test_application_names_are_validated),
        cmocka_unit_test(test_numbers_are_range_checked),
        cmocka_unit_test(test_report_min_samples),
        cmocka_unit_test(test_organisation_name),
        cmocka_unit_test(test_only_a_regular_file_is_a_config),
        cmocka_unit_test(test_config_gaps_are_errors),
        cmocka_unit_test(test_job_patterns_stay_anchored),
        cmocka_unit_test(test_unknown_type_lists_every_type),
        cmocka_unit_test(test_warehouse_uri_and_password_keys),
        cmocka_unit_test(test_report_templates),
        cmocka_unit_test(test_source_check_is_the_callers),
        cmocka_unit_test(test_forecast_and_release_keys),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
