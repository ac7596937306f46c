/*
 * synth.c - the organisation of one `catwalk demo` run (internal.h,
 * cw_demo_world): Harbourside's own tables (world.c), and with --apps N > 35
 * the rest of an enterprise synthesised from the seed.
 *
 * An enterprise of hundreds of applications is organised in product lines:
 * a line of business ("Motor", "Travel", "Pensions") crossed with a
 * function ("Claims", "Pricing", "Data"), each a team of five to nine people
 * owning about five applications ("motor-claims-api", "motor-claims-batch").
 * A synthesised team borrows the domain phrases of the Harbourside team
 * with the same function, so summaries still read like insurance work; its
 * applications draw cadence, size and failure rates from the ranges the
 * hand-made applications span, with the same mix of elite, daily, weekly,
 * monthly and quarterly deliverers as the constant table.
 *
 * Everything is drawn from streams derived from the seed and the team or
 * application index, so application k is the same whatever N (as long as
 * N > k), and the first 35 are always Harbourside's own.
 */
#include "internal.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPS_PER_TEAM 5

static const char *const domains[] = {
    "Motor", "Home", "Travel", "Pet", "Life", "Pensions", "Commercial", "Marine", "Fleet", "Health",
    "Broker", "Reinsurance", "Savings", "Annuities", "Protection", "SME", "Cyber", "Liability",
    "Property", "Wealth",
};

/* A function, the Harbourside team whose topics it borrows, and the
 * language its applications are mostly written in. */
typedef struct function_info {
    const char *name;
    int base_team;
    cw_demo_lang lang;
} function_info;

static const function_info functions[] = {
    {"Claims", 1, CW_DEMO_JAVA},   {"Policy", 0, CW_DEMO_JAVA},   {"Pricing", 0, CW_DEMO_KOTLIN},
    {"Billing", 2, CW_DEMO_JAVA},  {"Payments", 2, CW_DEMO_GO},   {"Digital", 3, CW_DEMO_TS},
    {"Mobile", 3, CW_DEMO_TS},     {"Data", 4, CW_DEMO_PY},       {"Platform", 4, CW_DEMO_GO},
    {"Underwriting", 0, CW_DEMO_JAVA},
};

/* Application kinds: repository suffix, service word, class-name stem. */
typedef struct noun_info {
    const char *slug, *word, *stem;
} noun_info;

static const noun_info nouns[] = {
    {"api", "API", "Api"},                {"portal", "Portal", "Portal"},
    {"engine", "Engine", "Engine"},       {"batch", "Batch", "Batch"},
    {"gateway", "Gateway", "Gateway"},    {"rules", "Rules", "Rule"},
    {"web", "Web", "Web"},                {"worker", "Worker", "Worker"},
    {"sync", "Sync", "Sync"},             {"reports", "Reports", "Report"},
    {"events", "Events", "Event"},        {"search", "Search", "Search"},
    {"documents", "Documents", "Document"}, {"notifications", "Notifications", "Notification"},
    {"scheduler", "Scheduler", "Schedule"}, {"adapter", "Adapter", "Adapter"},
};

static const char *const first_names[] = {
    "Alice", "Ben", "Carla", "Deepak", "Elena", "Felix", "Gita", "Hugo", "Irene", "Jonas", "Kate",
    "Leon", "Maya", "Nikhil", "Olga", "Pavel", "Quinn", "Rosa", "Sean", "Tara", "Umar", "Vera",
    "Will", "Xin", "Yusuf", "Zara", "Anil", "Beth", "Conor", "Dana", "Emil", "Freya",
};

static const char *const last_names[] = {
    "Adams", "Bhatt", "Clarke", "Dubois", "Evans", "Fischer", "Gupta", "Hall", "Ivanova", "Jensen",
    "Kowalski", "Lopez", "Morgan", "Nowicki", "Osei", "Price", "Quinn", "Rossi", "Singh", "Turner",
    "Usman", "Varga", "Walsh", "Young", "Zielinska", "Reddy", "Brennan", "Sharma",
};

/* Per cadence, the ranges Harbourside's own applications span. */
typedef struct cadence_range {
    double tickets_lo, tickets_hi, incident_lo, incident_hi, restore_lo, restore_hi;
    double review_lo, review_hi, fail_lo, fail_hi;
} cadence_range;

static const cadence_range ranges[] = {
    [CW_DEMO_ELITE] = {14, 18, 0.03, 0.045, 0.5, 0.9, 1.5, 2, 0.02, 0.02},
    [CW_DEMO_DAILY] = {4, 9, 0.06, 0.10, 1, 3, 6, 10, 0.03, 0.04},
    [CW_DEMO_WEEKLY] = {4, 9, 0.10, 0.20, 3, 10, 16, 24, 0.05, 0.07},
    [CW_DEMO_MONTHLY] = {3, 4, 0.20, 0.25, 10, 16, 30, 36, 0.07, 0.08},
    [CW_DEMO_QUARTERLY] = {2, 3, 0.28, 0.32, 12, 16, 36, 44, 0.09, 0.11},
};

