/*
 * test_definition.c - the report definition loader (reports/definition.c):
 * hand-written definitions, a good one read field by field, and each kind of
 * mistake an analyst can make named by file and line; the built-in
 * templates/weekly.report loads; a section's query runs read-only and its
 * columns show as the definition says (reports/section.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "../../reports/report.h"
#include "../../load/db.h"

/* A templates folder with a query file in sql/; removed by the caller. */
static char *templates_dir(void)
{
    char *dir = cw_temp_dir();
    char *sql = cw_asprintf("%s/sql", dir);
    assert_int_equal(cw_mkdirs(sql), 0);
    cw_write_file(sql, "a.sql", "SELECT name, total_h, done_at FROM t WHERE at >= ?1 AND at < ?2");
    free(sql);
    return dir;
}

static const char good[] =
    "; a comment\n"
    "[sheet Waiting]\n"
    "title = Where work waits\n"
    "intro = Hours per status,\n"
    "  continued on an indented line.\n"
    "query = sql/a.sql\n"
    "chart = stacked_bar\n"
    "category = name\n"
    "series = name\n"
    "value = total_h\n"
    "column total_h = Total hours | #,##0.0 | 14\n"
    "column name = | | | jira\n"
    "\n"
    "[sheet Whole view]\n"
    "title = A view\n"
    "view = v_dora_weekly\n";

static void test_good_definition(void **state)
{
    char *dir = templates_dir();
    cw_report_definition *def = NULL;
    (void)state;
    assert_int_equal(cw_report_definition_parse(good, "my.report", dir, &def), 0);
    assert_int_equal(def->n_sections, 2);
    const cw_report_section *s = &def->sections[0];
    assert_string_equal(s->sheet, "Waiting");
    assert_string_equal(s->title, "Where work waits");
    assert_string_equal(s->intro, "Hours per status, continued on an indented line.");
    assert_string_equal(s->sql, "sql/a.sql");
    assert_non_null(strstr(s->query, "FROM t WHERE"));
    assert_int_equal(s->chart, CW_SECTION_STACKED_BAR);
    assert_string_equal(s->category, "name");
    assert_string_equal(s->value, "total_h");
    assert_null(s->flag);
    assert_int_equal(s->line, 2);
    assert_int_equal(s->query_line, 6);
    assert_int_equal(s->n_columns, 2);
    const cw_report_column *c = cw_report_section_column(s, "total_h");
    assert_non_null(c);
    assert_string_equal(c->heading, "Total hours");
    assert_string_equal(c->format, "#,##0.0");
    assert_true(c->width == 14);
    assert_int_equal(c->link, CW_LINK_NONE);
    assert_int_equal(c->line, 11);
    c = cw_report_section_column(s, "name");
    assert_null(c->heading);
    assert_null(c->format);
    assert_true(c->width == 0);
    assert_int_equal(c->link, CW_LINK_JIRA);
    assert_null(cw_report_section_column(s, "done_at"));
    s = &def->sections[1];
    assert_string_equal(s->sheet, "Whole view");
    assert_string_equal(s->sql, "view v_dora_weekly");
    assert_string_equal(s->query, "SELECT * FROM v_dora_weekly");
    assert_int_equal(s->chart, CW_SECTION_NO_CHART);
    cw_report_definition_free(def);
    cw_remove_tree(dir);
    free(dir);
}

/* The text fails to load, and stderr names "my.report:LINE: " and message. */
static void expect_error(const char *dir, const char *text, int line, const char *message)
{
    cw_report_definition *def = (cw_report_definition *)1;
    cw_redirect err;
    char where[32];
    cw_redirect_begin(&err, STDERR_FILENO);
    int rc = cw_report_definition_parse(text, "my.report", dir, &def);
    char *got = cw_redirect_end(&err);
    snprintf(where, sizeof where, "my.report:%d: ", line);
    const char *needles[] = { where, message, NULL };
    assert_int_equal(rc, -1);
    assert_null(def);
    cw_expect_all(got, needles);
    free(got);
}

