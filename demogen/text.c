/*
 * text.c - the words of `catwalk demo`: ticket summaries, commit
 * subjects and bodies, numstat paths and incident titles.
 *
 * Every function draws from a stream seeded with the entity's own seed, so
 * the same ticket gets the same summary in Jira and in the git log without
 * either being stored.  A small share of texts carries characters that a
 * careless report turns into markup or spreadsheet formulas (`<`, `&`, a
 * leading `=`, `+` or `@`): the demo exists partly to prove the reports are
 * safe.
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define PICK(r, list) (list)[cw_demo_between((r), 0, (long)CW_DEMO_COUNT(list) - 1)]

static const char *const story_forms[] = {
    "Add %s", "Support %s for brokers", "Show %s on the customer dashboard",
    "Allow customers to change %s", "Capture %s in the quote journey",
    "Expose %s via the partner API", "Audit trail for %s changes",
};
static const char *const bug_forms[] = {
    "Fix rounding in %s", "%s fails for joint policies", "Wrong %s shown after renewal",
    "500 error when saving %s", "%s not updated after payment", "Duplicate %s created on retry",
    "Timeout loading %s",
};
static const char *const task_forms[] = {
    "Configure alerts for %s", "Migrate %s to PostgreSQL 16", "Document the %s runbook",
    "Load test %s", "Upgrade libraries used by %s",
};
static const char *const security_forms[] = {
    "Remove PII from %s logs", "Enforce MFA before changing %s", "Pen test finding: XSS in %s",
    "Rotate secrets used by %s", "Patch CVE-2025-48734 in commons-beanutils used by %s",
};
static const char *const debt_forms[] = {
    "Refactor %s module", "Remove legacy %s code", "Replace hand-rolled cache in %s",
    "Split %s service class", "Delete feature flags around %s",
};

/* Summaries that must come out of every report exactly as typed. */
static const char *const awkward_summaries[] = {
    "Premium shows <NaN> & \u00a30.00 on quote summary",
    "=HYPERLINK(\"http://evil.example\",\"Click\") in broker notes export",
    "=1+1 rendered as 2 in claims CSV export",
    "Escape <script>alert('x')</script> in claim notes",
    "+44 phone numbers turned into formulas in Excel export",
    "@SUM(A1) in address line breaks the schedule PDF",
    "-1 day shift in renewal date for \"Europe/London\" users",
    "Terms & Conditions link shows &amp; instead of &",
};

static void capitalise(char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z')
        s[0] = (char)(s[0] - 'a' + 'A');
}

void cw_demo_key(const cw_demo_app *app, uint32_t number, char *buf, size_t n)
{
    snprintf(buf, n, "%s-%u", app->project, (unsigned)number);
}

void cw_demo_ticket_summary(const cw_demo_team *team, const cw_demo_ticket *t, char *buf, size_t n)
{
    cw_demo_rng r = { t->seed ^ 0x5BD1E9955BD1E995ULL };
    const char *topic, *form;

    if (cw_demo_chance(&r, 0.015)) {
        snprintf(buf, n, "%s", PICK(&r, awkward_summaries));
        return;
    }
    topic = team->topics[cw_demo_between(&r, 0, (long)team->n_topics - 1)];
    switch (t->type) {
    case CW_DEMO_BUG: form = PICK(&r, bug_forms); break;
    case CW_DEMO_TASK: form = PICK(&r, task_forms); break;
    case CW_DEMO_SECURITY: form = PICK(&r, security_forms); break;
    case CW_DEMO_TECH_DEBT: form = PICK(&r, debt_forms); break;
    default: form = PICK(&r, story_forms); break;
    }
    snprintf(buf, n, form, topic);
    capitalise(buf);
}

static const char *const epic_forms[] = {
    "Modernise %s", "Self-service %s", "%s for Consumer Duty", "Rework %s end to end",
    "Automate %s", "%s: phase 2",
};

void cw_demo_epic_summary(const cw_demo_team *team, uint64_t seed, char *buf, size_t n)
{
    cw_demo_rng r = { seed ^ 0xE91CE91CE91CULL };
    const char *topic = team->topics[cw_demo_between(&r, 0, (long)team->n_topics - 1)];
    snprintf(buf, n, PICK(&r, epic_forms), topic);
    capitalise(buf);
}