/* ---- owned text ------------------------------------------------------------------ */

static void *own(cw_demo_world *w, void *p)
{
    w->owned = cw_grow(w->owned, &w->cap_owned, w->n_owned + 1, sizeof(*w->owned));
    w->owned[w->n_owned++] = p;
    return p;
}

static const char *own_text(cw_demo_world *w, char *text)
{
    return own(w, text);
}

static double between_d(cw_demo_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * cw_demo_unit(r);
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* ---- teams ---------------------------------------------------------------------- */

/* The product lines in an order drawn from the seed: a Fisher-Yates shuffle
 * of every (domain, function) pair; past 200 teams the lines repeat as
 * "Motor Claims 2". */
static size_t *shuffled_lines(uint64_t seed)
{
    size_t n = CW_DEMO_COUNT(domains) * CW_DEMO_COUNT(functions);
    size_t *order = cw_xmalloc(n * sizeof(*order));
    cw_demo_rng r = cw_demo_rng_derive(seed, 2999, 17);

    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)cw_demo_between(&r, 0, (long)i), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    return order;
}

static cw_demo_zone_id pick_zone(cw_demo_rng *r)
{
    double u = cw_demo_unit(r);
    return u < 0.45 ? CW_DEMO_LONDON : u < 0.65 ? CW_DEMO_WARSAW : u < 0.85 ? CW_DEMO_KOLKATA
                                                                          : CW_DEMO_NEW_YORK;
}

static void make_people(cw_demo_world *w, cw_demo_team *team, cw_demo_rng *r, size_t k)
{
    size_t n = (size_t)cw_demo_between(r, 5, 9);
    cw_demo_person *people = own(w, cw_xcalloc(n, sizeof(*people)));

    for (size_t i = 0; i < n; i++) {
        const char *first = first_names[cw_demo_between(r, 0, CW_DEMO_COUNT(first_names) - 1)];
        const char *last = last_names[cw_demo_between(r, 0, CW_DEMO_COUNT(last_names) - 1)];
        char *email = cw_asprintf("%s.%s.%zu@harbourside.example", first, last, k * 10 + i);
        lower_ascii(email);
        people[i].name = own_text(w, cw_asprintf("%s %s", first, last));
        people[i].email = own_text(w, email);
        people[i].zone = cw_demo_chance(r, 0.85) ? team->zone : CW_DEMO_LONDON;
    }
    team->people = people;
    team->n_people = n;
}

/* Team k (counted after Harbourside's five) of product line `line`. */
static void make_team(cw_demo_world *w, uint64_t seed, size_t k, size_t line, size_t round,
                      cw_demo_team *team)
{
    const function_info *f = &functions[line % CW_DEMO_COUNT(functions)];
    const char *domain = domains[line / CW_DEMO_COUNT(functions)];
    cw_demo_rng r = cw_demo_rng_derive(seed, 3000 + (uint64_t)k, 11);

    team->name = own_text(w, round ? cw_asprintf("%s %s %zu", domain, f->name, round + 1)
                                   : cw_asprintf("%s %s", domain, f->name));
    team->zone = pick_zone(&r);
    team->oncall = cw_demo_chance(&r, 0.6) ? CW_DEMO_PAGERDUTY : CW_DEMO_SERVICENOW;
    team->topics = cw_demo_teams[f->base_team].topics;
    team->n_topics = cw_demo_teams[f->base_team].n_topics;
    make_people(w, team, &r, k);
}

/* ---- applications ---------------------------------------------------------------- */

static cw_demo_cadence pick_cadence(cw_demo_rng *r)
{
    /* the constant table's mix: 4 elite, 11 daily, 11 weekly, 8 monthly, 1 quarterly of 35 */
    double u = cw_demo_unit(r);
    return u < 0.08 ? CW_DEMO_ELITE : u < 0.38 ? CW_DEMO_DAILY : u < 0.70 ? CW_DEMO_WEEKLY
         : u < 0.95 ? CW_DEMO_MONTHLY : CW_DEMO_QUARTERLY;
}

static int key_taken(const cw_demo_world *w, const char *key)
{
    for (size_t i = 0; i < w->n_apps; i++)
        if (strcmp(w->apps[i].project, key) == 0)
            return 1;
    return 0;
}

/* A Jira project key of upper-case letters, unique in the world: the
 * initials of domain, function and noun, then letters until it is new. */
