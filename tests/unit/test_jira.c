/*
 * test_jira.c - the Jira connectors: REST JSON in every envelope (jira.c)
 * and the "Export CSV (all fields)" file (jira_csv.c).
 *
 * Expected values were worked out by hand from the input text: the
 * hand-written files in tests/data/jira/ and the real fixtures under
 * $CW_FIXTURES/jira and $CW_FIXTURES/correlated/alloy/jira.
 */
#include "support.h"
#include "extract/source.h"
#include "core/time.h"

#include <stdio.h>
#include <string.h>

extern const cw_source_type cw_source_jira;
extern const cw_source_type cw_source_jira_csv;

static int parse_jira(const char *path, cw_kv *keys, size_t n_keys, cw_capture *cap)
{
    cw_source src = cw_test_source_of("tracker", "jira", keys, n_keys);
    cw_capture_init(cap);
    return cw_source_jira.parse(&src, path, &cap->sink);
}

static int parse_csv(const char *path, cw_kv *keys, size_t n_keys, cw_capture *cap)
{
    cw_source src = cw_test_source_of("tracker", "jira-csv", keys, n_keys);
    cw_capture_init(cap);
    return cw_source_jira_csv.parse(&src, path, &cap->sink);
}

static const cw_transition *transition_by_history(const cw_capture *cap, const char *id)
{
    for (size_t i = 0; i < cap->n_transitions; i++)
        if (cap->transitions[i].history_id && strcmp(cap->transitions[i].history_id, id) == 0)
            return &cap->transitions[i];
    return NULL;
}

/* The capture's items/transitions must carry the source name and file. */
static void assert_origin(const cw_origin *o, const char *file, long record)
{
    assert_string_equal(o->source, "tracker");
    assert_string_equal(o->file, file);
    assert_int_equal(o->record, record);
}

/* ------------------------------------------------------------ hand-written JSON */

static void test_classic_page(void **state)
{
    cw_capture cap;
    const char *path = cw_test_data("jira/search_classic.json");
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_jira(path, NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 2);

    w = cw_capture_item(&cap, "PAY-1");
    assert_non_null(w);
    assert_origin(&w->origin, path, 1);
    assert_string_equal(w->external_id, "10001");
    assert_string_equal(w->project, "PAY");
    assert_string_equal(w->summary, "Card payments");
    assert_string_equal(w->type, "Story");
    assert_string_equal(w->status, "Done");
    assert_string_equal(w->status_category, "done");
    assert_string_equal(w->labels, "backend,pci");
    assert_string_equal(w->fix_versions, "1.0,1.1");
    assert_string_equal(w->assignee, "Ana Lima");
    assert_true(w->created_at == cw_t("2026-03-02T01:00:00Z"));
    assert_true(w->updated_at == cw_t("2026-03-05T10:30:00Z"));
    assert_true(w->resolved_at == cw_t("2026-03-05T10:00:00Z"));
    assert_int_equal(w->has_changelog, 1);
    assert_int_equal(w->changelog_truncated, 1);      /* total 6, 4 histories */

    w = cw_capture_item(&cap, "PAY-2");
    assert_non_null(w);
    assert_string_equal(w->status_category, "in_progress");  /* indeterminate */
    assert_null(w->labels);
    assert_null(w->fix_versions);
    assert_null(w->assignee);
    assert_true(w->created_at == cw_t("2026-03-04T08:15:30Z"));  /* fraction dropped */
    assert_true(w->updated_at == CW_NO_TIME);         /* "yesterday" */
    assert_true(w->resolved_at == CW_NO_TIME);        /* null */
    assert_int_equal(w->changelog_truncated, 0);

    /* PAY-3's created is "03/04/2026": rejected with its transitions. */
    assert_null(cw_capture_item(&cap, "PAY-3"));
    assert_int_equal(cap.n_rejects, 2);
    cw_expect_reject(&cap, 0, 2, "fields.updated", "yesterday");
    cw_expect_reject(&cap, 1, 3, "fields.created", "03/04/2026");
    assert_non_null(cap.rejects[1].raw);

    /* PAY-1: histories newest-first 130,125,120,99; 125 is not a status
     * change; 99 and 120 share an instant, so the numeric id decides. */
    assert_int_equal(cap.n_transitions, 4);
    assert_string_equal(cap.transitions[0].history_id, "99");
    assert_string_equal(cap.transitions[0].item_key, "PAY-1");
    assert_string_equal(cap.transitions[0].item_id, "10001");
    assert_string_equal(cap.transitions[0].from_status, "Open");
    assert_string_equal(cap.transitions[0].to_status, "To Do");
    assert_true(cap.transitions[0].at == cw_t("2026-03-03T02:00:00Z"));
    assert_string_equal(cap.transitions[1].history_id, "120");   /* fieldId only */
    assert_string_equal(cap.transitions[1].from_status, "To Do");
    assert_string_equal(cap.transitions[1].to_status, "In Progress");
    assert_true(cap.transitions[1].at == cw_t("2026-03-03T02:00:00Z"));
    assert_string_equal(cap.transitions[2].history_id, "130");
    assert_string_equal(cap.transitions[2].to_status, "Done");
    assert_true(cap.transitions[2].at == cw_t("2026-03-05T10:00:00Z"));
    assert_origin(&cap.transitions[2].origin, path, 1);
    assert_string_equal(cap.transitions[3].history_id, "200");
    assert_string_equal(cap.transitions[3].item_key, "PAY-2");
    assert_string_equal(cap.transitions[3].to_status, "In Review");
    assert_null(transition_by_history(&cap, "300"));
    cw_capture_free(&cap);
}