uint32_t cw_demo_pull_number(const cw_demo_history *h, const cw_demo_pull *p)
{
    if (p->merge >= 0)
        return h->first_pr + (uint32_t)h->commits[p->merge].mainline;
    return h->first_pr + (uint32_t)h->n_mainline + (uint32_t)(p - h->pulls);
}

/* "feature/CLAIMS-12-validate-fnol-date" style: lower-case ASCII words. */
void cw_demo_slug(const char *text, char *buf, size_t n)
{
    size_t o = 0;
    int dash = 0;

    for (const unsigned char *p = (const unsigned char *)text; *p && o + 2 < n && o < 40; p++) {
        if (isalnum(*p) && *p < 0x80) {
            if (dash && o)
                buf[o++] = '-';
            buf[o++] = (char)tolower(*p);
            dash = 0;
        } else {
            dash = 1;
        }
    }
    buf[o] = '\0';
}

static const char *const follow_up_forms[] = {
    "[%s] Add unit tests", "[%s] Handle empty input", "[%s] Address review comments",
    "%s: fix integration test", "[%s] Update OpenAPI spec", "[%s] Tidy up logging",
    "[%s] Add feature flag",
};
static const char *const keyless_follow_ups[] = {
    "Fix build", "WIP", "Fix checkstyle warnings", "Tidy imports", "Address review comments",
};
static const char *const direct_subjects[] = {
    "Update README", "Bump UTF-8 handling in CSV export", "Upgrade to ISO-20022 pain.001 messages",
    "Rotate SHA-256 signing keys", "Tidy CI pipeline", "Update CODEOWNERS",
    "Increase connection pool size", "Revert \"Increase connection pool size\"",
    "Fix flaky integration test", "Add missing licence headers",
};

typedef struct bump {
    const char *lib, *from, *to;
} bump;

static const bump java_bumps[] = {
    {"com.fasterxml.jackson.core:jackson-databind", "2.17.1", "2.17.2"},
    {"org.springframework.boot:spring-boot-starter-parent", "3.3.1", "3.3.2"},
    {"org.postgresql:postgresql", "42.7.3", "42.7.4"},
};
static const bump ts_bumps[] = {
    {"axios", "1.7.2", "1.7.4"}, {"react-router-dom", "6.24.0", "6.26.1"}, {"vite", "5.3.1", "5.4.2"},
};
static const bump py_bumps[] = {
    {"requests", "2.32.2", "2.32.3"}, {"pandas", "2.2.1", "2.2.2"}, {"apache-airflow", "2.9.2", "2.9.3"},
};
static const bump go_bumps[] = {
    {"golang.org/x/net", "0.26.0", "0.27.0"}, {"google.golang.org/grpc", "1.64.0", "1.65.0"},
};
static const bump ci_bumps[] = {
    {"actions/checkout", "4.1.6", "4.1.7"},
};

static bump pick_bump(cw_demo_rng *r, cw_demo_lang lang)
{
    switch (lang) {
    case CW_DEMO_JAVA: case CW_DEMO_KOTLIN: return PICK(r, java_bumps);
    case CW_DEMO_TS: return PICK(r, ts_bumps);
    case CW_DEMO_PY: return PICK(r, py_bumps);
    case CW_DEMO_GO: return PICK(r, go_bumps);
    default: return PICK(r, ci_bumps);
    }
}

static void branch_text(const cw_demo_history *h, const cw_demo_commit *c, cw_demo_rng *r,
                        char *subject, size_t ns, char *body, size_t nb)
{
    const cw_demo_ticket *t = &h->tickets[c->ticket];
    const cw_demo_team *team = h->team;
    char key[32], summary[200];

    cw_demo_key(h->app, t->number, key, sizeof key);
    cw_demo_ticket_summary(team, t, summary, sizeof summary);
    if (t->flags & CW_DEMO_T_KEYLESS) {      /* the key is only in the PR and its merge */
        snprintf(subject, ns, "%s", c->ordinal == 0 ? summary : PICK(r, keyless_follow_ups));
        return;
    }
    if (c->ordinal == 0) {
        double u = cw_demo_unit(r);
        snprintf(subject, ns, u < 0.7 ? "[%s] %s" : u < 0.9 ? "%s: %s" : "%s %s", key, summary);
    } else if (cw_demo_chance(r, 0.1)) {
        snprintf(subject, ns, "%s", PICK(r, keyless_follow_ups));
    } else {
        snprintf(subject, ns, PICK(r, follow_up_forms), key);
    }
    if (cw_demo_chance(r, 0.15)) {
        const cw_demo_person *pair = &team->people[cw_demo_between(r, 0, (long)team->n_people - 1)];
        snprintf(body, nb, "Paired on the edge cases.\n\nCo-authored-by: %s <%s>", pair->name, pair->email);
    } else if (cw_demo_chance(r, 0.1)) {
        snprintf(body, nb, "Checked against the regression pack.\n\nRefs %s", key);
    }
}

