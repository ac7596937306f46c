/*
 * test_demo.c - `catwalk demo`: the generated exports have the real formats'
 * shapes, agree with each other (deployed revisions are in the git log,
 * parents exist, nothing after the export instant), are byte-identical for
 * the same seed, and go through every real connector without a reject.
 *
 * One small data set (--scale 0.15, 3 weeks up to 2026-11-23) is generated
 * once for the group; the determinism and --force tests make their own.
 * The generator's own header (demogen/internal.h) names the applications
 * whose files each test looks for.
 */
#include "support.h"
#include "cmd/commands.h"
#include "demogen/internal.h"
#include "core/config.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/time.h"
#include "core/util.h"
#include "extract/source.h"

#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define END_DATE "2026-11-23"
#define END_ISO "2026-11-23T00:00:00Z"

/* ---- helpers --------------------------------------------------------------- */

static int demo(const char *dir, const char *seed, const char *scale, int force)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)"demo";
    argv[argc++] = (char *)"--seed";
    argv[argc++] = (char *)seed;
    argv[argc++] = (char *)"--scale";
    argv[argc++] = (char *)scale;
    argv[argc++] = (char *)"--weeks";
    argv[argc++] = (char *)"3";
    argv[argc++] = (char *)"--end";
    argv[argc++] = (char *)END_DATE;
    argv[argc++] = (char *)"--quiet";
    if (force)
        argv[argc++] = (char *)"--force";
    argv[argc++] = (char *)dir;
    argv[argc] = NULL;
    return cmd_demo(argc, argv);
}

static int run_args(int argc, const char **args)
{
    char *argv[16];
    for (int i = 0; i < argc; i++)
        argv[i] = (char *)args[i];
    argv[argc] = NULL;
    return cmd_demo(argc, argv);
}

static char *fresh_dir(void)
{
    char tmpl[] = "/tmp/cw_demo_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return cw_strdup(d);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static void remove_tree(char *dir)
{
    if (dir)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static char *path_in(const char *dir, const char *rel)
{
    return cw_asprintf("%s/%s", dir, rel);
}

static int file_exists(const char *dir, const char *rel)
{
    char *p = path_in(dir, rel);
    struct stat st;
    int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
    free(p);
    return ok;
}

static int64_t iso(const char *s)
{
    int64_t t = 0;
    assert_non_null(s);
    if (cw_time_parse_iso8601(s, NULL, &t) != 0)
        fail_msg("not an ISO timestamp: '%s'", s);
    return t;
}

static int is_sha(const char *s, size_t n)
{
    if (n != 40)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static json_t *load_json(const char *dir, const char *rel)
{
    char err[200], *p = path_in(dir, rel);
    json_t *j = cw_json_load_file(p, err, sizeof err);
    if (!j)
        fail_msg("%s: %s", p, err);
    free(p);
    return j;
}

/* ---- a git log, checked while read ------------------------------------------ */

typedef struct git_commit {
    char sha[41];
    char parents[2][41];
    int n_parents;
    int64_t committed;
    size_t position;           /* 0 = first in the file (newest) */
} git_commit;

typedef struct git_log {
    git_commit *v;
    size_t n;
    git_commit **by_sha;       /* sorted by sha */
} git_log;

static int cmp_by_sha(const void *a, const void *b)
{
    return strcmp((*(git_commit *const *)a)->sha, (*(git_commit *const *)b)->sha);
}

static const git_commit *git_find(const git_log *log, const char *sha)
{
    git_commit key, *kp = &key, **hit;
    snprintf(key.sha, sizeof key.sha, "%s", sha);
    hit = bsearch(&kp, log->by_sha, log->n, sizeof(*log->by_sha), cmp_by_sha);
    return hit ? *hit : NULL;
}

/* numstat lines "added\tdeleted\tpath" or "-\t-\tpath", each ended by '\n' */
static void check_numstat(const char *text, const char *sha)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        const char *tab1 = strchr(text, '\t');
        const char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!nl || !tab1 || !tab2 || tab2 > nl || tab2 + 1 == nl)
            fail_msg("bad numstat line in %s: %.60s", sha, text);
        text = nl + 1;
    }
}

/* Parse one record (text after 0x1E); 10 fields each followed by 0x1F. */
static void parse_record(char *rec, git_commit *c, int64_t end)
{
    char *field[11];
    int n = 0;
    char *p = rec;
    while (n < 10) {
        char *us = strchr(p, '\x1f');
        if (!us)
            fail_msg("record with %d fields: %.80s", n, rec);
        *us = '\0';
        field[n++] = p;
        p = us + 1;
    }
    field[10] = p;
    if (!is_sha(field[0], strlen(field[0])))
        fail_msg("bad sha '%s'", field[0]);
    snprintf(c->sha, sizeof c->sha, "%s", field[0]);
    c->n_parents = 0;
    for (char *tok = strtok(field[1], " "); tok; tok = strtok(NULL, " ")) {
        assert_true(is_sha(tok, strlen(tok)));
        assert_true(c->n_parents < 2);
        snprintf(c->parents[c->n_parents++], 41, "%s", tok);
    }
    assert_true(strchr(field[3], '@') != NULL);          /* author email */
    c->committed = iso(field[7]);
    assert_true(iso(field[4]) <= c->committed);         /* author and committer instants agree */
    assert_true(c->committed < end);
    assert_true(strlen(field[8]) > 0);                  /* subject */
    if (c->n_parents == 2) {
        assert_string_equal(field[10], "\n");            /* merges: no numstat */
    } else {
        assert_true(strncmp(field[10], "\n\n", 2) == 0);
        check_numstat(field[10] + 2, c->sha);
    }
}

/* A git log file; every commit before `end`. */
static void load_log(const char *dir, const char *rel, int64_t end, git_log *log)
{
    char *p = path_in(dir, rel);
    size_t len = 0;
    char *text = cw_read_file(p, &len), *rec;
    int64_t previous = INT64_MAX;

    assert_non_null(text);
    assert_true(len > 0 && text[0] == '\x1e');
    memset(log, 0, sizeof(*log));
    for (size_t i = 0; i < len; i++)
        log->n += text[i] == '\x1e';
    log->v = cw_xcalloc(log->n, sizeof(*log->v));
    rec = text + 1;
    for (size_t k = 0; k < log->n; k++) {
        char *next = strchr(rec, '\x1e');
        if (next)
            *next = '\0';
        parse_record(rec, &log->v[k], end);
        log->v[k].position = k;
        assert_true(log->v[k].committed <= previous);   /* newest first */
        previous = log->v[k].committed;
        rec = next ? next + 1 : NULL;
    }
    log->by_sha = cw_xmalloc(log->n * sizeof(*log->by_sha));
    for (size_t k = 0; k < log->n; k++)
        log->by_sha[k] = &log->v[k];
    qsort(log->by_sha, log->n, sizeof(*log->by_sha), cmp_by_sha);
    free(text);
    free(p);
}

static void load_git(const char *dir, const char *app, git_log *log)
{
    char *rel = cw_asprintf("exports/git/%s.log", app);
    load_log(dir, rel, cw_t(END_ISO), log);
    free(rel);
}

static void free_git(git_log *log)
{
    free(log->v);
    free(log->by_sha);
}

/* ---- fixtures ----------------------------------------------------------------- */

