/*
 * test_email.c - the email body (reports/email.c) from a model filled by
 * hand: it starts with the headline, then the five exceptions in rank order
 * (the sixth is left to the workbook), carries the trust banner, the release
 * at risk with its critical dependency and one table per team; it is
 * email-safe (no SVG, no script, images only as cid: parts, no external
 * request) and small; the plain text says the same things.  The page from
 * the same model shows the PNG charts instead of SVG.
 * CW_EMAIL_OUT=FILE and CW_PAGE_OUT=FILE write the body and the page there
 * (to look at them in chromium).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "core/util.h"
#include "reports/context.h"
#include "reports/report.h"

static void tile(cw_report *r, size_t i, const char *key, const char *label, const char *value,
                 int level, const char *change, int better, long samples, int small)
{
    cw_report_tile *t = &r->exec.headline.tiles[i];
    t->key = cw_report_intern(r, key);
    t->label = cw_report_intern(r, label);
    t->value = 1;
    t->value_text = cw_report_intern(r, value);
    t->level = level;
    t->change = 1;
    t->change_text = cw_report_intern(r, change);
    t->better = better;
    t->samples = samples;
    t->small_sample = small;
}

static void exception(cw_report *r, const char *subject, double score, const char *url)
{
    cw_report_exception e = { "aging_wip", "application", "mobile-app", subject,
                              cw_t("2026-10-01T00:00:00Z"), score, "Digital Channels", "Ada",
                              "in progress 40 days, 3.2 x the p85 of 12.5 days", url };
    cw_report_add_exception(r, &e);
}

static cw_dora_summary summary(const char *name, const char *team, cw_scope scope, double dpw,
                               cw_level level)
{
    cw_dora_summary s;
    memset(&s, 0, sizeof s);
    s.name = name;
    s.team = team;
    s.scope = scope;
    s.deploys_per_week = dpw;
    s.deploy_level = level;
    s.lead_time_median_h = 30;
    s.change_failure_rate = 0.125;
    s.restore_median_h = NAN;
    s.recent_deploys_per_week = s.prior_deploys_per_week = NAN;
    s.recent_lead_time_median_h = s.prior_lead_time_median_h = NAN;
    s.recent_change_failure_rate = s.prior_change_failure_rate = NAN;
    s.recent_restore_median_h = s.prior_restore_median_h = NAN;
    return s;
}

static void fill(cw_report *r, cw_report_image *image)
{
    cw_report_init(r, cw_t("2026-09-07T00:00:00Z"), cw_t("2026-11-30T00:00:00Z"));
    r->exec.forecast_hit_rate = NAN;
    tile(r, 0, "deployment_frequency", "Deployment frequency", "147.2 per week", CW_LEVEL_ELITE,
         "-8.0 per week", -1, 1766, 0);
    tile(r, 1, "lead_time", "Lead time", "5.0 days", CW_LEVEL_HIGH, "+0.2 days", -1, 8351, 0);
    tile(r, 2, "change_failure_rate", "Change failure rate", "6.2 %", CW_LEVEL_HIGH, "+0.7 pp",
         -1, 1766, 0);
    tile(r, 3, "restore", "Time to restore", "1.3 hours", CW_LEVEL_HIGH, "+0.4 hours", -1, 3, 1);
    r->exec.headline.n_tiles = 4;
    r->exec.headline.narrative = cw_report_intern(r, "Delivery is elite & steady <this> week.");
    cw_report_add_legend(r, "Lead time: elite under 1 day, high under 1 week");
    cw_report_source_state jira = { "jira", "jira", 0, "failed", "HTTP 401 from the server", 0 };
    cw_report_add_source_state(r, &jira);
    r->exec.trust.degraded = 1;
    cw_report_add_trust_finding(r, "12 items of no application");
    /* ranked: E1 .. E6 */
    exception(r, "MOB-1", 9.5, "https://jira.example.com/browse/MOB-1");
    exception(r, "MOB-2", 8.0, NULL);
    exception(r, "MOB-3", 7.0, NULL);
    exception(r, "MOB-4", 6.0, NULL);
    exception(r, "MOB-5", 5.0, NULL);
    exception(r, "MOB-6", 4.0, NULL);
    cw_report_forecast ok = { "CLAIMS 3.1", "claims-core", "Claims", 0, 4, 1,
                              cw_t("2026-12-10T00:00:00Z"), cw_t("2026-12-14T00:00:00Z"),
                              cw_t("2026-12-20T00:00:00Z"), -1, 0, NULL, NULL };
    cw_report_forecast late = { "MOBILE 5.2", "mobile-app", "Digital Channels",
                                cw_t("2026-12-15T00:00:00Z"), 12, 1, cw_t("2027-01-20T00:00:00Z"),
                                cw_t("2027-02-03T00:00:00Z"), cw_t("2027-02-17T00:00:00Z"), 8, 1,
                                "MAINFRAME 2027.1", "waits for the mainframe release" };
    cw_report_add_forecast(r, &ok);
    cw_report_add_forecast(r, &late);
    cw_dora_summary s = summary("organisation", NULL, CW_SCOPE_ORG, 147.17, CW_LEVEL_ELITE);
    cw_report_add_summary(r, &s);
    s = summary("Digital Channels", NULL, CW_SCOPE_TEAM, 57.67, CW_LEVEL_ELITE);
    cw_report_add_summary(r, &s);
    s = summary("Claims", NULL, CW_SCOPE_TEAM, 54.83, CW_LEVEL_ELITE);
    cw_report_add_summary(r, &s);
    s = summary("mobile-app", "Digital Channels", CW_SCOPE_APPLICATION, 22.92, CW_LEVEL_ELITE);
    cw_report_add_summary(r, &s);
    s = summary("claims-core", "Claims", CW_SCOPE_APPLICATION, 1.0, CW_LEVEL_HIGH);
    /* the case: 23.1 % -> 5.9 % is 17.2 percentage points better; a
     * lead time of 50.4 h reads 2.1 days, 0.5 h longer than the 49.9 before */
    s.prior_change_failure_rate = 0.231;
    s.recent_change_failure_rate = 0.059;
    s.lead_time_median_h = 50.4;
    s.recent_lead_time_median_h = 50.4;
    s.prior_lead_time_median_h = 49.9;
    cw_report_add_summary(r, &s);
    static unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    *image = (cw_report_image){ "deploy-frequency", "Deployment frequency",
                                "Deployments per week, organisation and teams", png, sizeof png,
                                1200, 600 };
}

