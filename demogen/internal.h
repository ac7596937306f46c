/*
 * internal.h - the demo generator's own header, for the files of demogen/
 * only (the public interface is demogen.h): a synthetic insurance group
 * whose tools export exactly what the real ones do.
 *
 * The generator works one application at a time, forward in time:
 *   1. a deployment schedule (staging, failed attempts, production runs);
 *   2. tickets with a full workflow (Backlog ... Done), their branches and
 *      commits; after QA they wait in Ready for Release until the deployment
 *      that ships them, and are Done a little after it;
 *   3. the commit graph: merges and direct pushes form the main line, each
 *      branch starts at the main-line head of its first commit's time;
 *   4. each deployment's revision is the main-line head when it was cut;
 *   5. incidents shortly after some deployments, at the application's rate.
 * The application's Jira pages, git log and Jenkins job are then written
 * and its arrays freed, so memory follows the largest application, not the
 * whole group.  Incidents (a few per deployment at most) are kept for the
 * PagerDuty and ServiceNow files, which span applications.
 *
 * Everything random comes from splitmix64 streams derived from the seed and
 * the application index, so one application's data does not depend on how
 * much randomness another one used, and the same seed gives the same bytes.
 * Text (summaries, subjects, names) is derived at write time from a 64-bit
 * seed stored with each entity instead of being kept in memory.
 */
#ifndef CW_DEMOGEN_INTERNAL_H
#define CW_DEMOGEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "demogen.h"
#include "../core/time.h"

#define CW_DEMO_HOUR 3600
#define CW_DEMO_DAY 86400
#define CW_DEMO_WEEK (7 * CW_DEMO_DAY)
#define CW_DEMO_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- randomness ------------------------------------------------------------ */

typedef struct cw_demo_rng {
    uint64_t state;
} cw_demo_rng;

cw_demo_rng cw_demo_rng_derive(uint64_t seed, uint64_t a, uint64_t b);
uint64_t cw_demo_next(cw_demo_rng *r);
double cw_demo_unit(cw_demo_rng *r);                      /* [0, 1) */
long cw_demo_between(cw_demo_rng *r, long lo, long hi);   /* [lo, hi] */
int cw_demo_chance(cw_demo_rng *r, double p);
double cw_demo_exp(cw_demo_rng *r, double mean);
long cw_demo_poisson(cw_demo_rng *r, double mean);
int64_t cw_demo_floor_div(int64_t a, int64_t b);
int cw_demo_weekday(int64_t day);                         /* 0 = Monday, of a day index */
/* 40 lower-case hex digits (two 64-bit draws and 32 bits of a third) of the
 * stream seeded with `seed`; out must hold 41 bytes. */
void cw_demo_sha(uint64_t seed, char *out);

/* ---- the organisation (world.c) -------------------------------------- */

typedef enum cw_demo_cadence {
    CW_DEMO_ELITE,        /* several production deployments a day */
    CW_DEMO_DAILY,        /* most working days */
    CW_DEMO_WEEKLY,
    CW_DEMO_MONTHLY,
    CW_DEMO_QUARTERLY     /* the mainframe: once every few months */
} cw_demo_cadence;

typedef enum cw_demo_lang { CW_DEMO_JAVA, CW_DEMO_KOTLIN, CW_DEMO_TS, CW_DEMO_PY, CW_DEMO_GO,
                            CW_DEMO_COBOL } cw_demo_lang;

typedef enum cw_demo_oncall { CW_DEMO_PAGERDUTY, CW_DEMO_SERVICENOW } cw_demo_oncall;

/* Time zones used by people and exports; cw_demo_zone_names[] spells them. */
typedef enum cw_demo_zone_id { CW_DEMO_LONDON, CW_DEMO_WARSAW, CW_DEMO_KOLKATA, CW_DEMO_NEW_YORK,
                               CW_DEMO_UTC, CW_DEMO_N_ZONES } cw_demo_zone_id;