static int setup_dataset(void **state)
{
    char *dir = fresh_dir();
    if (demo(dir, "7", "0.15", 0) != CW_EXIT_OK) {
        remove_tree(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown_dataset(void **state)
{
    remove_tree(*state);
    return 0;
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_usage(void **state)
{
    char *dir = fresh_dir(), *notes = path_in(dir, "notes.txt");
    const char *help[] = {"demo", "--help"};
    const char *no_dir[] = {"demo", "--end", END_DATE};
    const char *bad_end[] = {"demo", "--end", "2026-13-01", dir};
    const char *bad_scale[] = {"demo", "--scale", "0", dir};
    const char *bad_weeks[] = {"demo", "--weeks", "2.5", dir};
    const char *two_dirs[] = {"demo", dir, dir};
    const char *no_apps[] = {"demo", "--apps", "0", dir};
    const char *half_app[] = {"demo", "--apps", "2.5", dir};
    const char *too_many[] = {"demo", "--apps", "5001", dir};
    FILE *fp;

    (void)state;
    assert_int_equal(run_args(2, help), CW_EXIT_OK);
    assert_int_equal(run_args(3, no_dir), CW_EXIT_USAGE);
    assert_int_equal(run_args(4, bad_end), CW_EXIT_USAGE);
    assert_int_equal(run_args(4, bad_scale), CW_EXIT_USAGE);
    assert_int_equal(run_args(4, bad_weeks), CW_EXIT_USAGE);
    assert_int_equal(run_args(3, two_dirs), CW_EXIT_USAGE);
    assert_int_equal(run_args(4, no_apps), CW_EXIT_USAGE);
    assert_int_equal(run_args(4, half_app), CW_EXIT_USAGE);
    assert_int_equal(run_args(4, too_many), CW_EXIT_USAGE);
    /* a folder that is not empty needs --force */
    fp = fopen(notes, "w");
    assert_non_null(fp);
    fputs("mine\n", fp);
    fclose(fp);
    assert_int_equal(demo(dir, "1", "0.05", 0), CW_EXIT_USAGE);
    assert_false(file_exists(dir, "catwalk.ini"));
    free(notes);
    remove_tree(dir);
}

static void test_files_exist(void **state)
{
    const char *dir = *state;
    assert_true(file_exists(dir, "catwalk.ini"));
    assert_true(file_exists(dir, "exports/pagerduty/incidents-page1.json"));
    assert_true(file_exists(dir, "exports/servicenow/incident.csv"));
    for (size_t i = 0; i < cw_demo_n_apps; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "exports/jira/%s-page1.json", cw_demo_apps[i].project);
        assert_true(file_exists(dir, rel));
        snprintf(rel, sizeof rel, "exports/git/%s.log", cw_demo_apps[i].name);
        assert_true(file_exists(dir, rel));
        snprintf(rel, sizeof rel, "exports/jenkins/deploy-%s.json", cw_demo_apps[i].name);
        assert_true(file_exists(dir, rel));
    }
}

static void test_config_text(void **state)
{
    char *p = path_in(*state, "catwalk.ini");
    char *text = cw_read_file(p, NULL);
    assert_non_null(text);
    /* the section the brief spells out, for one application; the repository
     * carries its GitHub owner, so the git log and the pull requests are one
     * repository */
    cw_expect_all(text, ((const char *const[]){
        "[application claims-intake]\nteam = Claims\nprojects = CLAIMS\n"
        "repositories = harbourside/claims-intake\njobs = deploy-claims-intake\nservices = Claims Intake API\n\n",
        "[source git-claims-intake]\ntype = git\n"
        "path = exports/git/claims-intake.log\nrepository = harbourside/claims-intake\n",
        "[source github-claims-intake]\ntype = github\n"
        "path = exports/github/pulls-*.claims-intake.*json\nrepository = harbourside/claims-intake\n",
        "\nBlocked = wait\n", "\nIn Review = wait\n", "\nReady for Release = wait\n",
        "\nDone = done\n", "\nSecurity Review = wait\n", "\nCAB Approval = wait\n",
        "timezone = Europe/London\n",
        "\n[gates]\nSecurity Review = security\nCAB Approval = cab\n",
        "[application payments-gateway]\nteam = Billing & Payments\nprojects = PAYGW\n"
        "repositories = harbourside/payments-gateway\njobs = deploy-payments-gateway\n"
        "services = Payments Gateway\ngates = security, cab\n\n",
        "\ngates = cab\n", "\ngates = security\n",
        "[source jira]\ntype = jira\npath = exports/jira/*.json\nepic_link_field = customfield_10014\n",
        "\n[source mainframe-calendar]\ntype = csv\ntarget = release\npath = exports/calendar/*.csv\n"
        "column.project = Project\ncolumn.name = Release\ncolumn.start = Start\n"
        "column.release_date = Release date\ncolumn.released = Released\n",
        NULL}));
    free(text);
    free(p);
}

static void check_issue(json_t *issue, const char *project, int64_t end)
{
    const char *key = cw_json_str(issue, "key");
    const char *cat = cw_json_str(issue, "fields.status.statusCategory.key");
    const char *status = cw_json_str(issue, "fields.status.name");
    json_t *histories = cw_json_path(issue, "changelog.histories");
    int64_t created = iso(cw_json_str(issue, "fields.created")), later = end;
    int64_t total = -1;
    size_t i;
    json_t *h;
    int newest_status = 0;

    assert_non_null(key);
    assert_true(strncmp(key, project, strlen(project)) == 0 && key[strlen(project)] == '-');
    assert_string_equal(cw_json_str(issue, "fields.project.key"), project);
    assert_non_null(cw_json_str(issue, "fields.summary"));
    assert_non_null(cw_json_str(issue, "fields.issuetype.name"));
    assert_true(strcmp(cat, "new") == 0 || strcmp(cat, "indeterminate") == 0 || strcmp(cat, "done") == 0);
    assert_int_equal(strcmp(status, "Done") == 0, strcmp(cat, "done") == 0);
    assert_int_equal(strcmp(status, "Done") == 0, cw_json_str(issue, "fields.resolutiondate") != NULL);
    assert_true(created < end);
    assert_true(json_is_array(histories));
    assert_int_equal(cw_json_int(issue, "changelog.total", &total), 0);
    assert_int_equal(total, (int64_t)json_array_size(histories));
    /* newest first, all after creation and before the export instant; a
     * history is a status change (its status item last) or a fix version
     * change (Fix Version items only) */
    json_array_foreach(histories, i, h) {
        int64_t at = iso(cw_json_str(h, "created"));
        json_t *items = cw_json_path(h, "items"), *item;
        json_t *last = json_array_get(items, json_array_size(items) - 1);
        size_t k;
        assert_true(at <= later && at > created);
        later = at;
        if (strcmp(cw_json_str(last, "field"), "Fix Version") == 0) {
            json_array_foreach(items, k, item) {
                assert_string_equal(cw_json_str(item, "field"), "Fix Version");
                assert_string_equal(cw_json_str(item, "fieldtype"), "jira");
            }
            continue;
        }
        assert_string_equal(cw_json_str(last, "field"), "status");
        assert_non_null(cw_json_str(last, "toString"));
        if (!newest_status) {
            assert_string_equal(cw_json_str(last, "toString"), status);
            newest_status = 1;
        }
    }
}

static void test_jira_pages(void **state)
{
    int64_t end = cw_t(END_ISO);
    for (size_t a = 0; a < cw_demo_n_apps; a++) {
        int64_t total = -1, seen = 0;
        for (int page = 1;; page++) {
            char rel[200], *p;
            int64_t start = -1, max = -1, page_total = -1;
            json_t *j, *issue, *issues;
            size_t i;
            snprintf(rel, sizeof rel, "exports/jira/%s-page%d.json", cw_demo_apps[a].project, page);
            p = path_in(*state, rel);
            if (access(p, F_OK) != 0) {
                free(p);
                break;
            }
            free(p);
            j = load_json(*state, rel);
            assert_int_equal(cw_json_int(j, "startAt", &start), 0);
            assert_int_equal(cw_json_int(j, "maxResults", &max), 0);
            assert_int_equal(cw_json_int(j, "total", &page_total), 0);
            assert_int_equal(max, 100);
            assert_int_equal(start, seen);
            if (total >= 0)
                assert_int_equal(page_total, total);
            total = page_total;
            issues = cw_json_path(j, "issues");
            assert_true(json_is_array(issues) && json_array_size(issues) <= 100);
            json_array_foreach(issues, i, issue)
                check_issue(issue, cw_demo_apps[a].project, end);
            seen += (int64_t)json_array_size(issues);
            json_decref(j);
        }
        assert_int_equal(seen, total);
        assert_true(total > 0);
    }
}

static void test_git_logs(void **state)
{
    for (size_t a = 0; a < cw_demo_n_apps; a++) {
        git_log log;
        size_t merges = 0;
        load_git(*state, cw_demo_apps[a].name, &log);
        assert_true(log.n > 0);
        for (size_t k = 0; k < log.n; k++) {
            const git_commit *c = &log.v[k];
            merges += c->n_parents == 2;
            for (int p = 0; p < c->n_parents; p++) {
                const git_commit *parent = git_find(&log, c->parents[p]);
                if (!parent)
                    fail_msg("%s: parent %s of %s is not in the log", cw_demo_apps[a].name, c->parents[p], c->sha);
                assert_true(parent->position > c->position);
                assert_true(parent->committed <= c->committed);
            }
        }
        /* exactly one root: the initial import; and branches merged with merge commits */
        {
            size_t roots = 0;
            for (size_t k = 0; k < log.n; k++)
                roots += log.v[k].n_parents == 0;
            assert_int_equal(roots, 1);
        }
        assert_true(merges > 0);
        free_git(&log);
    }
}

static json_t *action(json_t *build, const char *cls)
{
    size_t i;
    json_t *a;
    json_array_foreach(cw_json_path(build, "actions"), i, a) {
        const char *c = cw_json_str(a, "_class");
        if (c && strcmp(c, cls) == 0)
            return a;
    }
    return NULL;
}

static void test_jenkins_revisions(void **state)
{
    int64_t end = cw_t(END_ISO);
    long running = 0, production = 0, untraceable = 0;

    for (size_t a = 0; a < cw_demo_n_apps; a++) {
        char rel[200], job[160];
        json_t *j, *b;
        git_log log;
        size_t i;
        int64_t previous = INT64_MAX;

        snprintf(job, sizeof job, "deploy-%s", cw_demo_apps[a].name);
        snprintf(rel, sizeof rel, "exports/jenkins/%s.json", job);
        j = load_json(*state, rel);
        load_git(*state, cw_demo_apps[a].name, &log);
        assert_string_equal(cw_json_str(j, "name"), job);
        assert_string_equal(cw_json_str(j, "fullName"), job);
        assert_true(json_is_array(cw_json_path(j, "allBuilds")));
        json_array_foreach(cw_json_path(j, "allBuilds"), i, b) {
            json_t *params = action(b, "hudson.model.ParametersAction");
            json_t *data = action(b, "hudson.plugins.git.util.BuildData");
            const char *env = cw_json_str(json_array_get(cw_json_path(params, "parameters"), 0), "value");
            const char *sha = cw_json_str(data, "lastBuiltRevision.SHA1");
            const char *branch = cw_json_str(json_array_get(cw_json_path(data, "lastBuiltRevision.branch"), 0), "name");
            const char *result = cw_json_str(b, "result");
            const git_commit *deployed = sha ? git_find(&log, sha) : NULL;
            int64_t number = 0, ts = 0, duration = 0;

            assert_string_equal(cw_json_str(b, "_class"), "org.jenkinsci.plugins.workflow.job.WorkflowRun");
            assert_int_equal(cw_json_int(b, "number", &number), 0);
            assert_true(number < previous);                 /* newest first */
            previous = number;
            assert_int_equal(cw_json_int(b, "timestamp", &ts), 0);
            assert_int_equal(cw_json_int(b, "duration", &duration), 0);
            assert_string_equal(cw_json_str(json_array_get(cw_json_path(params, "parameters"), 0), "name"),
                                "ENVIRONMENT");
            assert_true(strcmp(env, "production") == 0 || strcmp(env, "staging") == 0);
            assert_true(sha && is_sha(sha, strlen(sha)));
            if (cw_json_bool(b, "building", 0)) {
                running++;
                assert_null(result);
                assert_true(ts / 1000 < end);
                continue;
            }
            assert_non_null(result);
            assert_true((ts + duration) / 1000 < end);
            if (strncmp(branch, "origin/hotfix/", 14) == 0) {
                assert_null(deployed);                      /* untraceable: not in the log */
                untraceable += strcmp(env, "production") == 0 && strcmp(result, "SUCCESS") == 0;
            } else {
                assert_string_equal(branch, "origin/main");
                if (!deployed)
                    fail_msg("%s #%lld deploys %s, which is not in the log", job, (long long)number, sha);
                assert_true(deployed->committed < ts / 1000);   /* authored before the run */
            }
            production += strcmp(env, "production") == 0 && strcmp(result, "SUCCESS") == 0;
        }
        free_git(&log);
        json_decref(j);
    }
    assert_int_equal(running, 1);
    assert_true(production > 0);
    assert_true(untraceable * 20 <= production);             /* rare: at most 5 % */
}

static void test_pagerduty_pages(void **state)
{
    int64_t end = cw_t(END_ISO), seen = 0, total = -1, previous = INT64_MIN;
    int more = 1;
    for (int page = 1; more; page++) {
        char rel[100];
        int64_t offset = -1, limit = -1, t = -1;
        json_t *j, *inc;
        size_t i;
        snprintf(rel, sizeof rel, "exports/pagerduty/incidents-page%d.json", page);
        j = load_json(*state, rel);
        assert_int_equal(cw_json_int(j, "offset", &offset), 0);
        assert_int_equal(cw_json_int(j, "limit", &limit), 0);
        assert_int_equal(cw_json_int(j, "total", &t), 0);
        assert_int_equal(offset, seen);
        assert_int_equal(limit, 100);
        if (total >= 0)
            assert_int_equal(t, total);
        total = t;
        json_array_foreach(cw_json_path(j, "incidents"), i, inc) {
            int64_t created = iso(cw_json_str(inc, "created_at"));
            const char *status = cw_json_str(inc, "status");
            assert_true(created < end && created >= previous);
            previous = created;
            assert_string_equal(cw_json_str(inc, "service.type"), "service_reference");
            assert_non_null(cw_json_str(inc, "service.summary"));
            assert_non_null(cw_json_str(inc, "id"));
            assert_int_equal(strcmp(status, "resolved") == 0, cw_json_str(inc, "resolved_at") != NULL);
            if (cw_json_str(inc, "resolved_at"))
                assert_true(iso(cw_json_str(inc, "resolved_at")) < end);
        }
        seen += (int64_t)json_array_size(cw_json_path(j, "incidents"));
        more = cw_json_bool(j, "more", 0);
        json_decref(j);
    }
    assert_int_equal(seen, total);
    assert_true(total > 0);
}

/* ServiceNow rows, grouped by number with sys_mod_count rising. */
typedef struct sn_check {
    int number_col, mod_col, updated_col, opened_col, service_col;
    char number[32];
    long mod;
    long rows, incidents;
    cw_tz london;
} sn_check;

static int sn_header(void *ctx, const cw_csv_row *row)
{
    sn_check *c = ctx;
    const struct { const char *name; int *col; } cols[] = {
        {"number", &c->number_col}, {"sys_mod_count", &c->mod_col},
        {"sys_updated_at", &c->updated_col}, {"opened_at", &c->opened_col},
        {"business_service", &c->service_col},
    };
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        *cols[i].col = cw_csv_col(row, cols[i].name);
        assert_true(*cols[i].col >= 0);
    }
    assert_int_equal(row->n, 29);
    return 0;
}

static int sn_row(void *ctx, const cw_csv_row *row)
{
    sn_check *c = ctx;
    const char *number = cw_csv_get(row, c->number_col);
    long mod = strtol(cw_csv_get(row, c->mod_col), NULL, 10);
    int64_t updated, opened;

    assert_int_equal(row->n, 29);
    assert_true(strncmp(number, "INC", 3) == 0);
    assert_int_equal(cw_time_parse_pattern(cw_csv_get(row, c->updated_col), "yyyy-MM-dd HH:mm:ss", &c->london,
                                           &updated), 0);
    assert_int_equal(cw_time_parse_pattern(cw_csv_get(row, c->opened_col), "yyyy-MM-dd HH:mm:ss", &c->london,
                                           &opened), 0);
    assert_true(opened <= updated && updated < cw_t(END_ISO));
    assert_true(strlen(cw_csv_get(row, c->service_col)) > 0);
    if (strcmp(number, c->number) == 0) {
        assert_true(mod > c->mod);
    } else {
        assert_true(strcmp(number, c->number) > 0);           /* numbers ascend */
        assert_int_equal(mod, 0);                             /* an incident starts as New */
        snprintf(c->number, sizeof c->number, "%s", number);
        c->incidents++;
    }
    c->mod = mod;
    c->rows++;
    return 0;
}

static void test_servicenow_csv(void **state)
{
    sn_check c;
    char err[200], *p = path_in(*state, "exports/servicenow/incident.csv");
    memset(&c, 0, sizeof c);
    assert_int_equal(cw_tz_parse("Europe/London", &c.london), 0);
    assert_int_equal(cw_csv_read(p, sn_header, sn_row, &c, NULL, err, sizeof err), 0);
    assert_true(c.incidents > 0);
    assert_true(c.rows > c.incidents);                         /* an event log: several rows each */
    free(p);
}

/* Every file of a's tree is byte-identical in b's. */
static void assert_same_tree(const char *a, const char *b)
{
    char *pattern = cw_asprintf("%s/exports/*/*", a);
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_true(g.gl_pathc > 3 * cw_demo_n_apps);
    for (size_t i = 0; i <= g.gl_pathc; i++) {
        const char *rel = i < g.gl_pathc ? g.gl_pathv[i] + strlen(a) + 1 : "catwalk.ini";
        char *pa = path_in(a, rel), *pb = path_in(b, rel);
        size_t la = 0, lb = 0;
        char *ta = cw_read_file(pa, &la), *tb = cw_read_file(pb, &lb);
        assert_non_null(ta);
        if (!tb || la != lb || memcmp(ta, tb, la) != 0)
            fail_msg("%s differs between two runs with the same seed", rel);
        free(ta); free(tb); free(pa); free(pb);
    }
    globfree(&g);
    free(pattern);
}

static void test_same_seed_same_bytes(void **state)
{
    char *again = fresh_dir(), *other = fresh_dir();
    char *x, *y;
    size_t lx = 0, ly = 0;

    assert_int_equal(demo(again, "7", "0.15", 0), CW_EXIT_OK);
    assert_same_tree(*state, again);
    /* and another seed gives other data */
    assert_int_equal(demo(other, "8", "0.15", 0), CW_EXIT_OK);
    x = path_in(again, "exports/git/claims-intake.log");
    y = path_in(other, "exports/git/claims-intake.log");
    {
        char *tx = cw_read_file(x, &lx), *ty = cw_read_file(y, &ly);
        assert_true(lx != ly || memcmp(tx, ty, lx) != 0);
        free(tx); free(ty);
    }
    free(x); free(y);
    remove_tree(again);
    remove_tree(other);
}

static void test_force_replaces_old_exports(void **state)
{
    char *dir = fresh_dir(), *stale = path_in(dir, "exports/jira/OLD-page9.json");
    char *notes = path_in(dir, "notes.txt");
    FILE *fp;

    (void)state;
    assert_int_equal(demo(dir, "3", "0.05", 0), CW_EXIT_OK);
    fp = fopen(stale, "w");
    assert_non_null(fp);
    fputs("{}\n", fp);
    fclose(fp);
    fp = fopen(notes, "w");
    assert_non_null(fp);
    fputs("mine\n", fp);
    fclose(fp);
    assert_int_equal(demo(dir, "3", "0.05", 0), CW_EXIT_USAGE);   /* not empty */
    assert_int_equal(demo(dir, "3", "0.05", 1), CW_EXIT_OK);
    assert_int_equal(access(stale, F_OK), -1);                   /* old pages go */
    assert_int_equal(access(notes, F_OK), 0);                    /* other files stay */
    free(stale);
    free(notes);
    remove_tree(dir);
}

/* The real connectors read everything the demo wrote, without one reject. */
typedef struct parse_totals {
    cw_capture cap;
    long files;
} parse_totals;

static void parse_source(const cw_source *src, parse_totals *pt)
{
    const cw_source_type *type = cw_source_type_find(src->type);
    char *pattern = cw_source_path(src, "path");
    glob_t g;

    if (!type)
        fail_msg("no connector for source type '%s'", src->type);
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        assert_int_equal(type->parse(src, g.gl_pathv[i], &pt->cap.sink), 0);
        pt->files++;
    }
    globfree(&g);
    free(pattern);
}

static void test_connectors_read_without_rejects(void **state)
{
    char *ini = path_in(*state, "catwalk.ini");
    cw_config *cfg = NULL;
    parse_totals pt;
    long production = 0;

    assert_int_equal(cw_config_load(ini, cw_source_check, &cfg), 0);
    assert_int_equal(cfg->n_apps, cw_demo_n_apps);
    /* a git and a github source per application; jira, jenkins, pagerduty,
     * servicenow; the mainframe's release calendar */
    assert_int_equal(cfg->n_sources, 2 * cw_demo_n_apps + 5);
    memset(&pt, 0, sizeof pt);
    cw_capture_init(&pt.cap);
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const cw_source_type *type = cw_source_type_find(cfg->sources[i].type);
        if (type && type->validate)
            assert_int_equal(type->validate(&cfg->sources[i]), 0);
        parse_source(&cfg->sources[i], &pt);
    }
    for (size_t i = 0; i < pt.cap.n_rejects; i++)
        print_error("reject %s:%ld %s: %s\n", pt.cap.rejects[i].origin.file, pt.cap.rejects[i].origin.record,
                    pt.cap.rejects[i].field ? pt.cap.rejects[i].field : "-", pt.cap.rejects[i].reason);
    assert_int_equal(pt.cap.n_rejects, 0);
    assert_true(pt.cap.n_items > 0 && pt.cap.n_transitions > pt.cap.n_items);
    assert_true(pt.cap.n_commits > pt.cap.n_items);
    assert_true(pt.cap.n_incidents > 0);
    for (size_t i = 0; i < pt.cap.n_builds; i++) {
        const cw_build *b = &pt.cap.builds[i];
        assert_true(b->is_deployment);
        assert_int_equal(b->is_production, strcmp(b->environment, "production") == 0);
        production += b->is_production && strcmp(b->result, "success") == 0;
    }
    assert_true(production > 0);
    cw_capture_free(&pt.cap);
    cw_config_free(cfg);
    free(ini);
}

