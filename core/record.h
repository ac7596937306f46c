/*
 * record.h - normalised records and the sink that carries them to load/.
 *
 * Every connector turns one landed file into a stream of these records and
 * hands each one to a cw_sink.  The sink is the only way data reaches the
 * warehouse, so parsers never see SQL and load/ never learns about Jira.
 *
 * Conventions shared by every record:
 *   - instants are int64_t seconds since the epoch, UTC; CW_NO_TIME when the
 *     source has no value (never 0: 1970 is a real instant);
 *   - strings are UTF-8 and owned by the caller; the sink copies what it
 *     keeps, so a parser may free or reuse its buffers once the call returns;
 *     NULL means "absent".  A parser of a format that may hold other bytes
 *     (git log, CSV) passes its text through cw_text_utf8 below;
 *   - origin says where the record came from, so a reject or an audit row
 *     points at the exact raw bytes: the source name, the landed file and
 *     the 1-based record position (line for line formats, item index for
 *     JSON arrays, CSV record number for CSV).
 *
 * A sink callback returns 0 on success and non-zero on a fatal error (the
 * database is gone, out of memory); the parser must then stop and return -1.
 */
#ifndef CW_RECORD_H
#define CW_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define CW_NO_TIME INT64_MIN

typedef struct cw_origin {
    const char *source;     /* [source NAME] of the config */
    const char *file;       /* path of the landed file */
    long record;            /* 1-based line / item / CSV record, 0 = whole file */
} cw_origin;

/* A Jira issue (or any planning item). */
typedef struct cw_work_item {
    cw_origin origin;
    const char *key;              /* "PAY-123", required */
    const char *external_id;      /* the source's own id (Jira numeric id "13383"), or NULL */
    const char *project;          /* "PAY", required (derived from key if absent) */
    const char *summary;
    const char *type;             /* issue type name: "Bug", "Story", ... */
    const char *status;           /* current status name */
    const char *status_category;  /* source category mapped to todo|in_progress|done, or NULL */
    const char *labels;           /* comma-separated, or NULL */
    const char *fix_versions;     /* comma-separated version names, or NULL */
    const char *assignee;         /* display name, or NULL */
    int64_t created_at;           /* required */
    int64_t updated_at;           /* CW_NO_TIME if absent */
    int64_t resolved_at;          /* CW_NO_TIME if absent */
    int changelog_truncated;      /* 1 when changelog.total > histories returned */
    int has_changelog;            /* 1 when the source carries history (REST), 0 for CSV */
    const char *status_id;        /* the source's id of the current status (Jira), or NULL */
    int links_follow;             /* 1: the cw_work_item_link records that follow this one
                                     are ALL of the item's links (none is a valid answer):
                                     loading it replaces the links loaded before.  0: the
                                     source says nothing about links (they stay as they are) */
} cw_work_item;

/* One link of a work item to another (metrics.md "Hierarchy roll-up"): the
 * item's parent (Jira `parent`, a sub-task's parent, the CSV Parent
 * columns), its epic (the Epic Link field), its theme (a configured
 * field), or an item it blocks (an outward "Blocks" issue link).  A parser
 * emits an item's links right after the item, with the item's own origin,
 * and only for an item emitted with links_follow set. */
typedef enum cw_link_kind { CW_LINK_PARENT, CW_LINK_EPIC, CW_LINK_THEME, CW_LINK_BLOCKS } cw_link_kind;

typedef struct cw_work_item_link {
    cw_origin origin;             /* the item's record */
    const char *item_key;         /* the linking item, required */
    cw_link_kind kind;
    const char *target_key;       /* "PAY-9", or NULL when only target_id is known */
    const char *target_id;        /* the source's id of the target (CSV "Parent id"), or NULL */
} cw_work_item_link;

/* "parent" | "epic" | "theme" | "blocks": the kind as the warehouse stores it. */
const char *cw_link_kind_name(cw_link_kind kind);

