/*
 * test_template.c - the report layouts' template language (reports/template.h):
 * variables and escaping, dotted names, sections over lists, objects and
 * plain values, inverted sections, comments, standalone lines, partials from
 * a folder, and errors naming file and line.  Every expectation is worked
 * out by hand from the template text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "support.h"
#include "core/util.h"
#include "reports/template.h"

/* Render text with the context given as JSON; NULL on error (err filled). */
static char *render_in(const char *dir, const char *text, const char *json, int escape,
                       char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *ctx = json_loads(json, 0, &jerr);
    assert_non_null(ctx);
    cw_template *t = cw_template_parse(text, "t.html", err, errlen);
    cw_buf out = {0};
    char *result = NULL;
    if (t && cw_template_render(t, ctx, dir, escape, &out, err, errlen) == 0)
        result = cw_strdup(out.data ? out.data : "");
    cw_buf_free(&out);
    cw_template_free(t);
    json_decref(ctx);
    return result;
}

static void expect(const char *text, const char *json, const char *want)
{
    char err[512] = "";
    char *got = render_in(NULL, text, json, 1, err, sizeof err);
    if (!got)
        fail_msg("%s: %s", text, err);
    assert_string_equal(got, want);
    free(got);
}

static void expect_error(const char *text, const char *json, const char *want)
{
    char err[512] = "";
    char *got = render_in(NULL, text, json, 1, err, sizeof err);
    assert_null(got);
    assert_string_equal(err, want);
}