/* ---- --apps N ------------------------------------------------------------------- */

/* `catwalk demo` with the small data set's options and more. */
static int demo_with(const char *dir, const char *scale, const char *const *extra)
{
    const char *args[24] = {"demo", "--seed", "7", "--scale", scale, "--weeks", "3", "--end", END_DATE, "-q"};
    int n = 10;
    for (; *extra; extra++)
        args[n++] = *extra;
    args[n++] = dir;
    return run_args(n, args);
}

static size_t count_files(const char *dir, const char *rel_pattern)
{
    char *pattern = path_in(dir, rel_pattern);
    glob_t g;
    size_t n = glob(pattern, 0, NULL, &g) == 0 ? g.gl_pathc : 0;
    if (n)
        globfree(&g);
    free(pattern);
    return n;
}

static size_t count_text(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* --apps 3: the first three applications of the table, and nothing else. */
static void test_apps_first_three(void **state)
{
    char *dir = fresh_dir(), *ini = path_in(dir, "catwalk.ini"), *text;
    (void)state;
    assert_int_equal(demo_with(dir, "0.1", (const char *const[]){"--apps", "3", NULL}), CW_EXIT_OK);
    text = cw_read_file(ini, NULL);
    assert_non_null(text);
    assert_int_equal(count_text(text, "\n[application "), 3);
    assert_int_equal(count_text(text, "\n[source git-"), 3);
    cw_expect_all(text, ((const char *const[]){
        "[application policy-admin-core]\nteam = Policy Admin\nprojects = POLADM\n",
        "[application mainframe-policy]\nteam = Policy Admin\nprojects = MFPOL\n",
        "[application quote-engine]\nteam = Policy Admin\nprojects = QUOTE\nrepositories = harbourside/quote-engine\n"
        "jobs = deploy-quote-engine\nservices = Quote Engine\n", NULL}));
    assert_int_equal(count_files(dir, "exports/git/*.log"), 3);
    assert_int_equal(count_files(dir, "exports/jenkins/*.json"), 3);
    assert_true(file_exists(dir, "exports/jira/MFPOL-page1.json"));
    assert_int_equal(count_files(dir, "exports/jira/CLAIMS-*"), 0);
    free(text);
    free(ini);
    remove_tree(dir);
}

static int is_upper_key(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < 'A' || *s > 'Z')
            return 0;
    return 1;
}