/* One status change of a work item. */
typedef struct cw_transition {
    cw_origin origin;
    const char *item_key;         /* the work item's key, or NULL when only item_id is known */
    const char *item_id;          /* the item's external_id (Jira numeric id), or NULL */
    const char *history_id;       /* Jira history id, or NULL */
    int64_t at;                   /* required */
    const char *from_status;      /* status name before, may be NULL */
    const char *to_status;        /* status name after, required */
} cw_transition;

/* One git commit. */
typedef struct cw_commit {
    cw_origin origin;
    const char *repository;       /* the source's `repository` key */
    const char *sha;              /* full 40-hex sha, required */
    const char *parents;          /* space-separated shas, "" for a root commit */
    const char *author_name, *author_email;
    const char *committer_name, *committer_email;
    int64_t authored_at;          /* required */
    int64_t committed_at;         /* CW_NO_TIME if absent */
    const char *subject;
    const char *body;
    long additions, deletions;    /* -1 when the export has no numstat */
    long files_changed;           /* -1 when the export has no numstat */
    int no_ancestry;              /* 1 when the export carries no full parent shas
                                     (git log's default or code-maat format): the
                                     repository then gives no ancestry (extract/git.c) */
} cw_commit;

/* The documented git export (formats.md decision 3): the one format that
 * carries the commit graph.  extract/git.c runs it; warnings and findings
 * about exports without ancestry quote it. */
#define CW_GIT_PRETTY "--pretty=tformat:%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%s%x1f%b%x1f"
#define CW_GIT_EXPORT_COMMAND "git log --all --date-order " CW_GIT_PRETTY " --numstat --no-renames"

/* One git checkout a build recorded (a Jenkins BuildData): the repository's
 * remote URL (its first remoteUrls entry, NULL when absent) and the sha. */
typedef struct cw_build_revision {
    const char *remote;
    const char *sha;
} cw_build_revision;

/* One CI build; a deployment when is_deployment is set. */
typedef struct cw_build {
    cw_origin origin;
    const char *job;              /* full job name, e.g. "folder/deploy-payments" */
    long number;                  /* build / run number */
    const char *result;           /* lower case: success|failure|unstable|aborted|not_built */
    int64_t started_at;
    int64_t finished_at;          /* floor((timestamp + duration) / 1000) for Jenkins;
                                     CW_NO_TIME only for a deployment whose finish comes
                                     from cw_deployment_status records (GitHub) */
    const char *revision;         /* deployed commit sha, or NULL */
    const cw_build_revision *revisions; /* every checkout, in the order recorded, without
                                     repeats (Jenkins); revision is the first.  Correlation
                                     picks the application's from them (correlate.c) */
    size_t n_revisions;
    const char *url;              /* link back to the build, or NULL */
    int is_deployment;            /* job matched deployment_job */
    const char *environment;      /* environment name, NULL if unknown */
    int is_production;            /* environment matched `production` */
} cw_build;

/* One incident (PagerDuty, ServiceNow, ...). */
typedef struct cw_incident {
    cw_origin origin;
    const char *id;               /* natural key within the source, required */
    const char *number;           /* human number ("INC0000045", "4"), or NULL */
    const char *title;
    const char *description;      /* free text scanned for explicit deployment refs */
    const char *service;          /* service / business_service / cmdb_ci name */
    const char *status;           /* source status, lower case */
    const char *severity;         /* urgency / priority text, or NULL */
    int64_t created_at;           /* required */
    int64_t resolved_at;          /* CW_NO_TIME while open */
    int64_t updated_at;           /* for latest-wins; CW_NO_TIME if absent */
    long version;                 /* sys_mod_count or similar, -1 if absent */
} cw_incident;

/* A pull request (GitHub) or merge request (GitLab).  Correlation reads its
 * title and branch for ticket keys; merged_at says whether it was merged. */
typedef struct cw_pull_request {
    cw_origin origin;
    const char *repository;       /* the source's `repository` key, required */
    long number;                  /* PR number / MR iid, required */
    const char *title;
    const char *body;             /* GitHub body / GitLab description */
    const char *source_branch;    /* head.ref / source_branch */
    const char *target_branch;    /* base.ref / target_branch */
    const char *state;            /* open|closed|merged (GitLab: opened|closed|locked|merged) */
    const char *author;           /* login / username, or NULL */
    int64_t created_at;           /* required */
    int64_t updated_at;           /* CW_NO_TIME if absent */
    int64_t closed_at;            /* CW_NO_TIME if absent */
    int64_t merged_at;            /* CW_NO_TIME unless merged */
    const char *merge_commit_sha; /* may be set on unmerged GitHub PRs (test merge) */
    const char *squash_commit_sha;/* GitLab squash merges, else NULL */
} cw_pull_request;