static void test_each_error_names_file_and_line(void **state)
{
    char *dir = templates_dir();
    (void)state;
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\ncolour = red\n", 4,
                 "colour: unknown key in [sheet A]");
    expect_error(dir, "[sheet A]\ntitle = t\n\nquery = sql/missing.sql\n", 4,
                 "query: cannot read");
    expect_error(dir, "[page A]\ntitle = t\n", 1, "unknown section [page A]");
    expect_error(dir, "title = t\n[sheet A]\ntitle = t\nquery = sql/a.sql\n", 1,
                 "a key before the first [sheet NAME]");
    expect_error(dir, "[sheet A]\nquery = sql/a.sql\n", 1, "title: [sheet A] needs a title");
    expect_error(dir, "[sheet A]\ntitle = t\n", 1, "query: [sheet A] needs a query");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = ../a.sql\n", 3, "a relative path without ..");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = /etc/passwd\n", 3, "a relative path without ..");
    expect_error(dir, "[sheet A]\ntitle = t\nview = v; DROP\n", 3, "is not a view name");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\nview = v\n", 4,
                 "already has its query (line 3)");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\nchart = pie\n", 4,
                 "unknown chart 'pie'");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\nchart = stacked_bar\n", 1,
                 "a stacked_bar needs category, series and value");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\ncolumn x = h | 0 | wide\n", 4,
                 "width 'wide'");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\ncolumn x = h | 0 | 9 | url\n", 4,
                 "link 'url'");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\ncolumn x = a\ncolumn x = b\n", 5,
                 "given twice (first at line 4)");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\n[sheet a]\ntitle = u\nquery = sql/a.sql\n",
                 4, "[sheet a] given twice (first at line 1)");
    expect_error(dir, "[sheet A sheet name longer than 31 chars]\ntitle = t\n", 1,
                 "longer than 31 characters");
    expect_error(dir, "[sheet A/B]\ntitle = t\n", 1, "cannot hold");
    expect_error(dir, "[sheet data]\ntitle = t\nquery = sql/a.sql\n", 1, "has a sheet of that name");
    expect_error(dir, "[sheet Lead time]\ntitle = t\nquery = sql/a.sql\n", 1,
                 "has a sheet of that name");
    expect_error(dir, "[sheet A]\ntitle = t\ntitle = u\nquery = sql/a.sql\n", 3, "given twice");
    expect_error(dir, "[sheet A]\ntitle = t\nquery = sql/a.sql\nthis is not ini\n", 4, "syntax error");
    expect_error(dir, "; nothing\n", 1, "no [sheet NAME] section");
    expect_error(dir, "[sheet A]\ntitle = caf\xe9\nquery = sql/a.sql\n", 2, "not valid UTF-8");
    cw_remove_tree(dir);
    free(dir);
}

/* The built-in definition loads, and every query it names is embedded. */
static void test_built_in_definition(void **state)
{
    cw_report_definition *def = NULL;
    (void)state;
    assert_int_equal(cw_report_definition_load(NULL, "weekly", &def), 0);
    assert_true(def->n_sections >= 10);
    assert_string_equal(def->sections[0].sheet, "Value stream");
    assert_int_equal(def->sections[0].chart, CW_SECTION_STACKED_BAR);
    assert_string_equal(def->sections[0].flag, "is_waiting");
    for (size_t i = 0; i < def->n_sections; i++) {
        assert_non_null(def->sections[i].query);
        assert_non_null(def->sections[i].title);
        assert_non_null(def->sections[i].intro);
    }
    assert_non_null(strstr(def->file, "templates/weekly.report (built in)"));
    cw_report_definition_free(def);
}

/* A section's query over a hand-made table: run in the read-only
 * transaction, headings and formats as the definition says; a query that
 * writes or returns no columns fails with the definition's line and
 * changes nothing. */