/* "Motor Claims" -> "motor-claims-" */
static char *slug_prefix(const char *team)
{
    char *s = cw_asprintf("%s-", team);
    for (char *p = s; *p; p++)
        *p = *p == ' ' ? '-' : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p;
    return s;
}

/* One synthesised application: mapped by its section to files that exist
 * and name it. */
static void check_synthesised(const char *dir, const cw_application *a)
{
    char rel[256], *prefix = slug_prefix(a->team);
    json_t *j;

    assert_int_equal(a->projects.n, 1);
    assert_int_equal(a->repositories.n, 1);
    assert_int_equal(a->jobs.n, 1);
    assert_int_equal(a->services.n, 1);
    assert_true(is_upper_key(a->projects.items[0]));
    snprintf(rel, sizeof rel, "harbourside/%s", a->name);
    assert_string_equal(a->repositories.items[0], rel);
    snprintf(rel, sizeof rel, "deploy-%s", a->name);
    assert_string_equal(a->jobs.items[0], rel);
    assert_true(strncmp(a->name, prefix, strlen(prefix)) == 0);        /* named after its team */
    assert_true(strncmp(a->services.items[0], a->team, strlen(a->team)) == 0);
    snprintf(rel, sizeof rel, "exports/jira/%s-page1.json", a->projects.items[0]);
    j = load_json(dir, rel);
    if (json_array_size(cw_json_path(j, "issues")))
        assert_string_equal(cw_json_str(json_array_get(cw_json_path(j, "issues"), 0), "fields.project.key"),
                            a->projects.items[0]);
    json_decref(j);
    snprintf(rel, sizeof rel, "exports/git/%s.log", a->name);
    assert_true(file_exists(dir, rel));
    snprintf(rel, sizeof rel, "exports/jenkins/deploy-%s.json", a->name);
    j = load_json(dir, rel);
    assert_string_equal(cw_json_str(j, "name"), a->jobs.items[0]);
    json_decref(j);
    free(prefix);
}

