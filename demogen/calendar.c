/*
 * calendar.c - the mainframe's release calendar, as the programme office
 * keeps it in a spreadsheet: exports/calendar/<application>.csv with the
 * columns Application, Project (its Jira project), Release, Start, Release
 * date, Released (yes/no), one row per 6-monthly release (two before, the
 * current one, two planned): what a csv source with target = release reads.
 *
 * Only the applications on a quarterly cadence (the mainframe) have one.
 * The release in the window is the application's last production
 * deployment before the export: its date is that deployment's, so the
 * calendar and the deployments agree; the others are 26 weeks apart.  A
 * calendar is a plan, not a change log: the delta day has none.
 *
 * The programme office also plans the mobile app's store releases (Customer
 * App, project CAPP: its work is not tracked by fix version) in the same
 * spreadsheet: 5.1 shipped two weeks before the export, 5.2 is planned six
 * weeks before the mainframe's next release, 5.3 four weeks after it.  5.2
 * needs that mainframe release (catwalk.ini: [release "CAPP 5.2"]
 * depends_on), so the forecast shows it at risk with the mainframe release
 * as its critical dependency (transform/forecast.h).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define HALF_YEAR (26 * CW_DEMO_WEEK)

/* The mobile app's store releases around the mainframe's next one (when
 * the group has the mobile app). */
static void write_mobile(const cw_demo_ctx *ctx, FILE *fp, int64_t mainframe_next)
{
    static const char *const names[] = { "5.1", "5.2", "5.3" };
    const int64_t at[] = { ctx->cut - 2 * CW_DEMO_WEEK, mainframe_next - 6 * CW_DEMO_WEEK,
                           mainframe_next + 4 * CW_DEMO_WEEK };
    size_t app = 0;
    while (app < ctx->world.n_apps && strcmp(ctx->world.apps[app].project, CW_DEMO_MOBILE) != 0)
        app++;
    if (app == ctx->world.n_apps)
        return;
    for (int k = 0; k < 3; k++) {
        char start_s[16], release_s[16];
        cw_time_format_date(at[k] - 6 * CW_DEMO_WEEK, start_s, sizeof start_s);
        cw_time_format_date(at[k], release_s, sizeof release_s);
        fprintf(fp, "%s,%s,%s,%s,%s,%s\n", ctx->world.apps[app].name, CW_DEMO_MOBILE, names[k],
                start_s, release_s, at[k] < ctx->cut ? "yes" : "no");
    }
}

int cw_demo_write_calendar(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    char rel[200];
    int64_t anchor = 0;
    FILE *fp;

    if (h->app->cadence != CW_DEMO_QUARTERLY || ctx->since != INT64_MIN)
        return 0;
    for (size_t i = 0; i < h->n_deploys; i++)
        if (!h->deploys[i].running && !h->deploys[i].untraceable && h->deploys[i].prod_finish < ctx->cut &&
            h->deploys[i].prod_finish >= ctx->window_start)
            anchor = h->deploys[i].prod_finish;
    if (!anchor)
        anchor = ctx->cut + 8 * CW_DEMO_WEEK;
    snprintf(rel, sizeof rel, "exports/calendar/%s.csv", h->app->name);
    fp = cw_demo_open(ctx, rel);
    if (!fp)
        return -1;
    fputs("Application,Project,Release,Start,Release date,Released\n", fp);
    for (int k = -2; k <= 2; k++) {
        int64_t release = anchor + k * HALF_YEAR, start = release - HALF_YEAR + CW_DEMO_WEEK;
        char start_s[16], release_s[16], name[16];
        cw_time_format_date(start, start_s, sizeof start_s);
        cw_time_format_date(release, release_s, sizeof release_s);
        /* "2026.2": the year and half of the release date */
        snprintf(name, sizeof name, "%.4s.%c", release_s, release_s[5] == '0' && release_s[6] <= '6' ? '1' : '2');
        fprintf(fp, "%s,%s,%s,%s,%s,%s\n", h->app->name, h->app->project, name, start_s, release_s,
                release < ctx->cut ? "yes" : "no");
        if (release >= ctx->cut && !ctx->mainframe_next[0]) {
            write_mobile(ctx, fp, release);
            snprintf(ctx->mainframe_next, sizeof ctx->mainframe_next, "%s", name);
        }
    }
    return cw_demo_close(ctx, fp, rel, 0);
}
