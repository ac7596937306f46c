/*
 * demo.c - `catwalk demo DIR`: write a realistic synthetic enterprise in the
 * real export formats, with the catwalk.ini that loads it.
 *
 * Harbourside Insurance Group has five teams and 35 applications.  For each
 * application the simulation (demo_sim.c) produces deployments, tickets,
 * commits and incidents that agree with each other: commits name the
 * tickets they implement, deployments deploy commits of the same log,
 * tickets are done after the deployment that shipped them, incidents follow
 * some deployments at the application's failure rate.  The writers put it
 * into DIR/exports/ exactly as Jira, git, Jenkins, PagerDuty and ServiceNow
 * export it, so `catwalk run` exercises every parser on realistic volumes.
 *
 * Output streams: each application is simulated, written and freed before
 * the next, so memory follows the largest application (about 100 bytes per
 * ticket and commit); --scale grows files, not the working set of the
 * group.  The same options always give the same bytes.
 */
#include "commands.h"
#include "demo.h"
#include "../core/log.h"
#include "../core/util.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

static void demo_usage(FILE *out)
{
    fprintf(out,
            "usage: catwalk demo [--seed N] [--scale X] [--weeks N] [--end YYYY-MM-DD] [--force] DIR\n\n"
            "Write a synthetic insurance group (5 teams, 35 applications) into DIR: Jira\n"
            "search pages, git logs, Jenkins jobs, PagerDuty pages and a ServiceNow CSV in\n"
            "the formats those tools export, and DIR/catwalk.ini to load them with\n"
            "'catwalk run -c DIR/catwalk.ini'.  The same options give the same bytes.\n\n"
            "  --seed N         random seed (default 42)\n"
            "  --scale X        multiply tickets, commits, deployments and incidents\n"
            "                   (default 1; e.g. 0.1 for a quick look, 20 for a benchmark)\n"
            "  --weeks N        weeks of data up to --end (default 12), after %d weeks of history\n"
            "  --end DATE       the export instant, 00:00 UTC (default: Monday of this ISO week)\n"
            "  --force          write into a DIR that is not empty, replacing earlier demo exports\n"
            "  -q, --quiet      no summary\n\n"
            "exit status: 0 ok; 1 a file could not be written; 2 usage error or DIR not empty.\n",
            CW_DEMO_HISTORY_WEEKS);
}

/* ---- options ------------------------------------------------------------------ */

static int64_t this_monday(void)
{
    int64_t day = cw_demo_floor_div((int64_t)time(NULL), CW_DEMO_DAY);
    return (day - cw_demo_weekday(day)) * CW_DEMO_DAY;
}