/*
 * --apps 42: Harbourside's 35, then 7 synthesised in teams of five (one
 * full team, one of two), each mapped by catwalk.ini to its own project,
 * repository, job and service, all distinct; every connector reads the lot
 * without a reject; and application 36 is the same whatever N.
 */
static void test_apps_synthesised(void **state)
{
    char *dir = fresh_dir(), *other = fresh_dir(), *ini = path_in(dir, "catwalk.ini");
    cw_config *cfg = NULL;
    parse_totals pt;
    char *a36, *b36, *rel;

    (void)state;
    assert_int_equal(demo_with(dir, "0.1", (const char *const[]){"--apps", "42", NULL}), CW_EXIT_OK);
    assert_int_equal(cw_config_load(ini, cw_source_check, &cfg), 0);
    assert_int_equal(cfg->n_apps, 42);
    assert_int_equal(cfg->n_sources, 2 * 42 + 5);   /* as above: the mainframe is one of the 35 */
    assert_string_equal(cfg->apps[34].name, "platform-config");        /* the table's last */
    for (size_t i = 0; i < cfg->n_apps; i++)
        for (size_t k = 0; k < i; k++) {
            assert_string_not_equal(cfg->apps[i].name, cfg->apps[k].name);
            assert_string_not_equal(cfg->apps[i].projects.items[0], cfg->apps[k].projects.items[0]);
            assert_string_not_equal(cfg->apps[i].services.items[0], cfg->apps[k].services.items[0]);
        }
    for (size_t i = 35; i < 42; i++) {
        check_synthesised(dir, &cfg->apps[i]);
        for (size_t t = 0; t < cw_demo_n_teams; t++)
            assert_string_not_equal(cfg->apps[i].team, cw_demo_teams[t].name);
    }
    for (size_t i = 36; i < 40; i++)
        assert_string_equal(cfg->apps[i].team, cfg->apps[35].team);
    assert_string_equal(cfg->apps[41].team, cfg->apps[40].team);
    assert_string_not_equal(cfg->apps[40].team, cfg->apps[35].team);
    memset(&pt, 0, sizeof pt);
    cw_capture_init(&pt.cap);
    for (size_t i = 0; i < cfg->n_sources; i++)
        parse_source(&cfg->sources[i], &pt);
    assert_int_equal(pt.cap.n_rejects, 0);
    cw_capture_free(&pt.cap);
    /* the same application 36 with --apps 40 */
    assert_int_equal(demo_with(other, "0.1", (const char *const[]){"--apps", "40", NULL}), CW_EXIT_OK);
    rel = cw_asprintf("exports/git/%s.log", cfg->apps[35].name);
    a36 = path_in(dir, rel);
    b36 = path_in(other, rel);
    {
        size_t la = 0, lb = 0;
        char *ta = cw_read_file(a36, &la), *tb = cw_read_file(b36, &lb);
        assert_non_null(ta);
        assert_non_null(tb);
        assert_true(la == lb && memcmp(ta, tb, la) == 0);
        free(ta);
        free(tb);
    }
    free(a36);
    free(b36);
    free(rel);
    cw_config_free(cfg);
    free(ini);
    remove_tree(dir);
    remove_tree(other);
}

/* ---- --delta-day ---------------------------------------------------------------- */

#define DAY_ISO "2026-11-24T00:00:00Z"

static int in_day(int64_t t)
{
    return t >= cw_t(END_ISO) && t < cw_t(DAY_ISO);
}

static void check_delta_jira(const char *dir, long *issues)
{
    char *pattern = path_in(dir, "delta/exports/jira/*-" END_DATE "-page*.json");
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    for (size_t f = 0; f < g.gl_pathc; f++) {
        json_t *j = load_json(dir, g.gl_pathv[f] + strlen(dir) + 1), *issue, *h;
        size_t i, k;
        json_array_foreach(cw_json_path(j, "issues"), i, issue) {
            int64_t created = iso(cw_json_str(issue, "fields.created"));
            int news = in_day(created);
            assert_true(created < cw_t(DAY_ISO));
            json_array_foreach(cw_json_path(issue, "changelog.histories"), k, h) {
                int64_t at = iso(cw_json_str(h, "created"));
                assert_true(at < cw_t(DAY_ISO));
                news |= in_day(at);
            }
            if (!news)
                fail_msg("%s: %s changed nothing in the delta day", g.gl_pathv[f], cw_json_str(issue, "key"));
            (*issues)++;
        }
        json_decref(j);
    }
    globfree(&g);
    free(pattern);
}

/* The day's commits, whose parents are in that log or the export's. */
static void check_delta_git(const char *dir, long *commits)
{
    char *pattern = path_in(dir, "delta/exports/git/*." END_DATE ".log");
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    for (size_t f = 0; f < g.gl_pathc; f++) {
        const char *rel = g.gl_pathv[f] + strlen(dir) + 1;
        char *base = cw_strdup(strrchr(rel, '/') + 1), *main_rel;
        git_log day, before;
        *strstr(base, "." END_DATE ".log") = '\0';
        main_rel = cw_asprintf("exports/git/%s.log", base);
        load_log(dir, rel, cw_t(DAY_ISO), &day);
        load_log(dir, main_rel, cw_t(END_ISO), &before);
        for (size_t k = 0; k < day.n; k++) {
            assert_true(in_day(day.v[k].committed));
            assert_null(git_find(&before, day.v[k].sha));
            for (int p = 0; p < day.v[k].n_parents; p++)
                if (!git_find(&day, day.v[k].parents[p]) && !git_find(&before, day.v[k].parents[p]))
                    fail_msg("%s: parent %s is in neither log", rel, day.v[k].parents[p]);
        }
        *commits += (long)day.n;
        free_git(&day);
        free_git(&before);
        free(main_rel);
        free(base);
    }
    globfree(&g);
    free(pattern);
}

