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
 */
#include "internal.h"

#include <stdio.h>

#define HALF_YEAR (26 * CW_DEMO_WEEK)

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
    }
    return cw_demo_close(ctx, fp, rel, 0);
}