/* Where needle first occurs in text, or fail. */
static size_t at(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    if (!p)
        fail_msg("missing: %s", needle);
    return (size_t)(p - text);
}

static void test_email_body(void **state)
{
    (void)state;
    cw_report r;
    cw_report_image image;
    char *html, *text;
    fill(&r, &image);
    assert_int_equal(cw_report_email_body(&r, &image, 1, &html, &text), 0);

    /* claims-core's row: the lead time in days (its trends are on the page) */
    at(html, ">2.1 days<");

    /* the headline first: the tiles and the narrative come before the exceptions */
    size_t tiles = at(html, ">147.2 per week<"), narrative = at(html, "Delivery is elite &amp; "
                                                                      "steady &lt;this&gt; week.");
    size_t e1 = at(html, ">MOB-1</a>"), e2 = at(html, "<strong>MOB-2</strong>");
    size_t e3 = at(html, "<strong>MOB-3</strong>"), e4 = at(html, "<strong>MOB-4</strong>");
    size_t e5 = at(html, "<strong>MOB-5</strong>");
    assert_true(tiles < at(html, ">5.0 days<") && at(html, ">1.3 hours<") < narrative);
    assert_true(narrative < e1 && e1 < e2 && e2 < e3 && e3 < e4 && e4 < e5);
    assert_null(strstr(html, "MOB-6"));
    assert_true(at(html, "<a href=\"https://jira.example.com/browse/MOB-1\"") < e1);
    /* then the trust banner, the release at risk, the teams, the charts */
    size_t trust = at(html, "Data warning: 1 of 1 sources did not load: jira (failed).");
    size_t risk = at(html, "<strong>MOBILE 5.2</strong>");
    assert_true(e5 < trust && trust < risk);
    assert_true(risk < at(html, "Waiting on MAINFRAME 2027.1."));
    assert_null(strstr(html, "CLAIMS 3.1"));        /* on track: the page has it, not the mail */
    assert_true(risk < at(html, ">Digital Channels</th>") && at(html, ">Claims</th>") <
                at(html, "src=\"cid:deploy-frequency\""));
    /* the small sample is greyed with its n */
    at(html, "high (n = 3)");
    /* 1200 px drawn, shown in the 600 px column */
    at(html, "width=\"600\" height=\"300\" alt=\"Deployments per week, organisation and teams\"");

    /* email-safe */
    assert_null(strcasestr(html, "<svg"));
    assert_null(strcasestr(html, "<script"));
    assert_null(strcasestr(html, "<link"));
    assert_null(strcasestr(html, "url("));
    for (const char *p = html; (p = strstr(p, "src=\"")); p += 5)
        assert_int_equal(strncmp(p + 5, "cid:", 4), 0);
    assert_true(strlen(html) < 100 * 1024);

    /* the plain text: the same headline, exceptions and forecasts, unescaped */
    size_t t_tiles = at(text, "- Deployment frequency: 147.2 per week (elite); -8.0 per week");
    size_t t_narr = at(text, "Delivery is elite & steady <this> week.");
    size_t t_e1 = at(text, "1. [Aging work] MOB-1 (application mobile-app), since 2026-10-01, "
                           "score 9.5");
    size_t t_e5 = at(text, "5. [Aging work] MOB-5");
    assert_true(t_tiles < t_narr && t_narr < t_e1 && t_e1 < t_e5);
    at(text, "   https://jira.example.com/browse/MOB-1\n");
    at(text, "- Time to restore: 1.3 hours (high, only 3 samples)");
    assert_null(strstr(text, "MOB-6"));
    at(text, "- MOBILE 5.2 (mobile-app, Digital Channels): at risk; planned "
                             "2026-12-15; P50 2027-01-20, P85 2027-02-03, P95 2027-02-17; 12 "
                             "remaining, 8 of 12 by the planned date at 85 %\n  Waiting on "
                             "MAINFRAME 2027.1.\n");
    /* the text names releases at risk only, as the HTML body does */
    assert_null(strstr(text, "CLAIMS 3.1"));
    assert_null(strstr(text, "&amp;"));
    /* CW_EMAIL_OUT=FILE keeps the body for a look in a browser */
    if (getenv("CW_EMAIL_OUT")) {
        FILE *out = fopen(getenv("CW_EMAIL_OUT"), "w");
        assert_non_null(out);
        fputs(html, out);
        fclose(out);
    }
    free(html);
    free(text);
    cw_report_free(&r);
}