static void check_delta_jenkins(const char *dir, long *runs)
{
    char *pattern = path_in(dir, "delta/exports/jenkins/deploy-*." END_DATE ".json");
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    for (size_t f = 0; f < g.gl_pathc; f++) {
        json_t *j = load_json(dir, g.gl_pathv[f] + strlen(dir) + 1), *b;
        size_t i;
        json_array_foreach(cw_json_path(j, "allBuilds"), i, b) {
            int64_t ts = 0, duration = 0;
            assert_int_equal(cw_json_int(b, "timestamp", &ts), 0);
            assert_int_equal(cw_json_int(b, "duration", &duration), 0);
            assert_true(ts / 1000 < cw_t(DAY_ISO));
            /* started in the day, or finished in it */
            assert_true(in_day(ts / 1000) || (!cw_json_bool(b, "building", 0) && in_day((ts + duration) / 1000)));
            (*runs)++;
        }
        json_decref(j);
    }
    globfree(&g);
    free(pattern);
}

static void check_delta_incidents(const char *dir, long *incidents)
{
    char *pattern = path_in(dir, "delta/exports/pagerduty/incidents-" END_DATE "-page*.json");
    glob_t g;
    if (glob(pattern, 0, NULL, &g) == 0) {
        for (size_t f = 0; f < g.gl_pathc; f++) {
            json_t *j = load_json(dir, g.gl_pathv[f] + strlen(dir) + 1), *inc;
            size_t i;
            json_array_foreach(cw_json_path(j, "incidents"), i, inc) {
                assert_true(in_day(iso(cw_json_str(inc, "created_at"))) ||
                            in_day(iso(cw_json_str(inc, "updated_at"))));
                (*incidents)++;
            }
            json_decref(j);
        }
        globfree(&g);
    }
    free(pattern);
}

/* The delta's ServiceNow rows: updates of the day (or the New row of an
 * incident opened in it). */
typedef struct sn_day {
    int updated_col, opened_col;
    long rows;
    cw_tz london;
} sn_day;

static int sn_day_header(void *ctx, const cw_csv_row *row)
{
    sn_day *c = ctx;
    c->updated_col = cw_csv_col(row, "sys_updated_at");
    c->opened_col = cw_csv_col(row, "opened_at");
    assert_true(c->updated_col >= 0 && c->opened_col >= 0);
    return 0;
}

static int sn_day_row(void *ctx, const cw_csv_row *row)
{
    sn_day *c = ctx;
    int64_t updated, opened;
    assert_int_equal(cw_time_parse_pattern(cw_csv_get(row, c->updated_col), "yyyy-MM-dd HH:mm:ss", &c->london,
                                           &updated), 0);
    assert_int_equal(cw_time_parse_pattern(cw_csv_get(row, c->opened_col), "yyyy-MM-dd HH:mm:ss", &c->london,
                                           &opened), 0);
    assert_true(in_day(updated) || in_day(opened));
    c->rows++;
    return 0;
}

/*
 * --delta-day: DIR/delta/exports holds, in new files named after the day,
 * only what changed in [--end, --end + 1 day): tickets created or moved,
 * the day's commits (parents in the older log), runs started or finished,
 * incidents opened or changed; the export itself still ends at --end; and
 * both together load without a reject, through the config's globs.
 */
static void test_delta_day(void **state)
{
    char *dir = fresh_dir(), *ini = path_in(dir, "catwalk.ini"), *text, *sn;
    long issues = 0, commits = 0, runs = 0, incidents = 0;
    sn_day c;
    char err[200];

    (void)state;
    assert_int_equal(demo_with(dir, "0.5", (const char *const[]){"--delta-day", NULL}), CW_EXIT_OK);
    text = cw_read_file(ini, NULL);
    cw_expect_all(text, ((const char *const[]){
        "path = exports/git/claims-intake.*log\n", "path = exports/servicenow/incident*.csv\n", NULL}));
    free(text);
    check_delta_jira(dir, &issues);
    check_delta_git(dir, &commits);
    check_delta_jenkins(dir, &runs);
    check_delta_incidents(dir, &incidents);
    assert_true(issues > 0 && commits > 0 && runs > 0);
    /* only the day's files, none of the export's names */
    assert_int_equal(count_files(dir, "delta/exports/git/*.log"), count_files(dir, "delta/exports/git/*." END_DATE ".log"));
    assert_int_equal(count_files(dir, "delta/exports/jira/*-page*.json"),
                     count_files(dir, "delta/exports/jira/*-" END_DATE "-page*.json"));
    assert_int_equal(count_files(dir, "delta/exports/servicenow/incident.csv"), 0);
    sn = path_in(dir, "delta/exports/servicenow/incident." END_DATE ".csv");
    memset(&c, 0, sizeof c);
    assert_int_equal(cw_tz_parse("Europe/London", &c.london), 0);
    if (access(sn, F_OK) == 0)
        assert_int_equal(cw_csv_read(sn, sn_day_header, sn_day_row, &c, NULL, err, sizeof err), 0);
    free(sn);
    /* the export itself: nothing committed at or after --end */
    {
        git_log log;
        load_git(dir, "claims-intake", &log);     /* asserts every commit < --end */
        free_git(&log);
    }
    /* export + delta: the connectors read both without a reject */
    {
        char *copy = cw_asprintf("cp -r '%s/delta/exports/.' '%s/exports/'", dir, dir);
        cw_config *cfg = NULL;
        parse_totals pt;
        assert_int_equal(system(copy), 0);
        free(copy);
        assert_int_equal(cw_config_load(ini, cw_source_check, &cfg), 0);
        memset(&pt, 0, sizeof pt);
        cw_capture_init(&pt.cap);
        for (size_t i = 0; i < cfg->n_sources; i++)
            parse_source(&cfg->sources[i], &pt);
        assert_int_equal(pt.cap.n_rejects, 0);
        cw_capture_free(&pt.cap);
        cw_config_free(cfg);
    }
    free(ini);
    remove_tree(dir);
}

/* ---- the value stream data (issue 9) ------------------------------------------------ */

/* Every issue of a project's search pages, in one array (caller decrefs). */
static json_t *project_issues(const char *dir, const char *project)
{
    json_t *all = json_array();
    for (int page = 1;; page++) {
        char rel[200], *p;
        json_t *j;
        snprintf(rel, sizeof rel, "exports/jira/%s-page%d.json", project, page);
        p = path_in(dir, rel);
        if (access(p, F_OK) != 0) {
            free(p);
            return all;
        }
        free(p);
        j = load_json(dir, rel);
        json_array_extend(all, cw_json_path(j, "issues"));
        json_decref(j);
    }
}

static int visited(json_t *issue, const char *status)
{
    size_t i, k;
    json_t *h, *item;
    json_array_foreach(cw_json_path(issue, "changelog.histories"), i, h)
        json_array_foreach(cw_json_path(h, "items"), k, item)
            if (strcmp(cw_json_str(item, "field"), "status") == 0 &&
                strcmp(cw_json_str(item, "toString"), status) == 0)
                return 1;
    return 0;
}

static const cw_demo_app *app_named(const char *name)
{
    for (size_t i = 0; i < cw_demo_n_apps; i++)
        if (strcmp(cw_demo_apps[i].name, name) == 0)
            return &cw_demo_apps[i];
    fail_msg("no application %s", name);
    return NULL;
}

/* Security Review and CAB Approval appear exactly in the workflows of the
 * applications that require them, and a few items of those skip them. */