static char *project_key(const cw_demo_world *w, const char *domain, const char *function,
                         const char *noun)
{
    char key[16];
    size_t n;

    snprintf(key, sizeof key, "%.3s%.2s%.2s", domain, function, noun);
    for (char *p = key; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    n = strlen(key);
    for (int extra = 0; key_taken(w, key) && extra < 26 * 26; extra++) {
        key[n] = (char)('A' + extra / 26);
        key[n + 1] = (char)('A' + extra % 26);
        key[n + 2] = '\0';
    }
    return cw_strdup(key);
}

static void make_app(cw_demo_world *w, uint64_t seed, size_t index, int team_index, size_t line,
                     size_t slot, cw_demo_app *app)
{
    const function_info *f = &functions[line % CW_DEMO_COUNT(functions)];
    const char *domain = domains[line / CW_DEMO_COUNT(functions)];
    const cw_demo_team *team = &w->teams[team_index];
    cw_demo_rng r = cw_demo_rng_derive(seed, 4000 + (uint64_t)index, 13);
    /* the team's five kinds: distinct, from an offset of the team's own */
    cw_demo_rng team_r = cw_demo_rng_derive(seed, 3500 + (uint64_t)team_index, 19);
    const noun_info *noun = &nouns[(slot * 3 + (size_t)cw_demo_between(&team_r, 0, 15)) % CW_DEMO_COUNT(nouns)];
    const cadence_range *cr;
    char *name;

    memset(app, 0, sizeof(*app));
    /* "Motor Claims" -> "motor-claims-api"; "Motor Claims 2" -> "motor-claims-2-api" */
    name = cw_asprintf("%s-%s", team->name, noun->slug);
    for (char *p = name; *p; p++)
        *p = *p == ' ' ? '-' : (char)tolower((unsigned char)*p);
    app->name = own_text(w, name);
    app->project = own_text(w, project_key(w, domain, f->name, noun->slug));
    app->project_name = own_text(w, cw_asprintf("%s %s", team->name, noun->word));
    app->service = app->project_name;
    app->stem = own_text(w, cw_asprintf("%s%s", domain, noun->stem));
    app->team = team_index;
    app->cadence = pick_cadence(&r);
    app->lang = app->cadence == CW_DEMO_QUARTERLY && cw_demo_chance(&r, 0.5) ? CW_DEMO_COBOL
              : f->lang == CW_DEMO_JAVA && cw_demo_chance(&r, 0.3) ? CW_DEMO_KOTLIN : f->lang;
    cr = &ranges[app->cadence];
    app->tickets_per_week = between_d(&r, cr->tickets_lo, cr->tickets_hi);
    app->incident_p = between_d(&r, cr->incident_lo, cr->incident_hi);
    app->restore_mean_h = between_d(&r, cr->restore_lo, cr->restore_hi);
    app->review_mean_h = between_d(&r, cr->review_lo, cr->review_hi);
    app->deploy_fail_p = between_d(&r, cr->fail_lo, cr->fail_hi);
}

/* ---- the world ------------------------------------------------------------------- */

int cw_demo_world_build(cw_demo_world *w, uint64_t seed, size_t n_apps)
{
    size_t own_apps = n_apps && n_apps < cw_demo_n_apps ? n_apps : cw_demo_n_apps;
    size_t extra = n_apps > cw_demo_n_apps ? n_apps - cw_demo_n_apps : 0;
    size_t extra_teams = (extra + APPS_PER_TEAM - 1) / APPS_PER_TEAM;
    size_t n_lines = CW_DEMO_COUNT(domains) * CW_DEMO_COUNT(functions);
    size_t *lines;

    memset(w, 0, sizeof(*w));
    if (n_apps > CW_DEMOGEN_MAX_APPS)
        return -1;
    w->teams = cw_xcalloc(cw_demo_n_teams + extra_teams, sizeof(*w->teams));
    w->apps = cw_xcalloc(own_apps + extra, sizeof(*w->apps));
    memcpy(w->teams, cw_demo_teams, cw_demo_n_teams * sizeof(*w->teams));
    memcpy(w->apps, cw_demo_apps, own_apps * sizeof(*w->apps));
    w->n_teams = cw_demo_n_teams;
    w->n_apps = own_apps;
    if (!extra)
        return 0;
    lines = shuffled_lines(seed);
    for (size_t k = 0; k < extra_teams; k++)
        make_team(w, seed, k, lines[k % n_lines], k / n_lines, &w->teams[w->n_teams + k]);
    for (size_t i = 0; i < extra; i++) {
        size_t k = i / APPS_PER_TEAM;
        make_app(w, seed, w->n_apps, (int)(w->n_teams + k), lines[k % n_lines], i % APPS_PER_TEAM,
                 &w->apps[w->n_apps]);
        w->n_apps++;
    }
    w->n_teams += extra_teams;
    free(lines);
    return 0;
}

void cw_demo_world_free(cw_demo_world *w)
{
    for (size_t i = 0; i < w->n_owned; i++)
        free(w->owned[i]);
    free(w->owned);
    free(w->teams);
    free(w->apps);
    memset(w, 0, sizeof(*w));
}