/* The page from the same model: the same order of parts, and the PNG
 * chart as a data: URI replaces every hand-drawn SVG. */
static void test_page_with_png(void **state)
{
    (void)state;
    cw_report r;
    cw_report_image image;
    cw_buf page = {0};
    fill(&r, &image);
    assert_int_equal(cw_report_html_page(&r, &image, 1, &page), 0);
    const char *html = page.data;
    /* claims-core's trends: the rate's change in percentage points, the lead
     * time's in its shown unit (a regression, so red) */
    at(html, "<td class=\"num better\">\xe2\x96\xbc -17.2 pp</td>");
    at(html, "<td class=\"num worse\">\xe2\x96\xb2 +0.5 h</td>");
    size_t tiles = at(html, "<div class=\"tile-value\">147.2 per week</div>");
    size_t trust = at(html, "Data warning: 1 of 1 sources did not load");
    size_t e1 = at(html, ">MOB-1</a>"), e5 = at(html, "<strong>MOB-5</strong>");
    size_t forecasts = at(html, "<td>MOBILE 5.2</td>"), on_track = at(html, "<td>CLAIMS 3.1</td>");
    size_t teams = at(html, "<h2>Teams</h2>"), apps = at(html, "<h2>Applications</h2>");
    size_t chart = at(html, "<img src=\"data:image/png;base64,iVBORw0KGgo=\" width=\"1200\" "
                            "height=\"600\" alt=\"Deployments per week, organisation and teams\">");
    assert_true(tiles < trust && trust < e1 && e1 < e5 && e5 < forecasts && forecasts < on_track &&
                on_track < teams && teams < apps && apps < chart);
    assert_null(strstr(html, "MOB-6"));
    assert_null(strcasestr(html, "<svg"));
    /* teams without a Team column, applications with theirs */
    at(html, "<tr class=\"team\"><td>Claims</td><td class=\"num\">0</td>");
    at(html, "<tr class=\"application\"><td>mobile-app</td><td>Digital Channels</td>");
    const char *team_head = strstr(html, "<th rowspan=\"2\">Team</th>");
    assert_true(team_head && (size_t)(team_head - html) > apps);
    assert_null(strstr(team_head + strlen("<th rowspan=\"2\">Team</th>"), ">Team</th>"));
    if (getenv("CW_PAGE_OUT")) {
        FILE *out = fopen(getenv("CW_PAGE_OUT"), "w");
        assert_non_null(out);
        fputs(html, out);
        fclose(out);
    }
    cw_buf_free(&page);
    /* without PNG the page has no chart at all, never hand-drawn SVG, and
     * still the numbers behind each family's charts */
    assert_int_equal(cw_report_html_page(&r, NULL, 0, &page), 0);
    assert_null(strstr(page.data, "<svg"));
    assert_null(strstr(page.data, "<img"));
    assert_non_null(strstr(page.data, "<summary>Successful production deployments per week: table</summary>"));
    cw_buf_free(&page);
    cw_report_free(&r);
}