static void test_gates(void **state)
{
    long skipped = 0;
    for (size_t a = 0; a < cw_demo_n_apps; a++) {
        unsigned gates = cw_demo_app_gates(&cw_demo_apps[a]);
        json_t *issues = project_issues(*state, cw_demo_apps[a].project), *issue;
        long security = 0, cab = 0;
        size_t i;
        json_array_foreach(issues, i, issue) {
            int reviewed = visited(issue, "In Review"), done = visited(issue, "Done");
            security += visited(issue, "Security Review");
            cab += visited(issue, "CAB Approval");
            if ((gates & CW_DEMO_GATE_SECURITY) && reviewed && done && !visited(issue, "Security Review"))
                skipped++;
        }
        if (!(gates & CW_DEMO_GATE_SECURITY))
            assert_int_equal(security, 0);
        if (!(gates & CW_DEMO_GATE_CAB))
            assert_int_equal(cab, 0);
        json_decref(issues);
    }
    assert_int_equal(cw_demo_app_gates(app_named("payments-gateway")), CW_DEMO_GATE_SECURITY | CW_DEMO_GATE_CAB);
    assert_int_equal(cw_demo_app_gates(app_named("claims-intake")), 0);
    {
        json_t *pay = project_issues(*state, "PAYGW"), *issue;
        long security = 0, cab = 0;
        size_t i;
        json_array_foreach(pay, i, issue) {
            security += visited(issue, "Security Review");
            cab += visited(issue, "CAB Approval");
        }
        assert_true(security > 0 && cab > 0);
        json_decref(pay);
    }
    assert_true(skipped > 0);
}

/* Parents: every child's parent is an issue of the export, of the type the
 * parent field names; epics in every project, their themes Initiatives of
 * HPORT; POLADM's children name their epic in customfield_10014 only;
 * fnol-portal items in claims-intake epics. */
static void test_epics_and_themes(void **state)
{
    json_t *types = json_object(), *children = json_array(), *issue;
    long cross = 0, epic_link = 0, subtasks = 0, themed = 0;
    size_t i;

    for (size_t a = 0; a <= cw_demo_n_apps; a++) {
        const char *project = a < cw_demo_n_apps ? cw_demo_apps[a].project : "HPORT";
        json_t *issues = project_issues(*state, project);
        long epics = 0;
        json_array_foreach(issues, i, issue) {
            const char *type = cw_json_str(issue, "fields.issuetype.name");
            json_object_set_new(types, cw_json_str(issue, "key"), json_string(type));
            epics += strcmp(type, "Epic") == 0;
            if (json_object_get(json_object_get(issue, "fields"), "parent") ||
                cw_json_str(issue, "fields.customfield_10014"))
                json_array_append(children, issue);
        }
        if (a < cw_demo_n_apps)
            assert_true(epics >= 3);
        else
            assert_int_equal(json_array_size(issues), CW_DEMO_N_INITIATIVES);
        json_decref(issues);
    }
    json_array_foreach(children, i, issue) {
        const char *key = cw_json_str(issue, "key"), *type = cw_json_str(issue, "fields.issuetype.name");
        const char *link = cw_json_str(issue, "fields.customfield_10014");
        const char *parent = link ? link : cw_json_str(issue, "fields.parent.key");
        const char *parent_type = json_string_value(json_object_get(types, parent));
        if (!parent_type)
            fail_msg("%s: parent %s is not in the export", key, parent);
        if (link) {
            assert_true(strncmp(key, "POLADM-", 7) == 0);
            assert_null(cw_json_path(issue, "fields.parent"));
            assert_string_equal(parent_type, "Epic");
            epic_link++;
            continue;
        }
        assert_string_equal(cw_json_str(issue, "fields.parent.fields.issuetype.name"), parent_type);
        if (strcmp(type, "Epic") == 0) {
            assert_string_equal(parent_type, "Initiative");
            themed++;
        } else if (strcmp(type, "Sub-task") == 0) {
            assert_true(cw_json_bool(issue, "fields.issuetype.subtask", 0));
            assert_string_equal(parent_type, "Story");
            subtasks++;
        } else {
            assert_string_equal(parent_type, "Epic");
            assert_true(strncmp(key, "POLADM-", 7) != 0);
            cross += strncmp(key, "FNOL-", 5) == 0 && strncmp(parent, "CLAIMS-", 7) == 0;
        }
    }
    assert_true(cross > 0);
    assert_true(epic_link > 0);
    assert_true(subtasks > 0);
    assert_true(themed > 0);
    json_decref(children);
    json_decref(types);
}

/* Fix versions: the Fix Version histories replayed oldest first give the
 * versions the issue carries; every version has a release date; versions
 * are moved, added and descoped somewhere; continuous applications have none. */
static void test_fix_versions(void **state)
{
    long moves = 0, descoped = 0, with_start = 0;
    for (size_t a = 0; a < cw_demo_n_apps; a++) {
        json_t *issues = project_issues(*state, cw_demo_apps[a].project), *issue;
        size_t i;
        json_array_foreach(issues, i, issue) {
            json_t *histories = cw_json_path(issue, "changelog.histories"), *versions, *v;
            const char *now = NULL;
            size_t n = json_array_size(histories), k;
            for (size_t h = n; h-- > 0;) {      /* oldest first */
                json_t *items = cw_json_path(json_array_get(histories, h), "items"), *item;
                int removed = 0, added = 0;
                json_array_foreach(items, k, item) {
                    if (strcmp(cw_json_str(item, "field"), "Fix Version") != 0)
                        continue;
                    if (cw_json_str(item, "from")) {
                        assert_non_null(now);
                        assert_string_equal(cw_json_str(item, "from"), now);
                        now = NULL;
                        removed = 1;
                    }
                    if (cw_json_str(item, "to")) {
                        assert_null(now);
                        now = cw_json_str(item, "to");
                        added = 1;
                    }
                }
                moves += removed && added;
                descoped += removed && !added;
            }
            versions = cw_json_path(issue, "fields.fixVersions");
            assert_int_equal(json_array_size(versions), now != NULL);
            json_array_foreach(versions, k, v) {
                const char *date = cw_json_str(v, "releaseDate");
                assert_string_equal(cw_json_str(v, "id"), now);
                assert_true(date && strlen(date) == 10 && date[4] == '-');
                assert_true(json_is_boolean(json_object_get(v, "released")));
                with_start += cw_json_str(v, "startDate") != NULL;
            }
            if (!cw_demo_has_versions(&cw_demo_apps[a]))
                assert_null(now);
        }
        json_decref(issues);
    }
    assert_true(moves > 0);
    assert_true(descoped > 0);
    assert_true(with_start > 0);
}

/* The subject of commit sha in a git log file's text, copied to buf. */
static int log_subject(const char *log, const char *sha, char *buf, size_t n)
{
    char needle[44];
    const char *p, *f;
    snprintf(needle, sizeof needle, "\x1e%s\x1f", sha);
    p = strstr(log, needle);
    if (!p)
        return 0;
    f = p + 1;
    for (int field = 0; field < 8; field++)
        f = strchr(f, '\x1f') + 1;
    snprintf(buf, n, "%.*s", (int)(strchr(f, '\x1f') - f), f);
    return 1;
}

typedef struct pr_counts {
    long merged, unmerged, self_reviewed, key_in_branch_only, done_not_deployed, commits;
} pr_counts;