extern const char *const cw_demo_zone_names[CW_DEMO_N_ZONES];

typedef struct cw_demo_person {
    const char *name;     /* display name (UTF-8) */
    const char *email;
    cw_demo_zone_id zone;
} cw_demo_person;

typedef struct cw_demo_team {
    const char *name;
    cw_demo_zone_id zone;        /* where the team works (working hours, Jira export zone) */
    cw_demo_oncall oncall;       /* which incident tool the team uses */
    const cw_demo_person *people;
    size_t n_people;
    const char *const *topics;   /* domain phrases for summaries */
    size_t n_topics;
} cw_demo_team;

typedef struct cw_demo_app {
    const char *name;            /* repository and application name */
    const char *project;         /* Jira project key */
    const char *project_name;
    const char *service;         /* incident service / business service */
    const char *stem;            /* class-name stem for file paths ("Claim") */
    int team;                    /* index into cw_demo_teams */
    cw_demo_cadence cadence;
    cw_demo_lang lang;
    double tickets_per_week;
    double incident_p;           /* chance a production deployment causes an incident */
    double restore_mean_h;       /* mean time to restore */
    double review_mean_h;        /* mean wait for a code review */
    double deploy_fail_p;        /* chance a production run fails first */
} cw_demo_app;


/* Harbourside's own five teams and 35 applications (world.c): the whole
 * demo by default, the first N applications with --apps N <= 35. */
extern const cw_demo_team cw_demo_teams[];
extern const size_t cw_demo_n_teams;
extern const cw_demo_app cw_demo_apps[];
extern const size_t cw_demo_n_apps;

/*
 * The organisation one run simulates: the constant tables above, and with
 * --apps N > 35 as many synthesised teams and applications again
 * (synth.c), drawn from the seed: an enterprise of 500 applications is
 * mostly product lines ("Motor Claims", "Travel Pricing") of about five
 * applications each.  Everything the synthesis allocates is owned here.
 */
typedef struct cw_demo_world {
    cw_demo_team *teams;   size_t n_teams;
    cw_demo_app *apps;     size_t n_apps;
    char **owned;          size_t n_owned, cap_owned;   /* text and people to free */
} cw_demo_world;

/* Build the world of n_apps applications (0: the 35 of the tables).
 * Returns 0, or -1 when n_apps is too large. */
int cw_demo_world_build(cw_demo_world *w, uint64_t seed, size_t n_apps);
void cw_demo_world_free(cw_demo_world *w);

/* The gates an application's workflow requires (world.c decides which):
 * a Security Review between code review and merge, a CAB Approval between
 * QA and the release. */
enum { CW_DEMO_GATE_SECURITY = 1, CW_DEMO_GATE_CAB = 2 };
unsigned cw_demo_app_gates(const cw_demo_app *app);
/* The application whose epics some of app i's items belong to (an epic
 * whose children span two applications), or -1. */
int cw_demo_epic_partner(const cw_demo_world *w, int i);
/* Apps whose children name their epic in the Epic Link custom field
 * (customfield_10014, a company-managed project) instead of `parent`. */
int cw_demo_uses_epic_link(int i);
/* Whether an application plans work in Jira fix versions: release trains. */
int cw_demo_has_versions(const cw_demo_app *app);

/* Incident services that belong to no application (corporate IT). */
extern const char *const cw_demo_unmapped_services[];
extern const size_t cw_demo_n_unmapped_services;

/* ---- simulated entities ------------------------------------------------------ */

typedef enum cw_demo_status { CW_DEMO_BACKLOG, CW_DEMO_SELECTED, CW_DEMO_IN_PROGRESS,
                              CW_DEMO_IN_REVIEW, CW_DEMO_BLOCKED, CW_DEMO_QA, CW_DEMO_READY,
                              CW_DEMO_DONE, CW_DEMO_SECURITY_REVIEW, CW_DEMO_CAB,
                              CW_DEMO_N_STATUS } cw_demo_status;