/* One commit of a pull/merge request as its source lists it (GitHub
 * /pulls/{n}/commits, GitLab /merge_requests/:iid/commits).  The warehouse
 * gives it to its pull request by (repository, number), so commit pages and
 * pull request pages may arrive in any order (fact_pull_request_commit). */
typedef struct cw_pull_request_commit {
    cw_origin origin;
    const char *repository;       /* the source's `repository` key, required */
    long number;                  /* PR number / MR iid, required */
    const char *sha;              /* full object name, required */
    int64_t authored_at;          /* CW_NO_TIME if absent */
} cw_pull_request_commit;

/* One review of a pull request (GitHub /pulls/{n}/reviews; GitLab: an MR
 * approval or note, extract/gitlab.c says which). */
typedef struct cw_pull_request_review {
    cw_origin origin;
    const char *repository;       /* required */
    long number;                  /* PR number / MR iid, required */
    int64_t review_id;            /* the source's id of the review, required */
    const char *reviewer;         /* login / username, or NULL */
    const char *state;            /* upper case: APPROVED|CHANGES_REQUESTED|COMMENTED|... */
    int64_t submitted_at;         /* required (a pending review has none: not emitted) */
} cw_pull_request_review;

/* One status of a deployment whose finish time comes from its statuses
 * (GitHub deployments).  It names its deployment by the same (job, number)
 * as the cw_build of that deployment; the warehouse joins them, so pages of
 * deployments and of statuses may arrive in any order. */
typedef struct cw_deployment_status {
    cw_origin origin;
    const char *job;              /* the deployment build's job, required */
    long number;                  /* the deployment build's number (deployment id), required */
    long status_id;               /* the status's own id, required */
    const char *state;            /* lower case: success|failure|error|inactive|in_progress|queued|pending */
    int64_t created_at;           /* required */
} cw_deployment_status;

/* One status of the list a source publishes (Jira /rest/api/2/status): the
 * source's own category of that status id, preferred to the category an
 * issue snapshot carries (README "Status categories"). */
typedef struct cw_status_def {
    cw_origin origin;
    const char *id;               /* the source's status id, required */
    const char *name;             /* required */
    const char *category;         /* todo|in_progress|done, required */
} cw_status_def;

/* A release: one version of a project (a Jira fix version, as the issues
 * carrying it describe it).  Named by (project, name). */
typedef struct cw_release {
    cw_origin origin;
    const char *project;          /* required: the project of the issue carrying it */
    const char *name;             /* required */
    const char *external_id;      /* the source's id (Jira version id), or NULL */
    int64_t start_at;             /* startDate (a date: midnight UTC), CW_NO_TIME if absent */
    int64_t release_at;           /* releaseDate (a date: midnight UTC), CW_NO_TIME if absent */
    int released;                 /* 1 when the source says released */
    int archived;                 /* 1 when the source says archived */
} cw_release;

/* One change of an item's fix versions (Jira changelog, field "Fix Version"). */
typedef struct cw_version_change {
    cw_origin origin;
    const char *item_key;         /* the work item's key, or NULL when only item_id is known */
    const char *item_id;          /* the item's external_id, or NULL */
    const char *history_id;       /* Jira history id, or NULL */
    int64_t at;                   /* required */
    const char *version;          /* required: the version's name at the time */
    const char *version_id;       /* the version's id (Jira from/to), or NULL */
    int added;                    /* 1 added to the item, 0 removed from it */
} cw_version_change;

/* A data-quality finding a parser made about a file (table finding; kind
 * and subject are its key), e.g. text_not_utf8 from cw_text_report. */