static void test_sections_run_read_only(void **state)
{
    char *dir = templates_dir(), *db_path = cw_asprintf("%s/w.db", dir);
    cw_db_target target = { db_path, NULL, NULL };
    cw_db *rw, *ro;
    char err[256];
    cw_report_definition *def;
    cw_report r;
    (void)state;
    assert_int_equal(cw_db_open(&target, CW_DB_READ_WRITE, &rw, err, sizeof err), CW_DB_OK);
    cw_test_exec(rw, "CREATE TABLE t (name TEXT, total_h REAL, done_at INTEGER, at INTEGER);"
                     "INSERT INTO t VALUES ('PAY-1', 1.25, 1000, 10), ('PAY-2', 2.5, NULL, 20),"
                     " ('PAY-3', 9, 9, 30)");
    cw_db_close(rw);
    assert_int_equal(cw_db_open(&target, CW_DB_READ_ONLY, &ro, err, sizeof err), CW_DB_OK);

    assert_int_equal(cw_report_definition_parse(good, "my.report", dir, &def), 0);
    cw_report_init(&r, 10, 30);
    def->n_sections = 1;        /* the view's sheet needs a warehouse */
    assert_int_equal(cw_report_gather_sections(ro, def, &r), 0);
    assert_int_equal(r.n_tables, 1);
    const cw_report_table *t = &r.tables[0];
    assert_int_equal(t->n_rows, 2);             /* at in [10, 30) */
    char *h = cw_report_table_heading(t, 1);
    assert_string_equal(h, "Total hours");
    free(h);
    h = cw_report_table_heading(t, 2);
    assert_string_equal(h, "done at");          /* no spec: from the name */
    free(h);
    assert_string_equal(cw_report_table_format(t, 1), "#,##0.0");
    assert_string_equal(cw_report_table_format(t, 2), "yyyy-mm-dd hh:mm");
    assert_null(cw_report_table_format(t, 0));  /* text */
    assert_true(cw_report_table_width(t, 1) == 14);
    assert_int_equal(cw_report_table_link(t, 0), CW_LINK_JIRA);
    cw_report_free(&r);

    /* writes: refused before they run (no columns) or by the connection */
    static const char *const writes[][2] = {
        { "DELETE FROM t", "returns no columns" },
        { "CREATE TABLE u (x INTEGER)", "returns no columns" },
        { "DELETE FROM t RETURNING name", "readonly" },
        { "SELECT name FROM nowhere", "no such table" },
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        cw_redirect e;
        char *text = cw_asprintf("[sheet W]\ntitle = w\n\nquery = sql/w.sql\n");
        char *sqldir = cw_asprintf("%s/sql", dir);
        cw_write_file(sqldir, "w.sql", writes[i][0]);
        assert_int_equal(cw_report_definition_parse(text, "my.report", dir, &def), 0);
        cw_report_init(&r, 0, 100);
        cw_redirect_begin(&e, STDERR_FILENO);
        int rc = cw_report_gather_sections(ro, def, &r);
        char *got = cw_redirect_end(&e);
        const char *needles[] = { "my.report:4: query: sql/w.sql", writes[i][1], NULL };
        assert_int_equal(rc, -1);
        cw_expect_all(got, needles);
        free(got);
        cw_report_free(&r);
        free(text);
        free(sqldir);
    }
    cw_db_close(ro);
    assert_int_equal(cw_db_open(&target, CW_DB_READ_WRITE, &rw, err, sizeof err), CW_DB_OK);
    char *rows = cw_query_rows(rw, "SELECT count(*) FROM t UNION ALL "
                                   "SELECT count(*) FROM sqlite_master WHERE name = 'u'");
    assert_string_equal(rows, "3;0;");
    free(rows);
    cw_db_close(rw);
    cw_remove_tree(dir);
    free(dir);
    free(db_path);
}

/* Links from the sources' base_url: the Jira source listing the project
 * wins, a trailing '/' is dropped, a Jenkins folder job becomes job/a/job/b;
 * no base_url, no link. */
static void test_links(void **state)
{
    cw_kv jira1[] = { { "base_url", "https://one.example.com", 1 }, { "projects", "ABC", 2 } };
    cw_kv jira2[] = { { "base_url", "https://two.example.com/", 3 }, { "projects", "PAY, OPS", 4 } };
    cw_kv ci[] = { { "base_url", "https://ci.example.com", 5 } };
    cw_kv files[] = { { "path", "exports/jira", 6 } };
    cw_source sources[] = {
        { .name = "files", .type = "jira", .keys = files, .n_keys = 1 },
        { .name = "j1", .type = "jira", .keys = jira1, .n_keys = 2 },
        { .name = "j2", .type = "jira", .keys = jira2, .n_keys = 2 },
        { .name = "ci", .type = "jenkins", .keys = ci, .n_keys = 1 },
    };
    cw_config cfg = { .sources = sources, .n_sources = 4 };
    char *url;
    (void)state;
    url = cw_report_issue_url(&cfg, "PAY-12");
    assert_string_equal(url, "https://two.example.com/browse/PAY-12");
    free(url);
    url = cw_report_issue_url(&cfg, "ZZZ-1");           /* no project match: the first */
    assert_string_equal(url, "https://one.example.com/browse/ZZZ-1");
    free(url);
    url = cw_report_build_url(&cfg, "team/deploy pay", 42);
    assert_string_equal(url, "https://ci.example.com/job/team/job/deploy%20pay/42/");
    free(url);
    assert_null(cw_report_issue_url(&cfg, "nokey"));
    assert_null(cw_report_issue_url(NULL, "PAY-1"));
    cfg.n_sources = 1;                                  /* file sources only */
    assert_null(cw_report_issue_url(&cfg, "PAY-1"));
    assert_null(cw_report_build_url(&cfg, "deploy", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_definition),
        cmocka_unit_test(test_each_error_names_file_and_line),
        cmocka_unit_test(test_built_in_definition),
        cmocka_unit_test(test_sections_run_read_only),
        cmocka_unit_test(test_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