void cw_demo_commit_text(const cw_demo_history *h, const cw_demo_commit *c, char *subject, size_t ns,
                         char *body, size_t nb)
{
    cw_demo_rng r = { c->seed ^ 0x51ED270B27A5C1E5ULL };
    char key[32], summary[200], slug[64];
    bump b;

    body[0] = '\0';
    switch ((cw_demo_commit_kind)c->kind) {
    case CW_DEMO_ROOT:
        snprintf(subject, ns, "Initial import from Bitbucket Server");
        snprintf(body, nb, "History before the migration lives in the archived repository.");
        break;
    case CW_DEMO_BRANCH:
        branch_text(h, c, &r, subject, ns, body, nb);
        break;
    case CW_DEMO_MERGE:
        cw_demo_key(h->app, h->tickets[c->ticket].number, key, sizeof key);
        cw_demo_ticket_summary(h->team, &h->tickets[c->ticket], summary, sizeof summary);
        cw_demo_slug(summary, slug, sizeof slug);
        snprintf(subject, ns, "Merge pull request #%u from harbourside/feature/%s-%s",
                 (unsigned)(h->first_pr + (uint32_t)c->mainline), key, slug);
        snprintf(body, nb, "%s", summary);
        break;
    case CW_DEMO_DIRECT:
        snprintf(subject, ns, "%s", PICK(&r, direct_subjects));
        break;
    case CW_DEMO_BOT:
        b = pick_bump(&r, h->app->lang);
        snprintf(subject, ns, "Bump %s from %s to %s (#%u)", b.lib, b.from, b.to,
                 (unsigned)(h->first_pr + (uint32_t)c->mainline));
        snprintf(body, nb, "Bumps %s from %s to %s.\n\nSigned-off-by: dependabot[bot] <support@github.com>",
                 b.lib, b.from, b.to);
        break;
    }
}

/* ---- numstat ------------------------------------------------------------------ */

static const char *const java_suffixes[] = {
    "Service", "Controller", "Repository", "Validator", "Mapper", "Client", "Config", "Handler",
};
static const char *const ts_suffixes[] = { "Form", "Page", "Card", "List", "Modal", "Banner" };
static const char *const py_suffixes[] = { "loader", "rules", "schema", "client", "jobs", "checks" };

/* "claims-intake" -> "claims/intake" (sep '/') or "claims_intake" (sep '_'). */
static void package_of(const cw_demo_app *app, char sep, char *buf, size_t n)
{
    snprintf(buf, n, "%s", app->name);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = sep;
}