typedef struct cw_demo_status_info {
    const char *name;
    const char *id;              /* Jira status id */
    const char *category;        /* Jira statusCategory.key: new | indeterminate | done */
    const char *catwalk;         /* what catwalk.ini maps it to */
} cw_demo_status_info;
extern const cw_demo_status_info cw_demo_statuses[CW_DEMO_N_STATUS];

typedef enum cw_demo_type { CW_DEMO_STORY, CW_DEMO_BUG, CW_DEMO_TASK, CW_DEMO_SECURITY,
                            CW_DEMO_TECH_DEBT, CW_DEMO_EPIC, CW_DEMO_SUBTASK,
                            CW_DEMO_INITIATIVE, CW_DEMO_N_TYPES } cw_demo_type;
extern const char *const cw_demo_type_names[CW_DEMO_N_TYPES];

/* One status change of a ticket, oldest first. */
typedef struct cw_demo_step {
    int64_t at;
    cw_demo_status to;
} cw_demo_step;

#define CW_DEMO_MAX_STEPS 14

typedef struct cw_demo_ticket {
    uint64_t seed;               /* summary, labels, ids */
    int64_t created;
    cw_demo_step steps[CW_DEMO_MAX_STEPS];   /* only steps before the export instant */
    int n_steps;
    int64_t merged_at;           /* the first merge of its branch, 0 none */
    int32_t shipped_by;          /* deployment that shipped the last merge, -1 none */
    uint32_t number;             /* the N of KEY-N */
    uint32_t parent_number;      /* the epic (or a sub-task's story) KEY-N, when parent_app >= 0 */
    int16_t parent_app;          /* application of the parent, -1 none, CW_DEMO_PARENT_THEME */
    uint8_t type;                /* cw_demo_type */
    int8_t assignee;             /* index into the team's people, -1 unassigned */
    uint8_t flags;               /* CW_DEMO_T_* */
} cw_demo_ticket;

#define CW_DEMO_PARENT_THEME (-2)   /* parent_number is an Initiative of the portfolio, 1-based */

enum {
    CW_DEMO_T_KEYLESS = 1,       /* its branch commits name no key: only the PR and its merge do */
    CW_DEMO_T_ABANDONED = 2,     /* its pull request was closed unmerged, the item Done anyway */
    CW_DEMO_T_SELF_REVIEW = 4,   /* its pull request was reviewed only by its author */
};

/* A pull request: one round of a ticket's work, or a dependabot bump. */
typedef struct cw_demo_pull {
    int64_t opened, closed;      /* closed 0: still open at the end */
    int32_t merge;               /* merge (or squashed bot) commit, -1 unmerged */
    int32_t first, head;         /* its first and last branch commit, -1 for a bot bump */
    int32_t ticket;              /* -1 for a bot bump */
    int64_t changes_at;          /* a CHANGES_REQUESTED review, 0 none */
    int64_t approved;            /* the code review's approval (before a security review), 0 none */
    int8_t author, reviewer;     /* team people; author -1 = dependabot */
} cw_demo_pull;

typedef enum cw_demo_commit_kind { CW_DEMO_ROOT, CW_DEMO_BRANCH, CW_DEMO_MERGE, CW_DEMO_DIRECT,
                                   CW_DEMO_BOT } cw_demo_commit_kind;

typedef struct cw_demo_commit {
    uint64_t seed;               /* sha and text */
    int64_t at;                  /* author = committer instant */
    int32_t parent[2];           /* commit indices, -1 for none */
    int32_t ticket;              /* ticket index, -1 for none */
    int32_t mainline;            /* position on main, -1 for branch commits */
    uint8_t kind;                /* cw_demo_commit_kind */
    uint8_t ordinal;             /* n-th commit of its branch (0 = first) */
    int8_t author;               /* index into the team's people */
} cw_demo_commit;