/* A team's slice: its own table only, and its name in the title. */
static void test_team_slice(void **state)
{
    (void)state;
    cw_report r;
    cw_report_image image;
    char *html, *text;
    fill(&r, &image);
    r.exec.team_slice = cw_report_intern(&r, "Claims");
    assert_int_equal(cw_report_email_body(&r, &image, 1, &html, &text), 0);
    at(html, "Catwalk weekly report, Claims, week of 2026-11-23");
    at(html, ">Claims</th>");
    at(html, ">claims-core</td>");
    assert_null(strstr(html, ">Digital Channels</th>"));
    assert_null(strstr(html, ">mobile-app</td>"));
    at(text, "Catwalk weekly report, Claims, week of 2026-11-23\n");
    free(html);
    free(text);
    cw_report_free(&r);
}

/* A bad email template fails the body with its file and line. */
static void test_bad_template_fails(void **state)
{
    (void)state;
    cw_report r;
    cw_report_image image;
    char *html = NULL, *text = NULL;
    fill(&r, &image);
    char *dir = cw_temp_dir(), *path = cw_asprintf("%s/email.html", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("<p>\n{{#exceptions}}\n", f);
    fclose(f);
    cw_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.report_templates = dir;
    r.exec.cfg = &cfg;
    assert_int_equal(cw_report_email_body(&r, &image, 1, &html, &text), -1);
    assert_null(html);
    assert_null(text);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
    cw_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_body),
        cmocka_unit_test(test_page_with_png),
        cmocka_unit_test(test_team_slice),
        cmocka_unit_test(test_bad_template_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