/* One changed path; returns 1 when the file is binary. */
static int changed_path(const cw_demo_app *app, cw_demo_rng *r, char *buf, size_t n)
{
    char pkg[64];
    int v = (int)cw_demo_between(r, 0, 9);
    const char *stem = app->stem;

    switch (app->lang) {
    case CW_DEMO_JAVA:
    case CW_DEMO_KOTLIN: {
        const char *ext = app->lang == CW_DEMO_JAVA ? "java" : "kt";
        const char *sfx = PICK(r, java_suffixes);
        package_of(app, '/', pkg, sizeof pkg);
        if (v < 5)
            snprintf(buf, n, "src/main/%s/com/harbourside/%s/%s%s.%s", ext, pkg, stem, sfx, ext);
        else if (v < 8)
            snprintf(buf, n, "src/test/%s/com/harbourside/%s/%s%sTest.%s", ext, pkg, stem, sfx, ext);
        else if (v < 9)
            snprintf(buf, n, "src/main/resources/db/migration/V%ld__%s.sql", cw_demo_between(r, 10, 240),
                     PICK(r, py_suffixes));
        else
            snprintf(buf, n, "%s", app->lang == CW_DEMO_JAVA ? "pom.xml" : "build.gradle.kts");
        return 0;
    }
    case CW_DEMO_TS: {
        const char *sfx = PICK(r, ts_suffixes);
        if (v < 5)
            snprintf(buf, n, "src/components/%s%s.tsx", stem, sfx);
        else if (v < 8)
            snprintf(buf, n, "src/components/%s%s.test.tsx", stem, sfx);
        else if (v < 9)
            snprintf(buf, n, "%s", cw_demo_chance(r, 0.5) ? "package.json" : "package-lock.json");
        else
            snprintf(buf, n, "public/images/%s-%s.png", app->name, sfx);
        return v == 9;
    }
    case CW_DEMO_PY:
        package_of(app, '_', pkg, sizeof pkg);
        if (v < 5)
            snprintf(buf, n, "%s/%s_%s.py", pkg, stem, PICK(r, py_suffixes));
        else if (v < 8)
            snprintf(buf, n, "tests/test_%s_%s.py", stem, PICK(r, py_suffixes));
        else if (v < 9)
            snprintf(buf, n, "dags/%s_dag.py", pkg);
        else
            snprintf(buf, n, "requirements.txt");
        return 0;
    case CW_DEMO_GO:
        if (v < 5)
            snprintf(buf, n, "internal/%s/%s.go", stem, PICK(r, py_suffixes));
        else if (v < 8)
            snprintf(buf, n, "internal/%s/%s_test.go", stem, PICK(r, py_suffixes));
        else
            snprintf(buf, n, "%s", v == 8 ? "go.mod" : "go.sum");
        return 0;
    case CW_DEMO_COBOL:
        if (v < 5)
            snprintf(buf, n, "src/cobol/%s%03ld.cbl", stem, cw_demo_between(r, 1, 120));
        else if (v < 7)
            snprintf(buf, n, "copybook/%sREC%02ld.cpy", stem, cw_demo_between(r, 1, 30));
        else if (v < 9)
            snprintf(buf, n, "jcl/%sB%03ld.jcl", stem, cw_demo_between(r, 1, 60));
        else
            snprintf(buf, n, "docs/batch-schedule.pdf");
        return v == 9;
    }
    return 0;
}

#define MAX_PATHS 40

/* `git log --numstat` lines (merges have none): added, deleted, path;
 * "-\t-\t" for binary files; no path twice. */
void cw_demo_numstat(FILE *fp, const cw_demo_app *app, const cw_demo_commit *c)
{
    cw_demo_rng r = { c->seed ^ 0x7F4A7C159E3779B9ULL };
    long files = c->kind == CW_DEMO_ROOT ? cw_demo_between(&r, 25, MAX_PATHS) : cw_demo_between(&r, 1, 6);
    char seen[MAX_PATHS][160];
    int n_seen = 0;

    for (long i = 0; i < files; i++) {
        char path[160];
        int binary = changed_path(app, &r, path, sizeof path), dup = 0;
        long added = (long)cw_demo_exp(&r, c->kind == CW_DEMO_ROOT ? 300 : 40) + 1;
        long deleted = c->kind == CW_DEMO_ROOT ? 0 : (long)cw_demo_exp(&r, 12);
        for (int k = 0; k < n_seen && !dup; k++)
            dup = strcmp(seen[k], path) == 0;
        if (dup)
            continue;
        memcpy(seen[n_seen++], path, sizeof path);
        if (binary)
            fprintf(fp, "-\t-\t%s\n", path);
        else
            fprintf(fp, "%ld\t%ld\t%s\n", added, deleted, path);
    }
}

/* ---- incidents ---------------------------------------------------------------- */

static const char *const deploy_titles[] = {
    "%s: error rate above 5%% after release", "%s: p95 latency above 2s",
    "%s: 5xx spike on POST /api/v2/submit", "%s: health check failing on 2 of 6 pods",
    "%s: message backlog growing", "%s: customers report blank page after update",
};
static const char *const general_titles[] = {
    "%s: certificate expires in 7 days", "%s: disk usage above 90%%",
    "%s: upstream timeout from payment provider", "%s: database failover",
    "%s: degraded performance reported by service desk",
};
static const char *const awkward_titles[] = {
    "=cmd|' /C calc'!A0 pasted into %s search box",
    "%s returns <html> error page & HTTP 502",
    "\"Pay now\" button does nothing on %s",
};

void cw_demo_incident_title(const char *service, const cw_demo_incident *inc, char *buf, size_t n)
{
    cw_demo_rng r = { inc->seed ^ 0x2545F4914F6CDD1DULL };
    const char *form = cw_demo_chance(&r, 0.04) ? PICK(&r, awkward_titles)
                     : inc->after_deploy ? PICK(&r, deploy_titles) : PICK(&r, general_titles);
    snprintf(buf, n, form, service);
}