typedef struct cw_demo_deploy {
    int64_t cut;                 /* staging run start: the revision is taken here */
    int64_t stage_finish;
    int64_t fail_start, fail_finish;  /* a failed production attempt, 0 if none */
    int64_t prod_start, prod_finish;  /* the successful production run */
    int32_t revision;            /* commit index; -1 when untraceable */
    uint8_t fail_result;         /* 0 none, 1 FAILURE, 2 ABORTED */
    uint8_t untraceable;         /* built from a branch that never reached the log */
    uint8_t stage_failed;        /* a failed staging run came first */
    uint8_t running;             /* production run still going at the export instant */
} cw_demo_deploy;

typedef struct cw_demo_incident {
    uint64_t seed;
    int64_t created, acknowledged, resolved;   /* resolved = 0 while open at export */
    int16_t app;                 /* application index, or -1 - unmapped service index */
    uint8_t oncall;              /* cw_demo_oncall */
    uint8_t high;                /* urgency high */
    uint8_t after_deploy;        /* caused by a deployment */
} cw_demo_incident;

/* ---- run context ---------------------------------------------------------- */

typedef struct cw_demo_zone {
    cw_tz tz;
    int64_t first_day;           /* day index of offsets[0] */
    size_t n_days;
    int32_t *offsets;            /* per day; INT32_MIN unknown, INT32_MAX changes that day */
} cw_demo_zone;

/*
 * The simulation runs up to `end`; the writers show what an export taken at
 * `cut` holds, from `since` on.  For the export of --end both are the plain
 * window (cut = end, since = INT64_MIN).  With --delta-day the simulation
 * runs one day further (end = --end + 1 day) and is written twice: the
 * export at --end (cut = --end), and under delta/ what a nightly export of
 * the next day adds (since = --end, cut = end): records created or changed
 * in that day only, in new files.  One simulation for both is what makes
 * export + delta the same history as an export taken a day later.
 */
typedef struct cw_demo_ctx {
    const cw_demogen_opts *opts;
    cw_demo_world world;
    int64_t end;                 /* nothing at or after this instant is simulated */
    int64_t cut, since;          /* what the writers show: [since, cut) */
    const char *out;             /* "" or "delta/": prefix of every file written */
    int64_t window_start;        /* --end - weeks */
    int64_t sim_start;           /* window_start - history: first deployments */
    cw_demo_zone zones[CW_DEMO_N_ZONES];
    cw_demo_incident *incidents;
    size_t n_incidents, cap_incidents;
    cw_demogen_totals totals, delta;
    cw_demogen_totals *tally;    /* &totals or &delta: what the writers count */
    char mainframe_next[16];     /* the mainframe's next calendar release ("2027.1"), which
                                    the mobile release waits on (calendar.c); "" when none */
} cw_demo_ctx;

/* An instant the export shows: before the cut, and at or after since. */
static inline int cw_demo_shown(const cw_demo_ctx *ctx, int64_t t)
{
    return t < ctx->cut && t >= ctx->since;
}

/* One application's simulated history. */
typedef struct cw_demo_history {
    const cw_demo_app *app;
    const cw_demo_team *team;  /* the app's */
    int index;
    cw_demo_ticket *tickets;   size_t n_tickets, cap_tickets;
    cw_demo_commit *commits;   size_t n_commits, cap_commits;
    cw_demo_deploy *deploys;   size_t n_deploys, cap_deploys;
    int32_t *mainline;         size_t n_mainline;   /* commit indices in main-line order */
    cw_demo_pull *pulls;       size_t n_pulls, cap_pulls;
    uint32_t first_build, first_pr;                 /* numbering offsets */
} cw_demo_history;