typedef struct cw_finding {
    cw_origin origin;             /* the file; record 0 */
    const char *kind;             /* required */
    const char *subject;          /* required */
    const char *detail;           /* required */
} cw_finding;

/* One value of a business KPI series (NPS, revenue per week) of an
 * application, from a generic CSV source (extract/csv.c, target kpi), shown
 * beside the delivery metrics (fact_kpi, v_kpi). */
typedef struct cw_kpi {
    cw_origin origin;
    const char *application;      /* a configured application's name, required */
    const char *name;             /* "NPS", "revenue", required */
    int64_t at;                   /* the instant or start of the period it measures, required */
    double value;                 /* finite */
} cw_kpi;

/* A record that could not be used, with the reason. */
typedef struct cw_reject {
    cw_origin origin;
    const char *field;            /* the offending field, or NULL for the whole record */
    const char *reason;           /* human readable, e.g. "unparseable timestamp '31/02/26'" */
    const char *raw;              /* the raw record text (may be truncated), or NULL */
} cw_reject;

typedef struct cw_sink {
    void *ctx;
    int (*work_item)(void *ctx, const cw_work_item *rec);
    int (*transition)(void *ctx, const cw_transition *rec);
    int (*commit)(void *ctx, const cw_commit *rec);
    int (*build)(void *ctx, const cw_build *rec);
    int (*incident)(void *ctx, const cw_incident *rec);
    int (*reject)(void *ctx, const cw_reject *rec);
    /* Added with the GitHub/GitLab connectors; a sink that leaves them NULL
     * does not take these records (parsers then skip them). */
    int (*pull_request)(void *ctx, const cw_pull_request *rec);
    int (*deployment_status)(void *ctx, const cw_deployment_status *rec);
    int (*status_def)(void *ctx, const cw_status_def *rec);    /* may be NULL too */
    int (*finding)(void *ctx, const cw_finding *rec);          /* may be NULL too */
    int (*kpi)(void *ctx, const cw_kpi *rec);                  /* may be NULL too */
    int (*release)(void *ctx, const cw_release *rec);          /* may be NULL too */
    int (*version_change)(void *ctx, const cw_version_change *rec); /* may be NULL too */
    int (*pull_request_commit)(void *ctx, const cw_pull_request_commit *rec);  /* may be NULL */
    int (*pull_request_review)(void *ctx, const cw_pull_request_review *rec);  /* may be NULL */
    int (*work_item_link)(void *ctx, const cw_work_item_link *rec);  /* may be NULL too */
} cw_sink;

/* Convenience: fill and emit a reject in one call.  Returns the sink's result. */
int cw_sink_reject(cw_sink *sink, const cw_origin *origin, const char *field,
                   const char *raw, const char *reason_fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Text that is not UTF-8.  Git lets names and messages be in any encoding
 * (i18n.commitEncoding; old Latin-1 histories are common) and spreadsheets
 * save CSV as Windows-1252, but the warehouse holds UTF-8 and PostgreSQL
 * refuses anything else.  Refusing the record would lose a commit and break
 * the ancestry of every commit after it, so the text is repaired instead:
 * each invalid sequence becomes U+FFFD (core/utf8.h) and the record loads.
 * The user is told once per file: a warning at the first repaired field,
 * naming file, record and field, and at the end of the file the finding
 * text_not_utf8 (subject: the file) with the count.
 *
 * One cw_text_check per file, zeroed before its first record.
 */
typedef struct cw_text_check {
    long fields;                  /* text fields repaired so far */
    long record;                  /* the first one's record */
    char field[64];               /* and its field */
} cw_text_check;

/* The text of field `field` of record `record` of file as UTF-8: text itself
 * when it is (and NULL stays NULL), else a repaired copy, also stored in
 * *owned for the caller to free (*owned is set to NULL otherwise). */
const char *cw_text_utf8(cw_text_check *check, const char *file, long record, const char *field,
                         const char *text, char **owned);

/* At the end of a file: the finding text_not_utf8 through the sink when
 * some text was repaired (nothing otherwise, or when the sink takes no
 * findings).  Returns the sink's result. */
int cw_text_report(cw_sink *sink, const cw_origin *file, const cw_text_check *check);

#endif