static void test_jql_page(void **state)
{
    cw_capture cap;
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_jira(cw_test_data("jira/search_jql.json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 2);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_transitions, 0);
    w = cw_capture_item(&cap, "OPS-11");
    assert_non_null(w);
    assert_string_equal(w->project, "OPS");                  /* from the key */
    assert_string_equal(w->status_category, "todo");
    assert_string_equal(w->labels, "security");
    assert_true(w->created_at == cw_t("2026-01-10T17:00:00Z"));
    assert_int_equal(w->has_changelog, 0);
    assert_int_equal(w->changelog_truncated, 0);
    w = cw_capture_item(&cap, "OPS-12");
    assert_non_null(w);
    assert_string_equal(w->external_id, "20002");            /* numeric id */
    assert_null(w->status_category);                         /* no statusCategory */
    assert_null(w->type);
    assert_int_equal(w->origin.record, 2);
    cw_capture_free(&cap);
}

static void test_plain_array_and_filter(void **state)
{
    cw_capture cap;
    cw_kv keys[] = { { (char *)"key_prefix_filter", (char *)"API, OPS", 3 } };
    const char *path = cw_test_data("jira/issues_array.json");
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_jira(path, NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 2);
    assert_int_equal(cap.n_rejects, 1);                      /* month 13 */
    assert_string_equal(cap.rejects[0].field, "fields.resolutiondate");
    w = cw_capture_item(&cap, "API-9");
    assert_non_null(w);
    assert_true(w->resolved_at == CW_NO_TIME);
    assert_true(w->created_at == cw_t("2025-12-02T09:00:00Z"));
    cw_capture_free(&cap);

    assert_int_equal(parse_jira(path, keys, 1, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_string_equal(cap.items[0].key, "API-9");
    assert_int_equal(cap.items[0].origin.record, 2);
    cw_capture_free(&cap);
}

static void test_changelog_page_key_from_file_name(void **state)
{
    cw_capture cap;
    const char *path = cw_test_data("jira/PAY-7.changelog.json");
    (void)state;
    assert_int_equal(parse_jira(path, NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_transitions, 2);
    assert_string_equal(cap.transitions[0].item_key, "PAY-7");
    assert_null(cap.transitions[0].item_id);
    assert_string_equal(cap.transitions[0].history_id, "500");
    assert_string_equal(cap.transitions[0].from_status, "To Do");
    assert_true(cap.transitions[0].at == cw_t("2026-02-01T09:00:00Z"));
    assert_origin(&cap.transitions[0].origin, path, 2);      /* second value */
    assert_string_equal(cap.transitions[1].history_id, "501");
    assert_string_equal(cap.transitions[1].to_status, "Done");
    cw_capture_free(&cap);
}

/* Landing prefixes every file with its index (0001-PAY-7.changelog.json,
 * 0002-00001-changelog-PAY-7.json for a live page dropped as a file): the
 * key must still come from the name, not "0001-PAY-7". */
static void test_changelog_key_from_landed_name(void **state)
{
    static const char *const names[] = { "0001-PAY-7.changelog.json",
                                         "0002-00001-changelog-PAY-7.json" };
    char *dir = cw_temp_dir();
    FILE *in = fopen(cw_test_data("jira/PAY-7.changelog.json"), "r");
    char text[8192], path[4096];
    size_t n;
    cw_capture cap;
    (void)state;
    assert_non_null(in);
    n = fread(text, 1, sizeof(text) - 1, in);
    fclose(in);
    text[n] = '\0';
    for (size_t i = 0; i < 2; i++) {
        cw_write_file(dir, names[i], text);
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        assert_int_equal(parse_jira(path, NULL, 0, &cap), 0);
        assert_int_equal(cap.n_rejects, 0);
        assert_int_equal(cap.n_transitions, 2);
        assert_string_equal(cap.transitions[0].item_key, "PAY-7");
        cw_capture_free(&cap);
    }
    cw_remove_tree(dir);
    free(dir);
}

static void test_changelog_page_key_from_self(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_test_data("jira/changelog_self.json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_transitions, 1);
    assert_string_equal(cap.transitions[0].item_key, "OPS-3");
    assert_string_equal(cap.transitions[0].from_status, "Open");
    assert_string_equal(cap.transitions[0].to_status, "Closed");
    assert_true(cap.transitions[0].at == cw_t("2026-01-15T08:00:00Z"));
    cw_capture_free(&cap);
}

static void test_changelog_page_without_key(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_test_data("jira/changelog_nokey.json"), NULL, 0, &cap), -1);
    assert_int_equal(cap.n_transitions, 0);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 0, NULL, "without an issue key");
    cw_capture_free(&cap);
}

static void test_bad_json(void **state)
{
    cw_capture cap;
    (void)state;
    /* Line 2 is `  {"key": "PAY-1",}`: the '}' in column 19 cannot follow ','. */
    assert_int_equal(parse_jira(cw_test_data("jira/bad.json"), NULL, 0, &cap), -1);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_non_null(strstr(cap.rejects[0].reason, "line 2, column 19"));
    cw_capture_free(&cap);

    assert_int_equal(parse_jira(cw_test_data("jira/unknown_shape.json"), NULL, 0, &cap), -1);
    assert_int_equal(cap.n_rejects, 1);
    assert_int_equal(cap.n_items, 0);
    cw_capture_free(&cap);
}

static void test_odd_types(void **state)
{
    cw_capture cap;
    const cw_work_item *w;
    (void)state;
    /* Wrong JSON types anywhere: rejects or absent values, never a crash. */
    assert_int_equal(parse_jira(cw_test_data("jira/odd_types.json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 2);
    assert_int_equal(cap.n_transitions, 1);
    /* A-1, A-2, three for A-3 (labels, fixVersions, histories), four for
     * A-4 (histories 1 and null, items "x", a status item without
     * toString), then "str" and null. */
    assert_int_equal(cap.n_rejects, 11);
    assert_string_equal(cap.rejects[0].field, "fields");                 /* A-1 */
    assert_string_equal(cap.rejects[1].field, "fields.created");         /* A-2: a number */
    assert_string_equal(cap.rejects[1].reason, "timestamp is not a string");
    /* A-3 loads, but each list it cannot read is named: labels "x", fix
     * version 0 (the number 1), histories an object. */
    assert_string_equal(cap.rejects[2].field, "fields.labels");
    assert_string_equal(cap.rejects[2].reason, "not an array");
    assert_string_equal(cap.rejects[2].raw, "\"x\"");
    assert_string_equal(cap.rejects[3].field, "fields.fixVersions");
    assert_string_equal(cap.rejects[3].reason, "element 0 has no string `name`");
    assert_string_equal(cap.rejects[4].field, "changelog.histories");
    assert_string_equal(cap.rejects[4].reason, "not an array");
    for (int i = 2; i <= 4; i++) {
        assert_int_equal(cap.rejects[i].origin.record, 3);
        assert_string_equal(cap.rejects[i].origin.file, cw_test_data("jira/odd_types.json"));
    }
    assert_string_equal(cap.rejects[5].field, "changelog.histories");   /* A-4: 1 */
    assert_string_equal(cap.rejects[5].reason, "history is not an object");
    assert_string_equal(cap.rejects[5].raw, "1");
    assert_string_equal(cap.rejects[6].field, "changelog.histories");   /* null */
    assert_string_equal(cap.rejects[7].field, "changelog.histories.items");
    assert_string_equal(cap.rejects[7].reason, "history items are not an array");
    assert_string_equal(cap.rejects[8].field, "changelog.histories.items.toString");
    for (int i = 5; i <= 8; i++)
        assert_int_equal(cap.rejects[i].origin.record, 4);
    assert_int_equal(cap.rejects[9].origin.record, 5);                   /* "str" */
    assert_int_equal(cap.rejects[10].origin.record, 6);                  /* null */
    w = cw_capture_item(&cap, "A-3");
    assert_non_null(w);
    assert_null(w->external_id);
    assert_string_equal(w->project, "A");
    assert_null(w->labels);
    assert_string_equal(w->fix_versions, "ok");
    assert_int_equal(w->has_changelog, 1);
    assert_int_equal(w->changelog_truncated, 0);
    assert_string_equal(cap.transitions[0].item_key, "A-4");
    assert_string_equal(cap.transitions[0].to_status, "Y");
    assert_null(cap.transitions[0].from_status);
    cw_capture_free(&cap);
}

static void test_devlake_changelog_owner_from_input(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_test_data("jira/devlake_changelog_input.csv"), NULL, 0, &cap),
                     0);
    assert_int_equal(cap.n_transitions, 1);
    assert_null(cap.transitions[0].item_key);
    assert_string_equal(cap.transitions[0].item_id, "777");
    assert_string_equal(cap.transitions[0].history_id, "9001");
    assert_true(cap.transitions[0].at == cw_t("2026-04-01T10:00:00Z"));
    assert_int_equal(cap.transitions[0].origin.record, 2);
    /* Row 3 names no issue; row 4's data is not JSON. */
    assert_int_equal(cap.n_rejects, 2);
    assert_int_equal(cap.rejects[0].origin.record, 3);
    cw_expect_reject(&cap, 1, 4, "data", NULL);
    cw_capture_free(&cap);
}

/* Wrapper rows read through cw_devlake_each_row: a bad cell is one reject and
 * the next row still loads; the request URL names a changelog's issue. */
static void test_devlake_wrapper_rows(void **state)
{
    static const char text[] =
        "id,params,data,url,input,created_at\n"
        "1,,,,,\n"                                                  /* record 2: empty data */
        "2,,\"{\"\"id\"\": 5\",,,\n"                              /* record 3: cut JSON */
        "3,,\"{\"\"id\"\":\"\"77\"\",\"\"created\"\":\"\"2026-04-01T10:00:00Z\"\","
        "\"\"items\"\":[{\"\"field\"\":\"\"status\"\",\"\"toString\"\":\"\"Done\"\"}]}\","
        "https://x.atlassian.net/rest/api/3/issue/PAY-12/changelog?startAt=0,"
        "\"{\"\"IssueId\"\":1}\",\n"                               /* record 4: url wins */
        "4,,\"[1, 2]\",,,\n";                                      /* record 5: not Jira */
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_temp_file(text, ".csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_rejects, 3);
    cw_expect_reject(&cap, 0, 2, "data", NULL);
    cw_expect_reject(&cap, 1, 3, "data", "invalid JSON");
    assert_int_equal(cap.rejects[2].origin.record, 5);
    assert_int_equal(cap.n_transitions, 1);
    assert_string_equal(cap.transitions[0].item_key, "PAY-12");
    assert_null(cap.transitions[0].item_id);
    assert_string_equal(cap.transitions[0].history_id, "77");
    assert_string_equal(cap.transitions[0].to_status, "Done");
    assert_int_equal(cap.transitions[0].origin.record, 4);
    cw_capture_free(&cap);
}

/* A sink failure stops a wrapper at its first issue, and is not reported as
 * an unreadable file. */
static void test_devlake_sink_failure(void **state)
{
    cw_source src = cw_test_source_of("tracker", "jira", NULL, 0);
    (void)state;
    cw_expect_sink_failure_stops(&cw_source_jira, &src,
                                 cw_fixture("jira/devlake_raw_jira_api_issues.excerpt.csv"));
}

/* ------------------------------------------------------------ real JSON fixtures */

static void test_gojira_sprint_page(void **state)
{
    cw_capture cap;
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("jira/go-jira_issues_in_sprint_with_changelog.json"),
                                NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_transitions, 0);   /* only summary and priority changed */
    w = cw_capture_item(&cap, "AR-86");
    assert_non_null(w);
    assert_string_equal(w->external_id, "12338");
    assert_string_equal(w->project, "AR");
    assert_null(w->summary);                  /* the mock has no summary */
    assert_string_equal(w->type, "Task");
    assert_string_equal(w->status, "Ready");
    assert_string_equal(w->status_category, "todo");
    assert_string_equal(w->assignee, "mister Morris");
    assert_true(w->created_at == cw_t("2015-12-02T15:39:15Z"));
    assert_true(w->updated_at == cw_t("2016-02-01T16:17:04Z"));
    assert_true(w->resolved_at == cw_t("2015-12-07T22:19:13Z"));
    assert_int_equal(w->has_changelog, 1);
    assert_int_equal(w->changelog_truncated, 0);   /* no total given */
    cw_capture_free(&cap);
}

/* EE-1 as recorded by DevLake (merico.atlassian.net), checked field by field. */
static void assert_ee1(const cw_capture *cap, long record)
{
    const cw_work_item *w = cw_capture_item(cap, "EE-1");
    assert_non_null(w);
    assert_int_equal(w->origin.record, record);
    assert_string_equal(w->external_id, "10063");
    assert_string_equal(w->project, "EE");
    assert_string_equal(w->type, "故事");
    assert_string_equal(w->status, "已完成");
    assert_string_equal(w->status_category, "todo");   /* 已完成 but category new */
    assert_string_equal(w->labels, "frontEnd,Saas");
    assert_string_equal(w->fix_versions, "v2.7.0");
    assert_string_equal(w->assignee, "Dingding Zhang");
    assert_true(w->created_at == cw_t("2020-06-12T00:13:13Z"));
    assert_true(w->resolved_at == cw_t("2020-06-19T06:31:18Z"));
    assert_int_equal(w->has_changelog, 1);
    assert_int_equal(w->changelog_truncated, 0);       /* total 25, 25 returned */
}

/* EE-1's five status changes, oldest first (the recording is newest-first). */
static void assert_ee1_transitions(const cw_capture *cap)
{
    static const char *const ids[] = { "10900", "10911", "11066", "12025", "86412" };
    static const char *const to[] = { "Ready for Dev", "In Development", "Open", "Closed",
                                      "已完成" };
    size_t k = 0;
    for (size_t i = 0; i < cap->n_transitions; i++) {
        const cw_transition *t = &cap->transitions[i];
        if (!t->item_key || strcmp(t->item_key, "EE-1") != 0)
            continue;
        assert_true(k < 5);
        assert_string_equal(t->history_id, ids[k]);
        assert_string_equal(t->to_status, to[k]);
        assert_string_equal(t->item_id, "10063");
        k++;
    }
    assert_int_equal(k, 5);
    assert_string_equal(transition_by_history(cap, "10900")->from_status, "Inbox");
    assert_true(transition_by_history(cap, "10900")->at == cw_t("2020-06-12T01:45:24Z"));
    assert_true(transition_by_history(cap, "86412")->at == cw_t("2021-03-28T08:06:08Z"));
}

static void test_devlake_issues_csv(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("jira/devlake_raw_jira_api_issues.excerpt.csv"),
                                NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 3);
    assert_int_equal(cap.n_rejects, 0);
    assert_ee1(&cap, 2);                                   /* header is record 1 */
    assert_ee1_transitions(&cap);
    assert_int_equal(cap.n_transitions, 5 + 6 + 6);
    assert_string_equal(cw_capture_item(&cap, "EE-2")->status_category, "done");
    assert_int_equal(cw_capture_item(&cap, "EE-3")->origin.record, 4);
    cw_capture_free(&cap);
}

static void test_devlake_issues_items_json(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("jira/devlake_raw_jira_api_issues.excerpt.items.json"),
                                NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 3);
    assert_int_equal(cap.n_rejects, 0);
    assert_ee1(&cap, 1);
    assert_ee1_transitions(&cap);
    assert_int_equal(cap.n_transitions, 17);
    cw_capture_free(&cap);
}

/* The real DevLake recordings: every issue carries fix version 10026
 * "v2.7.0" (released 2020-07-10), loaded once per file; the changelog moved
 * the issues from version 10008 (then named "v2.7.0") to 10026 (then named
 * "SaaS"): the history keeps the name of the time and the id. */
static const cw_version_change *version_change(const cw_capture *cap, const char *key,
                                               const char *history, int added)
{
    for (size_t i = 0; i < cap->n_version_changes; i++) {
        const cw_version_change *v = &cap->version_changes[i];
        if (strcmp(v->item_key, key) == 0 && strcmp(v->history_id, history) == 0 &&
            v->added == added)
            return v;
    }
    return NULL;
}

static void test_devlake_fix_versions(void **state)
{
    static const char *const files[] = { "jira/devlake_raw_jira_api_issues.excerpt.items.json",
                                         "jira/devlake_raw_jira_api_issues.excerpt.csv" };
    (void)state;
    for (size_t f = 0; f < 2; f++) {
        cw_capture cap;
        const cw_version_change *v;
        assert_int_equal(parse_jira(cw_fixture(files[f]), NULL, 0, &cap), 0);
        assert_int_equal(cap.n_rejects, 0);
        assert_int_equal(cap.n_releases, 1);
        assert_string_equal(cap.releases[0].project, "EE");
        assert_string_equal(cap.releases[0].name, "v2.7.0");
        assert_string_equal(cap.releases[0].external_id, "10026");
        assert_true(cap.releases[0].release_at == cw_t("2020-07-10T00:00:00Z"));
        assert_true(cap.releases[0].start_at == CW_NO_TIME);
        assert_int_equal(cap.releases[0].released, 1);
        assert_int_equal(cap.releases[0].archived, 0);
        /* EE-1: one history, a remove and an add; EE-2 and EE-3: that and the first add */
        assert_int_equal(cap.n_version_changes, 2 + 3 + 3);
        v = version_change(&cap, "EE-2", "10646", 1);
        assert_non_null(v);
        assert_string_equal(v->version, "v2.7.0");
        assert_string_equal(v->version_id, "10008");
        assert_string_equal(v->item_id, "10064");
        assert_true(v->at == cw_t("2020-06-12T00:17:56Z"));
        v = version_change(&cap, "EE-1", "18876", 0);
        assert_non_null(v);
        assert_string_equal(v->version, "v2.7.0");
        assert_string_equal(v->version_id, "10008");
        assert_true(v->at == cw_t("2020-07-13T21:35:54Z"));
        v = version_change(&cap, "EE-1", "18876", 1);
        assert_non_null(v);
        assert_string_equal(v->version, "SaaS");
        assert_string_equal(v->version_id, "10026");
        cw_capture_free(&cap);
    }
}

/* A project's versions page as live extraction lands it
 * (NNNNN-versions-<KEY>.json): each version a release of that project,
 * with the start date only this page carries; an unreadable date is a
 * reject naming the field while the release still loads. */
static void test_versions_page(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_test_data("jira/00011-versions-REL.json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_releases, 3);
    assert_string_equal(cap.releases[0].project, "REL");
    assert_string_equal(cap.releases[0].name, "1.0");
    assert_string_equal(cap.releases[0].external_id, "1000");
    assert_true(cap.releases[0].release_at == cw_t("2026-03-10T00:00:00Z"));
    assert_true(cap.releases[0].start_at == CW_NO_TIME);
    assert_int_equal(cap.releases[0].released, 1);
    assert_string_equal(cap.releases[1].name, "2.0");
    assert_true(cap.releases[1].start_at == cw_t("2026-03-05T00:00:00Z"));
    assert_true(cap.releases[1].release_at == CW_NO_TIME);
    assert_int_equal(cap.releases[1].released, 0);
    assert_string_equal(cap.releases[2].name, "0.9");
    assert_int_equal(cap.releases[2].archived, 1);
    assert_true(cap.releases[2].start_at == CW_NO_TIME);
    assert_true(cap.releases[2].release_at == cw_t("2026-02-01T00:00:00Z"));
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.rejects[0].field, "startDate");
    assert_int_equal(cap.rejects[0].origin.record, 3);
    cw_capture_free(&cap);
}

static void test_devlake_due_date_csv(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("jira/devlake_raw_jira_api_issues_for_due_date.csv"),
                                NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_int_equal(cap.n_rejects, 0);
    assert_ee1(&cap, 2);
    assert_ee1_transitions(&cap);
    assert_int_equal(cap.n_transitions, 5);
    cw_capture_free(&cap);
}

static void test_alloy_single_issue_files(void **state)
{
    cw_capture cap;
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("correlated/alloy/jira/1000-1999/ALOY-1001.json"),
                                NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_int_equal(cap.n_rejects, 0);
    w = &cap.items[0];
    assert_string_equal(w->key, "ALOY-1001");
    assert_string_equal(w->external_id, "129872");
    assert_string_equal(w->project, "ALOY");
    assert_string_equal(w->summary, "Remove usage of wrench in favor of fs-extra");
    assert_string_equal(w->type, "Improvement");
    assert_string_equal(w->status, "Closed");
    assert_string_equal(w->status_category, "done");
    assert_null(w->labels);
    assert_null(w->fix_versions);
    assert_string_equal(w->assignee, "Feon Sua Xin Miao");
    assert_true(w->created_at == cw_t("2014-05-01T17:39:46Z"));
    assert_true(w->resolved_at == cw_t("2018-09-07T22:05:15Z"));
    assert_int_equal(w->has_changelog, 0);
    assert_int_equal(cap.n_transitions, 0);
    cw_capture_free(&cap);

    assert_int_equal(parse_jira(cw_fixture("correlated/alloy/jira/1-999/ALOY-103.json"),
                                NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    w = &cap.items[0];
    assert_string_equal(w->labels, "GA-candidate,notable");
    assert_string_equal(w->fix_versions, "Alloy 0.3.4,2012 Sprint 26");
    assert_string_equal(w->status, "Resolved");
    assert_null(w->assignee);
    assert_true(w->created_at == cw_t("2012-07-17T11:24:38Z"));
    assert_true(w->updated_at == cw_t("2018-03-07T22:26:10Z"));
    cw_capture_free(&cap);
}

static void test_changelog_items_without_key(void **state)
{
    cw_capture cap;
    (void)state;
    /* A bare array of 10 histories: nothing says which issue they belong to. */
    assert_int_equal(parse_jira(cw_fixture(
        "jira/devlake_raw_jira_api_issue_changelogs.status-only.excerpt.items.json"),
        NULL, 0, &cap), -1);
    assert_int_equal(cap.n_transitions, 0);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_null(cap.rejects[0].field);
    assert_non_null(strstr(cap.rejects[0].reason, "<KEY>.changelog.json"));
    cw_capture_free(&cap);
}

static void test_changelog_devlake_csv(void **state)
{
    cw_capture cap;
    const cw_transition *t;
    (void)state;
    /* Each row's url is .../rest/api/3/issue/<numeric id>/changelog. */
    assert_int_equal(parse_jira(cw_fixture(
        "jira/devlake_raw_jira_api_issue_changelogs.status-only.excerpt.csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_transitions, 10);
    t = &cap.transitions[0];
    assert_null(t->item_key);
    assert_string_equal(t->item_id, "13383");
    assert_string_equal(t->history_id, "58006");
    assert_string_equal(t->from_status, "Open");
    assert_string_equal(t->to_status, "开发中");
    assert_true(t->at == cw_t("2021-01-25T13:49:52Z"));
    assert_int_equal(t->origin.record, 2);
    t = &cap.transitions[9];
    assert_string_equal(t->item_id, "13491");
    assert_string_equal(t->to_status, "Closed");
    assert_int_equal(t->origin.record, 11);
    cw_capture_free(&cap);
}

/* DevLake's sprint, status and issue-type tables and the ALOY project.json
 * are Jira metadata: read without error, no item, nothing rejected (the
 * status table's statuses are status definitions, test_status_list). */
static void test_metadata_fixtures(void **state)
{
    static const char *const files[] = {
        "jira/devlake_raw_jira_api_sprints.csv",      /* 30 sprints */
        "jira/devlake_raw_jira_api_status.csv",       /* 53 statuses */
        "jira/devlake_raw_jira_api_issue_types.csv",  /* 7 issue types */
        "correlated/alloy/jira/project.json",         /* one project object */
    };
    cw_capture cap;
    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        assert_int_equal(parse_jira(cw_fixture(files[i]), NULL, 0, &cap), 0);
        assert_int_equal(cap.n_rejects, 0);
        assert_int_equal(cap.n_items, 0);
        assert_int_equal(cap.n_transitions, 0);
        assert_int_equal(cap.n_status_defs, i == 1 ? 53 : 0);
        cw_capture_free(&cap);
    }
}

static const cw_status_def *find_status_def(const cw_capture *cap, const char *id)
{
    for (size_t i = 0; i < cap->n_status_defs; i++)
        if (strcmp(cap->status_defs[i].id, id) == 0)
            return &cap->status_defs[i];
    return NULL;
}

/* The status list (/rest/api/2/status, here DevLake's recording of it) gives
 * each status id its category; issues carry the id of their status, so the
 * list's category applies to them (README "Status categories").  A status
 * without an id or a category key is rejected naming the field. */
static void test_status_list(void **state)
{
    cw_capture cap;
    const cw_status_def *d;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("jira/devlake_raw_jira_api_status.csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_status_defs, 53);
    assert_non_null(d = find_status_def(&cap, "10068"));
    assert_string_equal(d->name, "已完成");
    assert_string_equal(d->category, "done");
    assert_int_equal(d->origin.record, 13);       /* CSV record 1 is the header */
    assert_string_equal(find_status_def(&cap, "3")->category, "in_progress");
    assert_string_equal(find_status_def(&cap, "1")->category, "todo");
    cw_capture_free(&cap);

    assert_int_equal(parse_jira(cw_fixture("jira/devlake_raw_jira_api_issues.excerpt.csv"), NULL, 0,
                                &cap), 0);
    assert_string_equal(cw_capture_item(&cap, "EE-1")->status, "已完成");
    assert_string_equal(cw_capture_item(&cap, "EE-1")->status_id, "10068");
    cw_capture_free(&cap);

    assert_int_equal(parse_jira(cw_temp_file(
        "[{\"id\": 5, \"name\": \"Resolved\", \"statusCategory\": {\"key\": \"done\"}},\n"
        " {\"name\": \"Nameless id\", \"statusCategory\": {\"key\": \"new\"}},\n"
        " {\"id\": \"6\", \"name\": \"Closed\", \"statusCategory\": {\"name\": \"Done\"}}]\n",
        ".json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_status_defs, 1);
    assert_string_equal(cap.status_defs[0].id, "5");
    assert_string_equal(cap.status_defs[0].category, "done");
    cw_expect_rejects(&cap, 2, {2, "id", NULL}, {3, "statusCategory.key", NULL});
    cw_capture_free(&cap);
}

/* The same shapes inside a plain array pass over too; an object with none
 * of their marks is still rejected, and the issue beside them loads. */
static void test_metadata_in_array(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_temp_file(
        "[{\"id\": 7, \"state\": \"closed\", \"originBoardId\": 8},\n"
        " {\"id\": \"3\", \"name\": \"In Progress\", \"statusCategory\": {\"key\": \"indeterminate\"}},\n"
        " {\"id\": \"10001\", \"name\": \"Story\", \"subtask\": false},\n"
        " {\"id\": \"11113\", \"key\": \"ALOY\", \"issueTypes\": []},\n"
        " {\"key\": \"M-1\", \"fields\": {\"created\": \"2026-01-02T03:04:05Z\"}},\n"
        " {\"id\": 9, \"name\": \"unknown\"}]\n", ".json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_non_null(cw_capture_item(&cap, "M-1"));
    assert_int_equal(cap.n_rejects, 1);
    assert_int_equal(cap.rejects[0].origin.record, 6);
    cw_capture_free(&cap);
}

/* REST statusCategory.key: new -> todo, done -> done, any other key ->
 * in_progress (metrics.md); the CSV column's names: unknown stays NULL. */
static void test_status_category_mapping(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_temp_file(
        "[{\"key\": \"S-1\", \"fields\": {\"created\": \"2026-01-02T03:04:05Z\","
        "  \"status\": {\"name\": \"Triage\", \"statusCategory\": {\"key\": \"undefined\"}}}},\n"
        " {\"key\": \"S-2\", \"fields\": {\"created\": \"2026-01-02T03:04:05Z\","
        "  \"status\": {\"name\": \"Open\", \"statusCategory\": {\"key\": \"new\"}}}},\n"
        " {\"key\": \"S-3\", \"fields\": {\"created\": \"2026-01-02T03:04:05Z\","
        "  \"status\": {\"name\": \"Closed\", \"statusCategory\": {\"key\": \"done\"}}}}]\n",
        ".json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_items, 3);
    assert_string_equal(cw_capture_item(&cap, "S-1")->status_category, "in_progress");
    assert_string_equal(cw_capture_item(&cap, "S-2")->status_category, "todo");
    assert_string_equal(cw_capture_item(&cap, "S-3")->status_category, "done");
    cw_capture_free(&cap);

    assert_int_equal(parse_csv(cw_temp_file(
        "Issue key,Created,Status Category\n"
        "C-1,22/Sep/25 9:26 AM,To Do\n"
        "C-2,22/Sep/25 9:26 AM,indeterminate\n"
        "C-3,22/Sep/25 9:26 AM,No Category\n"
        "C-4,22/Sep/25 9:26 AM,DONE\n", ".csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 4);
    assert_string_equal(cw_capture_item(&cap, "C-1")->status_category, "todo");
    assert_string_equal(cw_capture_item(&cap, "C-2")->status_category, "in_progress");
    assert_null(cw_capture_item(&cap, "C-3")->status_category);
    assert_string_equal(cw_capture_item(&cap, "C-4")->status_category, "done");
    cw_capture_free(&cap);
}

static void test_jira_validate(void **state)
{
    cw_kv good[] = { { (char *)"key_prefix_filter", (char *)"PAY,OPS", 2 } };
    cw_kv bad[] = { { (char *)"key_prefix_filter", (char *)" , ", 2 } };
    cw_source src = cw_test_source_of("tracker", "jira", good, 1);
    (void)state;
    assert_int_equal(cw_source_jira.validate(&src), 0);
    src = cw_test_source_of("tracker", "jira", bad, 1);
    assert_int_equal(cw_source_jira.validate(&src), -1);
    src = cw_test_source_of("tracker", "jira", NULL, 0);
    assert_int_equal(cw_source_jira.validate(&src), 0);
    assert_string_equal(cw_source_jira.name, "jira");
}

/* The issue EE-4 of DevLake's recording carries \u0000 in its description:
 * the same item loads from a DevLake `data` cell as from a JSON page (the
 * cell used to be parsed without the NUL allowance and was rejected with
 * its transitions).  A BOM before the CSV header is skipped as well. */
static void test_devlake_cell_with_nul(void **state)
{
    static const char issue[] =
        "{\"\"id\"\":\"\"10106\"\",\"\"key\"\":\"\"EE-4\"\",\"\"fields\"\":{"
        "\"\"created\"\":\"\"2020-06-12T08:13:13.360+0800\"\","
        "\"\"description\"\":\"\"steps\\u0000more\"\",\"\"project\"\":{\"\"key\"\":\"\"EE\"\"}},"
        "\"\"changelog\"\":{\"\"total\"\":1,\"\"histories\"\":[{\"\"id\"\":\"\"10900\"\","
        "\"\"created\"\":\"\"2020-06-12T09:45:24.000+0800\"\",\"\"items\"\":[{\"\"field\"\":"
        "\"\"status\"\",\"\"fromString\"\":\"\"Inbox\"\",\"\"toString\"\":\"\"Done\"\"}]}]}}";
    char text[2048];
    cw_capture cap;
    (void)state;
    snprintf(text, sizeof(text), "\xEF\xBB\xBF\"id\",\"params\",\"data\",\"url\",\"input\",\"created_at\"\n"
             "12444,\"{\"\"ConnectionId\"\":1}\",\"%s\",,null,2022-01-01 00:00:00\n", issue);
    assert_int_equal(parse_jira(cw_temp_file(text, ".csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_items, 1);
    assert_string_equal(cap.items[0].key, "EE-4");
    assert_true(cap.items[0].created_at == cw_t("2020-06-12T00:13:13Z"));
    assert_int_equal(cap.n_transitions, 1);
    assert_true(cap.transitions[0].at == cw_t("2020-06-12T01:45:24Z"));
    assert_string_equal(cap.transitions[0].to_status, "Done");
    cw_capture_free(&cap);
}

/* One number jansson cannot hold cost the whole page; now the record holding
 * it is rejected naming the field and the others load.  PAY-2's id has 30
 * digits, PAY-3's changelog total is 10^30, PAY-4 carries 1e400 in a custom
 * field nobody reads (it loads), and the page starts with a BOM. */
static void test_out_of_range_numbers(void **state)
{
    static const char page[] =
        "\xEF\xBB\xBF{\"startAt\":0,\"maxResults\":50,\"total\":4,\"issues\":["
        "{\"id\":\"10001\",\"key\":\"PAY-1\",\"fields\":{\"created\":\"2026-03-02T09:00:00.000+0000\"}},"
        "{\"id\":123456789012345678901234567890,\"key\":\"PAY-2\","
        "\"fields\":{\"created\":\"2026-03-02T09:00:00.000+0000\"}},"
        "{\"id\":\"10003\",\"key\":\"PAY-3\",\"fields\":{\"created\":\"2026-03-02T09:00:00.000+0000\"},"
        "\"changelog\":{\"startAt\":0,\"maxResults\":0,\"total\":1000000000000000000000000000000,"
        "\"histories\":[]}},"
        "{\"id\":10004,\"key\":\"PAY-4\",\"fields\":{\"created\":\"2026-03-02T09:00:00.000+0000\","
        "\"customfield_10016\":1e400}}]}";
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_temp_file(page, ".json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 2);
    assert_non_null(cw_capture_item(&cap, "PAY-1"));
    assert_string_equal(cw_capture_item(&cap, "PAY-4")->external_id, "10004");
    cw_expect_rejects(&cap, 2, {2, "id", "out of range"}, {3, "changelog.total", NULL});
    assert_non_null(strstr(cap.rejects[0].raw, "123456789012345678901234567890"));
    cw_capture_free(&cap);
}

/* Instants outside 1970-01-01 .. 2200-01-01 are not real: the record is
 * rejected naming the field (core/time.c's range, the same for every parser). */
static void test_instant_range(void **state)
{
    static const char page[] =
        "{\"issues\":["
        "{\"key\":\"PAY-1\",\"fields\":{\"created\":\"1969-12-31T23:59:59.000+0000\"}},"
        "{\"key\":\"PAY-2\",\"fields\":{\"created\":\"2200-01-01T00:00:01.000+0000\"}},"
        "{\"key\":\"PAY-3\",\"fields\":{\"created\":\"1970-01-01T00:00:00.000+0000\","
        "\"resolutiondate\":\"9999-01-01T00:00:00.000+0000\"}}]}";
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_temp_file(page, ".json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_true(cap.items[0].created_at == 0);
    assert_true(cap.items[0].resolved_at == CW_NO_TIME);
    assert_int_equal(cap.n_rejects, 3);
    assert_string_equal(cap.rejects[0].field, "fields.created");
    assert_string_equal(cap.rejects[1].field, "fields.created");
    assert_string_equal(cap.rejects[2].field, "fields.resolutiondate");
    assert_string_equal(cap.rejects[2].reason,
                        "timestamp '9999-01-01T00:00:00.000+0000' outside 1970-01-01 .. 2200-01-01");
    cw_capture_free(&cap);
}

/* A BOM before a quoted header of a Jira CSV export used to lose the file. */
static void test_csv_bom_quoted_header(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_csv(cw_temp_file(
        "\xEF\xBB\xBF\"Summary\",\"Issue key\",\"Issue id\",\"Issue Type\",\"Status\",\"Created\"\n"
        "\"Pay\",\"PAY-1\",\"10001\",\"Story\",\"Done\",\"22/Sep/25 9:26 AM\"\n", ".csv"),
        NULL, 0, &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_items, 1);
    assert_true(cap.items[0].created_at == cw_t("2025-09-22T09:26:00Z"));
    cw_capture_free(&cap);
}

/* ------------------------------------------------------------------- CSV */

static void test_csv_cloud_export(void **state)
{
    cw_capture cap;
    cw_kv keys[] = { { (char *)"timezone", (char *)"America/Chicago", 2 } };
    const char *path = cw_fixture("jira/jira-cloud-export-all-fields_ericmedlock.csv");
    const cw_work_item *w;
    size_t todo = 0, doing = 0, done = 0;
    (void)state;
    assert_int_equal(parse_csv(path, keys, 1, &cap), 0);
    assert_int_equal(cap.n_items, 22);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_transitions, 0);

    /* TES-19: Created "03/Sep/25 9:21 AM", Resolved "12/Sep/25 9:05 AM",
     * Chicago on daylight time (UTC-5). */
    w = cw_capture_item(&cap, "TES-19");
    assert_non_null(w);
    assert_string_equal(w->external_id, "10678");
    assert_string_equal(w->summary, "Create a Network Architecture diagram for TAG");
    assert_string_equal(w->type, "Task");
    assert_string_equal(w->status, "Done");
    assert_string_equal(w->status_category, "done");
    assert_string_equal(w->project, "TES");
    assert_string_equal(w->assignee, "Saicharan Basireddy");
    assert_true(w->created_at == cw_t("2025-09-03T14:21:00Z"));
    assert_true(w->resolved_at == cw_t("2025-09-12T14:05:00Z"));
    assert_int_equal(w->has_changelog, 0);
    assert_null(w->labels);

    w = cw_capture_item(&cap, "TES-13");            /* "28/Aug/25 1:49 PM" */
    assert_non_null(w);
    assert_true(w->created_at == cw_t("2025-08-28T18:49:00Z"));
    w = cw_capture_item(&cap, "TES-25");            /* first data row */
    assert_non_null(w);
    assert_int_equal(w->origin.record, 2);
    assert_null(w->assignee);
    assert_true(w->resolved_at == CW_NO_TIME);

    for (size_t i = 0; i < cap.n_items; i++) {
        const char *cat = cap.items[i].status_category;
        assert_non_null(cat);
        todo += strcmp(cat, "todo") == 0;
        doing += strcmp(cat, "in_progress") == 0;
        done += strcmp(cat, "done") == 0;
    }
    assert_int_equal(todo, 9);
    assert_int_equal(doing, 3);
    assert_int_equal(done, 10);
    cw_capture_free(&cap);

    /* Default time zone is UTC. */
    assert_int_equal(parse_csv(path, NULL, 0, &cap), 0);
    assert_true(cw_capture_item(&cap, "TES-19")->created_at == cw_t("2025-09-03T09:21:00Z"));
    cw_capture_free(&cap);
}

static void test_csv_french_defaults_miss_created(void **state)
{
    cw_capture cap;
    (void)state;
    /* The fork owner's file has no Created column under any stock name. */
    assert_int_equal(parse_csv(cw_fixture("jira/jira-server-export-fr-locale_ckiw_JIRA28line.csv"),
                               NULL, 0, &cap), -1);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 1, "created", "missing column");
    cw_capture_free(&cap);
}

static void test_csv_french_configured(void **state)
{
    cw_capture cap;
    cw_kv keys[] = {
        { (char *)"timezone", (char *)"Europe/Paris", 2 },
        { (char *)"column.summary", (char *)"resume", 3 },
        { (char *)"column.created", (char *)"Journal de travail|Commentaire", 4 },
        { (char *)"column.labels", (char *)"Étiquettes", 5 },
    };
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_csv(cw_fixture("jira/jira-server-export-fr-locale_ckiw_JIRA28line.csv"),
                               keys, 4, &cap), 0);
    /* 27 rows: CNED-4, 5, 12 and 15 (records 5, 6, 13, 15) have no date in
     * those columns. */
    assert_int_equal(cap.n_items, 23);
    assert_int_equal(cap.n_rejects, 4);
    assert_int_equal(cap.rejects[0].origin.record, 5);
    assert_int_equal(cap.rejects[1].origin.record, 6);
    assert_int_equal(cap.rejects[2].origin.record, 13);
    assert_int_equal(cap.rejects[3].origin.record, 15);
    assert_string_equal(cap.rejects[0].field, "Journal de travail");

    w = cw_capture_item(&cap, "CNED-1");            /* "10/oct./16 11:54 AM", CEST */
    assert_non_null(w);
    assert_true(w->created_at == cw_t("2016-10-10T09:54:00Z"));
    assert_string_equal(w->summary, "Etape 1 : migration de Tesseract en JS");
    assert_string_equal(w->type, "Épopée");
    assert_string_equal(w->status, "Validé");
    assert_string_equal(w->external_id, "11903");
    assert_string_equal(w->project, "CNED");
    assert_null(w->labels);
    w = cw_capture_item(&cap, "CNED-6");            /* "06/août/15 12:00 PM" */
    assert_non_null(w);
    assert_true(w->created_at == cw_t("2015-08-06T10:00:00Z"));
    assert_string_equal(w->assignee, "jetessie");
    w = cw_capture_item(&cap, "CNED-9");            /* "26/août/15 6:04 PM" */
    assert_non_null(w);
    assert_true(w->created_at == cw_t("2015-08-26T16:04:00Z"));
    assert_string_equal(w->assignee, "mspegagn");
    cw_capture_free(&cap);
}

static void test_csv_months_key(void **state)
{
    cw_capture cap;
    cw_kv english[] = {
        { (char *)"months", (char *)"Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec", 2 },
        { (char *)"column.created", (char *)"Journal de travail|Commentaire", 3 },
    };
    cw_kv spanish[] = {
        { (char *)"timezone", (char *)"America/Mexico_City", 2 },
        { (char *)"months",
          (char *)"ene, feb, mar, abr, may, jun, jul, ago, sep, oct, nov, dic", 3 },
    };
    const cw_work_item *w;
    (void)state;
    /* English names only: "août" and "oct." no longer read. */
    assert_int_equal(parse_csv(cw_fixture("jira/jira-server-export-fr-locale_ckiw_JIRA28line.csv"),
                               english, 2, &cap), 0);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_rejects, 27);
    assert_non_null(strstr(cap.rejects[0].reason, "10/oct./16 11:54 AM"));
    cw_capture_free(&cap);

    /* A Spanish export: headers from the built-in names, months configured. */
    assert_int_equal(parse_csv(cw_test_data("jira/csv_es.csv"), spanish, 2, &cap), 0);
    assert_int_equal(cap.n_items, 2);
    assert_int_equal(cap.n_rejects, 0);
    w = cw_capture_item(&cap, "FAC-1");
    assert_non_null(w);
    assert_string_equal(w->summary, "Pagar factura");
    assert_string_equal(w->type, "Tarea");
    assert_string_equal(w->status, "Listo");
    assert_string_equal(w->status_category, "done");
    assert_string_equal(w->external_id, "301");
    assert_string_equal(w->project, "FAC");
    assert_true(w->created_at == cw_t("2026-01-15T16:00:00Z"));
    assert_true(w->updated_at == cw_t("2026-01-16T17:00:00Z"));
    w = cw_capture_item(&cap, "FAC-2");
    assert_non_null(w);
    assert_string_equal(w->status_category, "in_progress");
    assert_true(w->created_at == cw_t("2026-01-20T21:15:00Z"));
    assert_true(w->updated_at == CW_NO_TIME);
    cw_capture_free(&cap);
}

static void test_csv_repeated_headers(void **state)
{
    cw_capture cap;
    cw_kv keys[] = { { (char *)"timezone", (char *)"+01:00", 2 } };
    const char *path = cw_test_data("jira/csv_repeated.csv");
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_csv(path, keys, 1, &cap), 0);
    assert_int_equal(cap.n_items, 3);
    assert_int_equal(cap.n_rejects, 2);

    w = cw_capture_item(&cap, "WEB-10");
    assert_non_null(w);
    assert_origin(&w->origin, path, 2);
    assert_string_equal(w->fix_versions, "2.0,2.1");
    assert_string_equal(w->labels, "ui,auth");
    assert_string_equal(w->status_category, "done");
    assert_string_equal(w->assignee, "Rui Costa");
    assert_true(w->created_at == cw_t("2026-03-02T08:05:00Z"));
    assert_true(w->updated_at == cw_t("2026-03-05T15:30:00Z"));
    assert_true(w->resolved_at == cw_t("2026-03-05T15:30:00Z"));

    w = cw_capture_item(&cap, "WEB-11");
    assert_non_null(w);
    assert_string_equal(w->summary, "Search, fast");
    assert_string_equal(w->project, "WEB");          /* empty cell: from the key */
    assert_string_equal(w->status_category, "in_progress");
    assert_true(w->created_at == cw_t("2026-03-03T11:00:00Z"));   /* 12 PM is noon */
    assert_true(w->updated_at == CW_NO_TIME);        /* 31 February */
    assert_null(w->labels);
    assert_null(w->fix_versions);
    cw_expect_reject(&cap, 0, 3, "Updated", "31/Feb/26 1:00 PM");

    assert_null(cw_capture_item(&cap, "WEB-12"));
    cw_expect_reject(&cap, 1, 4, "Created", NULL);
    assert_non_null(strstr(cap.rejects[1].raw, "WEB-12"));

    w = cw_capture_item(&cap, "WEB-13");             /* after an empty record */
    assert_non_null(w);
    assert_int_equal(w->origin.record, 6);
    assert_true(w->created_at == cw_t("2026-03-03T23:00:00Z"));   /* 12 AM is midnight */
    assert_null(w->status_category);                 /* "Something else" */
    cw_capture_free(&cap);
}

static void test_csv_missing_column_and_date_format(void **state)
{
    cw_capture cap;
    cw_kv keys[] = {
        { (char *)"timezone", (char *)"+02:00", 2 },
        { (char *)"date_format", (char *)"yyyy-MM-dd HH:mm", 3 },
    };
    (void)state;
    assert_int_equal(parse_csv(cw_test_data("jira/csv_missing_created.csv"), NULL, 0, &cap), -1);
    assert_int_equal(cap.n_items, 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.rejects[0].field, "created");
    cw_capture_free(&cap);

    assert_int_equal(parse_csv(cw_temp_file("", ".csv"), NULL, 0, &cap), -1);
    assert_int_equal(cap.n_rejects, 1);
    assert_non_null(strstr(cap.rejects[0].reason, "no header"));
    cw_capture_free(&cap);

    assert_int_equal(parse_csv(cw_test_data("jira/csv_date_format.csv"), keys, 2, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_string_equal(cap.items[0].project, "DF");
    assert_true(cap.items[0].created_at == cw_t("2024-03-05T12:30:00Z"));
    assert_true(cap.items[0].resolved_at == cw_t("2024-03-06T07:00:00Z"));
    cw_capture_free(&cap);
}

/* A date cell ending in a space (quoted, so the CSV reader keeps it) has
 * no AM/PM marker after it: one reject naming the column, no over-read,
 * and the next row still loads. */
static void test_csv_trailing_space(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_csv(cw_temp_file(
        "Issue key,Created\n"
        "T-1,\"22/Sep/25 9:26 \"\n"
        "T-2,22/Sep/25 9:26 PM\n", ".csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 2, "Created", "'22/Sep/25 9:26 '");
    assert_non_null(cw_capture_item(&cap, "T-2"));
    assert_true(cw_capture_item(&cap, "T-2")->created_at == cw_t("2025-09-22T21:26:00Z"));
    cw_capture_free(&cap);
}

/* date_format with MMM reads the configured `months`, not the built-ins. */
static void test_csv_date_format_with_months(void **state)
{
    cw_capture cap;
    cw_kv keys[] = {
        { (char *)"date_format", (char *)"dd/MMM/yy HH:mm", 2 },
        { (char *)"months", (char *)"ene, feb, mar, abr, may, jun, jul, ago, sep, oct, nov, dic", 3 },
    };
    const cw_work_item *w;
    (void)state;
    assert_int_equal(parse_csv(cw_temp_file(
        "Issue key,Created,Resolved\n"
        "ES-1,05/ago/25 16:00,02/dic/25 09:30\n"
        "ES-2,05/Aug/25 16:00,\n", ".csv"), keys, 2, &cap), 0);
    assert_int_equal(cap.n_items, 1);
    w = cw_capture_item(&cap, "ES-1");
    assert_non_null(w);
    assert_true(w->created_at == cw_t("2025-08-05T16:00:00Z"));
    assert_true(w->resolved_at == cw_t("2025-12-02T09:30:00Z"));
    /* English "Aug" is not among the configured names. */
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 3, "Created", NULL);
    cw_capture_free(&cap);
}

static void test_csv_validate(void **state)
{
    cw_kv good[] = {
        { (char *)"timezone", (char *)"Europe/Paris", 2 },
        { (char *)"months", (char *)"janv.|Jan, févr.|Feb, mars, avr., mai, juin, juil., août, "
                                    "sept., oct., nov., déc.", 3 },
    };
    cw_kv bad_tz[] = { { (char *)"timezone", (char *)"Mars/Olympus_Mons", 2 } };
    cw_kv bad_months[] = { { (char *)"months", (char *)"Jan,Feb,Mar", 2 } };
    cw_kv empty_name[] = {
        { (char *)"months", (char *)"Jan,Feb,,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec", 2 } };
    cw_kv bad_pattern[] = { { (char *)"date_format", (char *)"HH:mm", 2 } };
    cw_source src = cw_test_source_of("tracker", "jira-csv", good, 2);
    (void)state;
    assert_int_equal(cw_source_jira_csv.validate(&src), 0);
    src = cw_test_source_of("tracker", "jira-csv", bad_tz, 1);
    assert_int_equal(cw_source_jira_csv.validate(&src), -1);
    src = cw_test_source_of("tracker", "jira-csv", bad_months, 1);
    assert_int_equal(cw_source_jira_csv.validate(&src), -1);
    src = cw_test_source_of("tracker", "jira-csv", empty_name, 1);
    assert_int_equal(cw_source_jira_csv.validate(&src), -1);
    src = cw_test_source_of("tracker", "jira-csv", bad_pattern, 1);
    assert_int_equal(cw_source_jira_csv.validate(&src), -1);
    assert_string_equal(cw_source_jira_csv.name, "jira-csv");
}

/* ------------------------------------------------------------ links */

/* The links of one item as "kind:target" (target key, or #id), in order. */
static char *links_of(const cw_capture *cap, const char *key)
{
    static const char *const kinds[] = { "parent", "epic", "theme", "blocks" };
    static char out[512];
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < cap->n_links; i++) {
        const cw_work_item_link *l = &cap->links[i];
        if (strcmp(l->item_key, key) != 0)
            continue;
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s:%s%s", n ? " " : "",
                              kinds[l->kind], l->target_key ? "" : "#",
                              l->target_key ? l->target_key : l->target_id);
    }
    return out;
}

/* tests/data/jira/links.json by hand: PAY-10's parent object and Epic Link
 * field both name PAY-1, it blocks PAY-11 (the inward Blocks link is
 * PAY-12's to load, Relates is not read); PAY-1's theme field is an object
 * with a key; PAY-14's parent comes with an id only.  Every issue carries
 * its links (links_follow), each with the issue's own record. */
static void test_links_rest(void **state)
{
    cw_kv keys[] = { { (char *)"epic_link_field", (char *)"customfield_10014", 2 },
                     { (char *)"theme_field", (char *)"customfield_10500", 3 } };
    const char *path = cw_test_data("jira/links.json");
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(path, keys, 2, &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_links, 5);
    assert_string_equal(links_of(&cap, "PAY-10"), "parent:PAY-1 epic:PAY-1 blocks:PAY-11");
    assert_string_equal(links_of(&cap, "PAY-1"), "theme:PAY-100");
    assert_string_equal(links_of(&cap, "PAY-14"), "parent:#10010");
    assert_origin(&cap.links[0].origin, path, 1);
    assert_origin(&cap.links[4].origin, path, 3);
    for (size_t i = 0; i < cap.n_items; i++)
        assert_int_equal(cap.items[i].links_follow, 1);
    cw_capture_free(&cap);

    /* without the fields configured only parent and blocks are read */
    assert_int_equal(parse_jira(path, NULL, 0, &cap), 0);
    assert_string_equal(links_of(&cap, "PAY-10"), "parent:PAY-1 blocks:PAY-11");
    assert_string_equal(links_of(&cap, "PAY-1"), "");
    cw_capture_free(&cap);
}

/* The go-jira sprint page (agile endpoint): AR-86's `epic` object names
 * AR-37, and so does its Epic Link custom field customfield_10700. */
static void test_links_gojira_epic(void **state)
{
    cw_kv keys[] = { { (char *)"epic_link_field", (char *)"customfield_10700", 2 } };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_jira(cw_fixture("jira/go-jira_issues_in_sprint_with_changelog.json"),
                                NULL, 0, &cap), 0);
    assert_string_equal(links_of(&cap, "AR-86"), "epic:AR-37");
    cw_capture_free(&cap);
    assert_int_equal(parse_jira(cw_fixture("jira/go-jira_issues_in_sprint_with_changelog.json"),
                                keys, 1, &cap), 0);
    assert_string_equal(links_of(&cap, "AR-86"), "epic:AR-37 epic:AR-37");
    cw_capture_free(&cap);
}

/* The French Server export: CNED-16..24 are sub-tasks of id 11917 (CNED-15),
 * CNED-28 and 29 of id 11910 (CNED-8), by `Parent id`; CNED-12 and CNED-15
 * name their epics by Epic Link but have no date in the configured created
 * columns, so they are rejected and bring no links.  11 links. */
static void test_links_csv_french(void **state)
{
    cw_capture cap;
    cw_kv keys[] = {
        { (char *)"timezone", (char *)"Europe/Paris", 2 },
        { (char *)"column.created", (char *)"Journal de travail|Commentaire", 4 },
    };
    (void)state;
    assert_int_equal(parse_csv(cw_fixture("jira/jira-server-export-fr-locale_ckiw_JIRA28line.csv"),
                               keys, 2, &cap), 0);
    assert_int_equal(cap.n_items, 23);
    assert_int_equal(cap.n_links, 11);
    assert_string_equal(links_of(&cap, "CNED-16"), "parent:#11917");
    assert_string_equal(links_of(&cap, "CNED-24"), "parent:#11917");
    assert_string_equal(links_of(&cap, "CNED-29"), "parent:#11910");
    assert_string_equal(links_of(&cap, "CNED-1"), "");
    assert_int_equal(cw_capture_item(&cap, "CNED-1")->links_follow, 1);
    cw_capture_free(&cap);
}

/* A Cloud-style export: Parent (id) and Parent key, the Epic Link column and
 * a configured theme column; the key wins over the id.  An export with none
 * of these columns says nothing about links. */
static void test_links_csv_cloud(void **state)
{
    cw_capture cap;
    cw_kv keys[] = { { (char *)"column.theme", (char *)"Custom field (Theme)", 2 } };
    (void)state;
    assert_int_equal(parse_csv(cw_temp_file(
        "Issue key,Issue id,Issue Type,Created,Parent,Parent key,Custom field (Epic Link),"
        "Custom field (Theme)\n"
        "P-1,101,Epic,2026-03-01 10:00,,,,P-900\n"
        "P-2,102,Story,2026-03-01 10:00,101,P-1,,\n"
        "P-3,103,Sub-task,2026-03-01 10:00,102,,,\n"
        "P-4,104,Story,2026-03-01 10:00,,,P-1,\n", ".csv"), keys, 1, &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_string_equal(links_of(&cap, "P-1"), "theme:P-900");
    assert_string_equal(links_of(&cap, "P-2"), "parent:P-1");
    assert_string_equal(links_of(&cap, "P-3"), "parent:#102");
    assert_string_equal(links_of(&cap, "P-4"), "epic:P-1");
    assert_int_equal(cw_capture_item(&cap, "P-4")->links_follow, 1);
    cw_capture_free(&cap);

    assert_int_equal(parse_csv(cw_temp_file("Issue key,Created\nP-1,2026-03-01 10:00\n", ".csv"),
                               NULL, 0, &cap), 0);
    assert_int_equal(cap.n_links, 0);
    assert_int_equal(cw_capture_item(&cap, "P-1")->links_follow, 0);
    cw_capture_free(&cap);
}

static void test_links_validate(void **state)
{
    cw_kv good[] = { { (char *)"epic_link_field", (char *)"customfield_10014", 2 },
                     { (char *)"theme_field", (char *)"parent", 3 } };
    cw_kv bad[] = { { (char *)"theme_field", (char *)"Custom field (Theme)", 2 } };
    cw_source src = cw_test_source_of("tracker", "jira", good, 2);
    (void)state;
    assert_int_equal(cw_source_jira.validate(&src), 0);
    src = cw_test_source_of("tracker", "jira", bad, 1);
    assert_int_equal(cw_source_jira.validate(&src), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_page),
        cmocka_unit_test(test_jql_page),
        cmocka_unit_test(test_plain_array_and_filter),
        cmocka_unit_test(test_changelog_page_key_from_file_name),
        cmocka_unit_test(test_changelog_page_key_from_self),
        cmocka_unit_test(test_changelog_page_without_key),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_odd_types),
        cmocka_unit_test(test_devlake_changelog_owner_from_input),
        cmocka_unit_test(test_devlake_wrapper_rows),
        cmocka_unit_test(test_devlake_cell_with_nul),
        cmocka_unit_test(test_out_of_range_numbers),
        cmocka_unit_test(test_instant_range),
        cmocka_unit_test(test_csv_bom_quoted_header),
        cmocka_unit_test(test_devlake_sink_failure),
        cmocka_unit_test(test_gojira_sprint_page),
        cmocka_unit_test(test_devlake_issues_csv),
        cmocka_unit_test(test_devlake_issues_items_json),
        cmocka_unit_test(test_devlake_fix_versions),
        cmocka_unit_test(test_versions_page),
        cmocka_unit_test(test_devlake_due_date_csv),
        cmocka_unit_test(test_alloy_single_issue_files),
        cmocka_unit_test(test_changelog_items_without_key),
        cmocka_unit_test(test_changelog_devlake_csv),
        cmocka_unit_test(test_metadata_fixtures),
        cmocka_unit_test(test_changelog_key_from_landed_name),
        cmocka_unit_test(test_status_list),
        cmocka_unit_test(test_metadata_in_array),
        cmocka_unit_test(test_status_category_mapping),
        cmocka_unit_test(test_jira_validate),
        cmocka_unit_test(test_links_rest),
        cmocka_unit_test(test_links_gojira_epic),
        cmocka_unit_test(test_links_csv_french),
        cmocka_unit_test(test_links_csv_cloud),
        cmocka_unit_test(test_links_validate),
        cmocka_unit_test(test_csv_cloud_export),
        cmocka_unit_test(test_csv_french_defaults_miss_created),
        cmocka_unit_test(test_csv_french_configured),
        cmocka_unit_test(test_csv_months_key),
        cmocka_unit_test(test_csv_repeated_headers),
        cmocka_unit_test(test_csv_missing_column_and_date_format),
        cmocka_unit_test(test_csv_trailing_space),
        cmocka_unit_test(test_csv_date_format_with_months),
        cmocka_unit_test(test_csv_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