/* sim.c */
int cw_demo_simulate(cw_demo_ctx *ctx, int app_index, cw_demo_history *out);
void cw_demo_history_free(cw_demo_history *h);
void cw_demo_unrelated_incidents(cw_demo_ctx *ctx);
/* The seed of the epic KEY-number of application app (its summary). */
uint64_t cw_demo_epic_seed(const cw_demo_ctx *ctx, int app, uint32_t number);

/* util.c: randomness above, and time formatting in a zone */
int cw_demo_zones_init(cw_demo_ctx *ctx);
void cw_demo_zones_free(cw_demo_ctx *ctx);
void cw_demo_fmt_jira(cw_demo_ctx *ctx, cw_demo_zone_id zone, int64_t t, char *buf, size_t n);
void cw_demo_fmt_git(cw_demo_ctx *ctx, cw_demo_zone_id zone, int64_t t, char *buf, size_t n);
void cw_demo_fmt_local(cw_demo_ctx *ctx, cw_demo_zone_id zone, int64_t t, char *buf, size_t n);
void cw_demo_fmt_utc(int64_t t, char *buf, size_t n);

/* text.c: deterministic text from an entity's seed */
void cw_demo_ticket_summary(const cw_demo_team *team, const cw_demo_ticket *t, char *buf, size_t n);
void cw_demo_commit_text(const cw_demo_history *h, const cw_demo_commit *c,
                         char *subject, size_t ns, char *body, size_t nb);
void cw_demo_numstat(FILE *fp, const cw_demo_app *app, const cw_demo_commit *c);
void cw_demo_incident_title(const char *service, const cw_demo_incident *inc, char *buf, size_t n);
void cw_demo_key(const cw_demo_app *app, uint32_t number, char *buf, size_t n);
void cw_demo_epic_summary(const cw_demo_team *team, uint64_t seed, char *buf, size_t n);
void cw_demo_slug(const char *text, char *buf, size_t n);
/* A pull request's number: merged ones by their merge's main-line
 * position (as the merge commit's subject says), the others after. */
uint32_t cw_demo_pull_number(const cw_demo_history *h, const cw_demo_pull *p);

/* Writers: each returns 0, or -1 after reporting the error. */
int cw_demo_write_jira(cw_demo_ctx *ctx, const cw_demo_history *h);
int cw_demo_write_git(cw_demo_ctx *ctx, const cw_demo_history *h);
int cw_demo_write_jenkins(cw_demo_ctx *ctx, const cw_demo_history *h);
int cw_demo_write_pagerduty(cw_demo_ctx *ctx);
int cw_demo_write_servicenow(cw_demo_ctx *ctx);
int cw_demo_write_config(cw_demo_ctx *ctx);
int cw_demo_write_github(cw_demo_ctx *ctx, const cw_demo_history *h);
int cw_demo_write_calendar(cw_demo_ctx *ctx, const cw_demo_history *h);
int cw_demo_write_initiatives(cw_demo_ctx *ctx);

/* The portfolio project whose Initiatives are the themes of the epics. */
#define CW_DEMO_PORTFOLIO "HPORT"
/* The mobile app's Jira project: its store releases are on the mainframe's
 * calendar (calendar.c) */
#define CW_DEMO_MOBILE "CAPP"
#define CW_DEMO_N_INITIATIVES 6
extern const char *const cw_demo_initiatives[CW_DEMO_N_INITIATIVES];

/* demogen.c: open DIR/<ctx->out>rel for writing (reports the error).  Close it and
 * count the file; when `failed` (the writer's own verdict) or the stream
 * says a write failed, report "cannot write DIR/rel" and return -1. */
FILE *cw_demo_open(cw_demo_ctx *ctx, const char *rel);
int cw_demo_close(cw_demo_ctx *ctx, FILE *fp, const char *rel, int failed);
/* Dump a JSON value into DIR/rel; steals the reference. */
int cw_demo_write_json(cw_demo_ctx *ctx, const char *rel, void *json);

#endif