static int parse_number(const char *opt, const char *text, double lo, double hi, double *out)
{
    char *end = NULL;
    double v;
    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "catwalk: demo: %s: expected a number from %g to %g, got '%s'\n", opt, lo, hi, text);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_seed(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') {
        fprintf(stderr, "catwalk: demo: --seed: expected a non-negative integer, got '%s'\n", text);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int parse_end(const char *text, int64_t *out)
{
    if (strlen(text) != 10 || cw_time_parse_iso8601(text, NULL, out) != 0) {
        fprintf(stderr, "catwalk: demo: --end: expected a date YYYY-MM-DD, got '%s'\n", text);
        return -1;
    }
    return 0;
}

/* 0 to go on, 1 after --help, -1 on a usage error (already reported). */
static int parse_options(int argc, char **argv, cw_demo_opts *o, int *quiet)
{
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'}, {"scale", required_argument, NULL, 'x'},
        {"weeks", required_argument, NULL, 'w'}, {"end", required_argument, NULL, 'e'},
        {"force", no_argument, NULL, 'f'},      {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    double weeks = 12;
    int opt, rc = 0;

    optind = 1;
    while (rc == 0 && (opt = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (opt) {
        case 's': rc = parse_seed(optarg, &o->seed); break;
        case 'x': rc = parse_number("--scale", optarg, 0.001, 1000, &o->scale); break;
        case 'w': rc = parse_number("--weeks", optarg, 1, 520, &weeks); break;
        case 'e': rc = parse_end(optarg, &o->end); break;
        case 'f': o->force = 1; break;
        case 'q': *quiet = 1; break;
        case 'h': demo_usage(stdout); return 1;
        default: rc = -1; break;
        }
    }
    o->weeks = (int)weeks;
    if (rc == 0 && (double)o->weeks != weeks) {
        fprintf(stderr, "catwalk: demo: --weeks: expected a whole number of weeks\n");
        rc = -1;
    }
    if (rc == 0 && optind + 1 != argc) {
        fprintf(stderr, "catwalk: demo: expected exactly one DIR\n");
        rc = -1;
    }
    if (rc != 0) {
        fputs("usage: catwalk demo [--seed N] [--scale X] [--weeks N] [--end YYYY-MM-DD] [--force] DIR\n"
              "see 'catwalk demo --help'\n", stderr);
        return -1;
    }
    o->dir = argv[optind];
    return 0;
}

/* ---- the output folder -------------------------------------------------------- */

static const char *const export_dirs[] = {
    "exports", "exports/jira", "exports/git", "exports/jenkins", "exports/pagerduty", "exports/servicenow",
};

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "catwalk: demo: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    if (cw_mkdirs(path) == 0)
        return 0;
    fprintf(stderr, "catwalk: demo: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;
    if (!d)
        return 1;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* With --force, earlier exports go first: a smaller run must not leave the
 * pages of a bigger one behind.  Only files the demo writes are touched. */
static void remove_old_exports(const char *dir)
{
    static const struct { const char *sub, *suffix; } kinds[] = {
        {"exports/jira", ".json"}, {"exports/git", ".log"}, {"exports/jenkins", ".json"},
        {"exports/pagerduty", ".json"}, {"exports/servicenow", "incident.csv"},
    };
    for (size_t k = 0; k < CW_DEMO_COUNT(kinds); k++) {
        char *path = cw_asprintf("%s/%s", dir, kinds[k].sub);
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (ends_with(e->d_name, kinds[k].suffix)) {
                char *file = cw_asprintf("%s/%s", path, e->d_name);
                unlink(file);
                free(file);
            }
        }
        if (d)
            closedir(d);
        free(path);
    }
}

static int prepare_dir(const cw_demo_opts *o)
{
    struct stat st;

    if (stat(o->dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            fprintf(stderr, "catwalk: demo: %s exists and is not a folder\n", o->dir);
            return CW_EXIT_USAGE;
        }
        if (!dir_is_empty(o->dir) && !o->force) {
            fprintf(stderr, "catwalk: demo: %s is not empty; use --force to write into it anyway\n", o->dir);
            return CW_EXIT_USAGE;
        }
    }
    if (make_dirs(o->dir) != 0)
        return CW_EXIT_FAILURE;
    for (size_t i = 0; i < CW_DEMO_COUNT(export_dirs); i++) {
        char *path = cw_asprintf("%s/%s", o->dir, export_dirs[i]);
        int rc = make_dir(path);
        free(path);
        if (rc != 0)
            return CW_EXIT_FAILURE;
    }
    if (o->force)
        remove_old_exports(o->dir);
    return CW_EXIT_OK;
}

/* ---- file helpers shared by the writers ---------------------------------------- */

FILE *cw_demo_open(cw_demo_ctx *ctx, const char *rel)
{
    char *path = cw_asprintf("%s/%s", ctx->opts->dir, rel);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fprintf(stderr, "catwalk: demo: cannot write %s: %s\n", path, strerror(errno));
    else
        setvbuf(fp, NULL, _IOFBF, 1 << 16);
    free(path);
    return fp;
}

int cw_demo_close(cw_demo_ctx *ctx, FILE *fp, const char *rel)
{
    int failed = ferror(fp);
    if (fclose(fp) != 0)
        failed = 1;
    if (failed) {
        fprintf(stderr, "catwalk: demo: cannot write %s/%s: %s\n", ctx->opts->dir, rel, strerror(errno));
        return -1;
    }
    ctx->totals.files++;
    return 0;
}

int cw_demo_write_json(cw_demo_ctx *ctx, const char *rel, void *value)
{
    json_t *json = value;
    char *text;
    FILE *fp;
    int rc;

    if (!json) {
        fprintf(stderr, "catwalk: demo: cannot build the JSON of %s\n", rel);
        return -1;
    }
    fp = cw_demo_open(ctx, rel);
    if (!fp) {
        json_decref(json);
        return -1;
    }
    /* Serialise to memory first: json_dumpf writes token by token, one
     * locked fwrite each, which is most of the run time. */
    text = json_dumps(json, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(json);
    rc = text && fputs(text, fp) != EOF ? 0 : -1;
    free(text);
    if (rc != 0 || fputc('\n', fp) == EOF) {
        fclose(fp);
        fprintf(stderr, "catwalk: demo: cannot write %s/%s\n", ctx->opts->dir, rel);
        return -1;
    }
    return cw_demo_close(ctx, fp, rel);
}

/* ---- the run ---------------------------------------------------------------------- */

static int write_application(cw_demo_ctx *ctx, int index)
{
    cw_demo_history h;
    int rc = cw_demo_simulate(ctx, index, &h);
    if (rc == 0)
        rc = cw_demo_write_jira(ctx, &h);
    if (rc == 0)
        rc = cw_demo_write_git(ctx, &h);
    if (rc == 0)
        rc = cw_demo_write_jenkins(ctx, &h);
    cw_demo_history_free(&h);
    return rc;
}

static int generate(cw_demo_ctx *ctx)
{
    for (size_t i = 0; i < cw_demo_n_apps; i++) {
        cw_progress("demo: applications", (long)i, (long)cw_demo_n_apps);
        if (write_application(ctx, (int)i) != 0)
            return -1;
    }
    cw_progress_end();
    cw_demo_unrelated_incidents(ctx);
    if (cw_demo_write_pagerduty(ctx) != 0 || cw_demo_write_servicenow(ctx) != 0)
        return -1;
    return cw_demo_write_config(ctx);
}

static void print_summary(const cw_demo_ctx *ctx)
{
    const cw_demo_totals *t = &ctx->totals;
    char end[16];
    cw_time_format_date(ctx->end, end, sizeof end);
    printf("catwalk demo: Harbourside Insurance Group in %s (seed %llu, scale %g, %d weeks up to %s)\n"
           "  files        %ld\n"
           "  tickets      %ld in %zu Jira projects\n"
           "  commits      %ld in %zu repositories\n"
           "  deployments  %ld to production (%ld untraceable), %ld Jenkins runs\n"
           "  incidents    %ld (PagerDuty %ld, ServiceNow %ld)\n"
           "next: catwalk run -c %s/catwalk.ini\n",
           ctx->opts->dir, (unsigned long long)ctx->opts->seed, ctx->opts->scale, ctx->opts->weeks, end,
           t->files, t->tickets, cw_demo_n_apps, t->commits, cw_demo_n_apps, t->deployments, t->untraceable,
           t->builds, t->incidents_pd + t->incidents_sn, t->incidents_pd, t->incidents_sn, ctx->opts->dir);
}

int cmd_demo(int argc, char **argv)
{
    cw_demo_opts o = { NULL, 42, 1.0, 12, this_monday(), 0 };
    cw_demo_ctx ctx;
    int quiet = 0, rc;

    rc = parse_options(argc, argv, &o, &quiet);
    if (rc != 0)
        return rc > 0 ? CW_EXIT_OK : CW_EXIT_USAGE;
    rc = prepare_dir(&o);
    if (rc != CW_EXIT_OK)
        return rc;
    memset(&ctx, 0, sizeof ctx);
    ctx.opts = &o;
    ctx.end = o.end;
    ctx.window_start = o.end - (int64_t)o.weeks * CW_DEMO_WEEK;
    ctx.sim_start = ctx.window_start - CW_DEMO_HISTORY_WEEKS * CW_DEMO_WEEK;
    rc = cw_demo_zones_init(&ctx) == 0 && generate(&ctx) == 0 ? CW_EXIT_OK : CW_EXIT_FAILURE;
    if (rc == CW_EXIT_OK && !quiet)
        print_summary(&ctx);
    cw_demo_zones_free(&ctx);
    free(ctx.incidents);
    return rc;
}