static void test_variables_and_escaping(void **state)
{
    (void)state;
    expect("Hello {{name}}!", "{\"name\": \"world\"}", "Hello world!");
    /* each of the five characters, escaped by default */
    expect("{{s}}", "{\"s\": \"<a href='x'>&\\\"</a>\"}",
           "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    /* raw, both spellings */
    expect("{{{s}}}|{{& s}}", "{\"s\": \"<b>\"}", "<b>|<b>");
    /* a missing name, null and false are empty; numbers and true as text */
    expect("[{{missing}}][{{n}}][{{f}}][{{i}}][{{r}}][{{t}}]",
           "{\"n\": null, \"f\": false, \"i\": 42, \"r\": 2.5, \"t\": true}", "[][][][42][2.5][true]");
    /* blanks inside the braces */
    expect("{{ name }}", "{\"name\": \"x\"}", "x");
}

static void test_escape_off_for_text(void **state)
{
    (void)state;
    char err[256];
    char *got = render_in(NULL, "{{s}} & {{{s}}}", "{\"s\": \"a < b & 'c'\"}", 0, err, sizeof err);
    assert_non_null(got);
    assert_string_equal(got, "a < b & 'c' & a < b & 'c'");
    free(got);
}

static void test_dotted_names(void **state)
{
    (void)state;
    expect("{{a.b.c}}", "{\"a\": {\"b\": {\"c\": \"deep\"}}}", "deep");
    /* a missing step is empty, not an error */
    expect("[{{a.x.c}}]", "{\"a\": {\"b\": 1}}", "[]");
    /* the first step is found outside the section, the rest inside it only */
    expect("{{#item}}{{name}}/{{top.name}}{{/item}}",
           "{\"top\": {\"name\": \"T\"}, \"item\": {\"name\": \"I\"}}", "I/T");
}

static void test_sections(void **state)
{
    (void)state;
    /* a list: once per element, pushed; {{.}} is the element */
    expect("{{#xs}}<{{.}}>{{/xs}}", "{\"xs\": [1, 2, 3]}", "<1><2><3>");
    expect("{{#rows}}{{k}}={{v}};{{/rows}}", "{\"rows\": [{\"k\": \"a\", \"v\": 1}, {\"k\": \"b\", \"v\": 2}]}",
           "a=1;b=2;");
    /* an outer name is visible inside */
    expect("{{#rows}}{{k}}{{sep}}{{/rows}}", "{\"sep\": \",\", \"rows\": [{\"k\": \"a\"}, {\"k\": \"b\"}]}",
           "a,b,");
    /* an object: once, pushed */
    expect("{{#o}}{{x}}{{/o}}", "{\"o\": {\"x\": \"in\"}}", "in");
    /* a true value: once, nothing pushed */
    expect("{{#t}}yes {{x}}{{/t}}", "{\"t\": true, \"x\": \"X\"}", "yes X");
    expect("{{#s}}[{{s}}]{{/s}}", "{\"s\": \"text\"}", "[text]");
    /* false values: missing, null, false, 0, "" and [] */
    expect("{{#a}}1{{/a}}{{#b}}2{{/b}}{{#c}}3{{/c}}{{#d}}4{{/d}}{{#e}}5{{/e}}{{#f}}6{{/f}}.",
           "{\"b\": null, \"c\": false, \"d\": 0, \"e\": \"\", \"f\": []}", ".");
    /* inverted: once when false */
    expect("{{^xs}}none{{/xs}}{{^t}}no{{/t}}", "{\"xs\": [], \"t\": true}", "none");
    /* nested lists */
    expect("{{#teams}}{{name}}:{{#apps}}{{.}}{{/apps}};{{/teams}}",
           "{\"teams\": [{\"name\": \"T1\", \"apps\": [\"a\", \"b\"]}, {\"name\": \"T2\", \"apps\": []}]}",
           "T1:ab;T2:;");
}

static void test_comments_and_standalone_lines(void **state)
{
    (void)state;
    expect("a{{! a comment\nover two lines }}b", "{}", "ab");
    /* section, close and comment tags alone on their lines leave no line */
    expect("<ul>\n  {{#xs}}\n  <li>{{.}}</li>\n  {{/xs}}\n  {{! done }}\n</ul>\n", "{\"xs\": [1, 2]}",
           "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    /* a tag sharing its line with text keeps the line */
    expect("x {{#t}}y{{/t}}\nz", "{\"t\": true}", "x y\nz");
    /* CRLF line ends too */
    expect("{{#t}}\r\nin\r\n{{/t}}\r\nout", "{\"t\": true}", "in\r\nout");
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = cw_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static void test_partials(void **state)
{
    (void)state;
    char *dir = cw_temp_dir(), *sub = cw_asprintf("%s/partials", dir), err[512];
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(dir, "partials/row.html", "<td>{{name}}</td>");
    write_file(dir, "partials/broken.html", "line one\n{{#open}}\n");
    write_file(dir, "partials/self.html", "{{>partials/self.html}}");
    char *got = render_in(dir, "{{#rows}}<tr>{{>partials/row.html}}</tr>{{/rows}}",
                          "{\"rows\": [{\"name\": \"a<b\"}, {\"name\": \"c\"}]}", 1, err, sizeof err);
    assert_non_null(got);
    assert_string_equal(got, "<tr><td>a&lt;b</td></tr><tr><td>c</td></tr>");
    free(got);
    /* an unknown partial: the including file and line */
    got = render_in(dir, "one\ntwo {{>partials/nope.html}}", "{}", 1, err, sizeof err);
    assert_null(got);
    assert_string_equal(err, "t.html:2: unknown partial 'partials/nope.html'");
    /* an error inside a partial names the partial's own file and line */
    got = render_in(dir, "{{>partials/broken.html}}", "{}", 1, err, sizeof err);
    assert_null(got);
    char *want = cw_asprintf("%s/partials/broken.html:2: unclosed section 'open'", dir);
    assert_string_equal(err, want);
    free(want);
    /* a partial including itself stops */
    got = render_in(dir, "{{>partials/self.html}}", "{}", 1, err, sizeof err);
    assert_null(got);
    assert_non_null(strstr(err, "partials nested deeper than 16"));
    /* the whole check of a template file follows its partials */
    write_file(dir, "good.html", "{{>partials/row.html}}");
    write_file(dir, "bad.html", "ok\n{{>partials/broken.html}}");
    assert_int_equal(cw_template_check(dir, "good.html"), 0);
    assert_int_equal(cw_template_check(dir, "bad.html"), -1);
    assert_int_equal(cw_template_check(dir, "missing.html"), -1);
    /* render_file: .txt is not escaped */
    write_file(dir, "plain.txt", "{{s}}\n");
    json_t *ctx = json_pack("{s:s}", "s", "a<b");
    cw_buf out = {0};
    assert_int_equal(cw_template_render_file(dir, "plain.txt", ctx, &out), 0);
    assert_string_equal(out.data, "a<b\n");
    cw_buf_free(&out);
    json_decref(ctx);
    char *cmd = cw_asprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(sub);
    free(dir);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    expect_error("<p>\n{{#teams}}\n<li>{{name}}</li>\n", "{}", "t.html:2: unclosed section 'teams'");
    expect_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}", "{}",
                 "t.html:3: '{{/a}}' does not close section 'b' (line 2)");
    expect_error("x\n\n{{/a}}", "{}", "t.html:3: '{{/a}}' closes no section");
    expect_error("a\nb {{name", "{}", "t.html:2: unclosed tag '{{name'");
    expect_error("{{{raw}}", "{}", "t.html:1: unclosed tag '{{{raw}}'");
    expect_error("{{two words}}", "{}", "t.html:1: bad tag name '{{two words}}'");
    expect_error("{{=<% %>=}}", "{}", "t.html:1: set-delimiter tags are not supported");
    /* lines are counted across a multi-line comment */
    expect_error("{{! one\ntwo\nthree }}\n{{#x}}", "{}", "t.html:4: unclosed section 'x'");
}

static void test_built_in_templates_parse(void **state)
{
    (void)state;
    assert_int_equal(cw_template_check(NULL, "weekly.html"), 0);
    assert_int_equal(cw_template_check(NULL, "email.html"), 0);
    assert_int_equal(cw_template_check(NULL, "email.txt"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variables_and_escaping),
        cmocka_unit_test(test_escape_off_for_text),
        cmocka_unit_test(test_dotted_names),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_comments_and_standalone_lines),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_built_in_templates_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