static void check_pull(const char *dir, const char *app, const char *log, json_t *pr, json_t *done, pr_counts *c)
{
    long number = (long)json_integer_value(json_object_get(pr, "number"));
    const char *ref = cw_json_str(pr, "head.ref"), *merge = cw_json_str(pr, "merge_commit_sha");
    const char *author = cw_json_str(pr, "user.login");
    char rel[200], subject[400], expected[400];
    json_t *commits, *reviews, *x;
    size_t i;
    int only_author = 1;

    assert_true(merge && is_sha(merge, strlen(merge)));
    if (cw_json_str(pr, "merged_at")) {
        c->merged++;
        assert_string_equal(cw_json_str(pr, "state"), "closed");
        if (!log_subject(log, merge, subject, sizeof subject))
            fail_msg("%s #%ld: merge_commit_sha %s is not in the log", app, number, merge);
        if (strncmp(ref, "dependabot/", 11) == 0) {
            snprintf(expected, sizeof expected, "(#%ld)", number);
            assert_non_null(strstr(subject, expected));
        } else {
            snprintf(expected, sizeof expected, "Merge pull request #%ld from harbourside/%s", number, ref);
            assert_string_equal(subject, expected);
        }
    } else {
        assert_false(log_subject(log, merge, subject, sizeof subject));   /* GitHub's test merge */
        if (strcmp(cw_json_str(pr, "state"), "closed") == 0) {
            char key[48];
            c->unmerged++;
            snprintf(key, sizeof key, "%s", ref + strlen("feature/"));
            *strchr(strchr(key, '-') + 1, '-') = '\0';
            c->done_not_deployed += json_object_get(done, key) != NULL;
        }
    }
    if (strncmp(ref, "feature/", 8) == 0 && !strstr(cw_json_str(pr, "title"), ref + 8)) {
        char key[48];
        snprintf(key, sizeof key, "%s", ref + 8);
        *strchr(strchr(key, '-') + 1, '-') = '\0';
        c->key_in_branch_only += strstr(cw_json_str(pr, "title"), key) == NULL;
    }
    snprintf(rel, sizeof rel, "exports/github/pull-%ld-commits.%s.json", number, app);
    commits = load_json(dir, rel);
    assert_true(json_array_size(commits) > 0);
    json_array_foreach(commits, i, x) {
        assert_true(log_subject(log, cw_json_str(x, "sha"), subject, sizeof subject));
        assert_non_null(cw_json_str(x, "commit.message"));
        c->commits++;
    }
    json_decref(commits);
    /* no page: nobody reviewed it (demogen/github.c writes no empty page) */
    snprintf(rel, sizeof rel, "exports/github/pulls-%ld-reviews.%s.json", number, app);
    char *reviews_path = path_in(dir, rel);
    reviews = access(reviews_path, F_OK) == 0 ? load_json(dir, rel) : json_array();
    free(reviews_path);
    json_array_foreach(reviews, i, x) {
        const char *st = cw_json_str(x, "state");
        assert_true(strcmp(st, "APPROVED") == 0 || strcmp(st, "CHANGES_REQUESTED") == 0 ||
                    strcmp(st, "COMMENTED") == 0);
        assert_true(iso(cw_json_str(x, "submitted_at")) >= iso(cw_json_str(pr, "created_at")));
        only_author &= strcmp(cw_json_str(x, "user.login"), author) == 0;
    }
    c->self_reviewed += json_array_size(reviews) > 0 && only_author;
    json_decref(reviews);
}

/* Pull requests agree with the git log: merge commits, squashed bumps, the
 * PR commits in the log; test-merge shas of unmerged ones are not; some PRs
 * are reviewed only by their author, some name their key only in the branch,
 * and an abandoned PR's item is Done (done, never deployed). */
static void test_pull_requests(void **state)
{
    pr_counts c = {0};
    for (size_t a = 0; a < cw_demo_n_apps; a++) {
        const char *app = cw_demo_apps[a].name;
        char *log_path = cw_asprintf("%s/exports/git/%s.log", (const char *)*state, app);
        char *log = cw_read_file(log_path, NULL);
        json_t *issues = project_issues(*state, cw_demo_apps[a].project), *done = json_object(), *issue;
        size_t i;
        assert_non_null(log);
        json_array_foreach(issues, i, issue)
            if (strcmp(cw_json_str(issue, "fields.status.name"), "Done") == 0)
                json_object_set_new(done, cw_json_str(issue, "key"), json_true());
        for (int page = 1;; page++) {
            char rel[200], *p;
            json_t *list, *pr;
            snprintf(rel, sizeof rel, "exports/github/pulls-page%d.%s.json", page, app);
            p = path_in(*state, rel);
            if (access(p, F_OK) != 0) {
                free(p);
                assert_true(page > 1);
                break;
            }
            free(p);
            list = load_json(*state, rel);
            assert_true(json_is_array(list) && json_array_size(list) <= 100);
            json_array_foreach(list, i, pr)
                check_pull(*state, app, log, pr, done, &c);
            json_decref(list);
        }
        json_decref(done);
        json_decref(issues);
        free(log);
        free(log_path);
    }
    assert_true(c.merged > 100);
    assert_true(c.unmerged > 0);
    assert_true(c.done_not_deployed > 0);
    assert_true(c.self_reviewed > 0);
    assert_true(c.key_in_branch_only > 0);
    assert_true(c.commits >= c.merged);
}

/* The mainframe's calendar: its header, five 6-monthly releases 26 weeks
 * apart; and the mobile app's three store releases (CAPP 5.1, 5.2, 5.3):
 * 5.2 six weeks before the mainframe's next release, 5.3 four weeks after,
 * with [release "CAPP 5.2"] depends_on that release in catwalk.ini. */
static void test_release_calendar(void **state)
{
    char *p = path_in(*state, "exports/calendar/mainframe-policy.csv");
    char *ini = path_in(*state, "catwalk.ini");
    char *text = cw_read_file(p, NULL), *conf = cw_read_file(ini, NULL), *line, *save = NULL;
    char next_name[16] = "", mobile[3][16], expect[128];
    int64_t previous = 0, next = 0, mobile_at[3];
    int rows = 0, n_mobile = 0;

    assert_non_null(text);
    assert_non_null(conf);
    line = strtok_r(text, "\n", &save);
    assert_string_equal(line, "Application,Project,Release,Start,Release date,Released");
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        char app[64], project[16], release[16], start[16], date[16], released[16], iso_date[32];
        int64_t t;
        assert_int_equal(sscanf(line, "%63[^,],%15[^,],%15[^,],%15[^,],%15[^,],%15s", app, project, release, start,
                                date, released), 6);
        assert_true(strcmp(released, "yes") == 0 || strcmp(released, "no") == 0);
        snprintf(iso_date, sizeof iso_date, "%sT00:00:00Z", date);
        t = cw_t(iso_date);
        if (strcmp(project, "CAPP") == 0) {
            assert_string_equal(app, "customer-app");
            assert_true(n_mobile < 3);
            snprintf(mobile[n_mobile], sizeof mobile[n_mobile], "%s", release);
            mobile_at[n_mobile++] = t;
            continue;
        }
        assert_string_equal(app, "mainframe-policy");
        assert_string_equal(project, "MFPOL");
        assert_true(strlen(release) == 6 && release[4] == '.' && (release[5] == '1' || release[5] == '2'));
        if (previous)
            assert_int_equal(t - previous, 26 * 7 * 86400);
        if (!next && strcmp(released, "no") == 0) {
            next = t;
            snprintf(next_name, sizeof next_name, "%s", release);
        }
        previous = t;
        rows++;
    }
    assert_int_equal(rows, 5);
    assert_int_equal(n_mobile, 3);
    assert_string_equal(mobile[0], "5.1");
    assert_string_equal(mobile[1], "5.2");
    assert_string_equal(mobile[2], "5.3");
    assert_int_equal(mobile_at[1], next - 42 * 86400);
    assert_int_equal(mobile_at[2], next + 28 * 86400);
    snprintf(expect, sizeof expect, "[release \"CAPP 5.2\"]\ndepends_on = MFPOL %s\n", next_name);
    assert_non_null(strstr(conf, expect));
    assert_int_equal(count_files(*state, "exports/calendar/*.csv"), 1);
    free(text);
    free(conf);
    free(ini);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_files_exist),
        cmocka_unit_test(test_config_text),
        cmocka_unit_test(test_jira_pages),
        cmocka_unit_test(test_git_logs),
        cmocka_unit_test(test_jenkins_revisions),
        cmocka_unit_test(test_pagerduty_pages),
        cmocka_unit_test(test_servicenow_csv),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_force_replaces_old_exports),
        cmocka_unit_test(test_connectors_read_without_rejects),
        cmocka_unit_test(test_apps_first_three),
        cmocka_unit_test(test_apps_synthesised),
        cmocka_unit_test(test_delta_day),
        cmocka_unit_test(test_gates),
        cmocka_unit_test(test_epics_and_themes),
        cmocka_unit_test(test_fix_versions),
        cmocka_unit_test(test_pull_requests),
        cmocka_unit_test(test_release_calendar),
    };
    return cmocka_run_group_tests(tests, setup_dataset, teardown_dataset);
}
