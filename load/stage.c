/*
 * stage.c - staged writes: a batch's one-row upserts merged a set at a time.
 *
 * On a client/server engine (cw_db_driver.staged_writes: PostgreSQL) every
 * statement costs a network round trip, and a nightly batch runs one or
 * more per record.  So the loader does not send the record upserts of
 * load/sql/sink.sql one by one there.  Each bound row of a staged statement
 * is kept here, client-side; a flush appends them to a temporary staging
 * table per statement with the bulk path (COPY FROM STDIN) and runs ONE
 * set-based statement per table: the same named statement, rewritten by
 * cw_sql_staged() (load/sqltext.c) so its parameters come from the staging
 * rows.  The upsert rules (which columns, what counts as a change, what must
 * not regress) are therefore written once, in sink.sql, for both paths.
 *
 * Why the result equals running the rows one at a time, in order:
 *  - Rows of different natural keys do not interact: each statement writes
 *    the one row its key names (and reads only rows loaded before the batch
 *    or by statements merged earlier in the flush order below).
 *  - Rows of the same key must apply in order, and one INSERT ... ON
 *    CONFLICT DO UPDATE cannot touch a row twice.  So each record gets a
 *    generation: 0 for the first of its key in the set, one more for each
 *    repeat (ServiceNow writes a row per version of an incident).  A flush
 *    merges generation 0 of every statement, then generation 1, and so on:
 *    within one merge every key is unique, and repeats apply in order.  The
 *    statements a record runs after its first one (a build's checkouts and
 *    deployment) take that record's generation.
 *  - Statements are merged in the order of `staged[]`, which is the order a
 *    record runs them (a build before its revisions and its deployment), and
 *    a record never reads what another record of the same flush wrote: a
 *    transition is not looked up in the warehouse (its item may still be
 *    staged) but goes to stage_transition, which is attached set-based after
 *    the last flush (resolve.c).  Groups
 *    of statements (one per kind of record) never read each other's staged
 *    rows.
 *  - Memory is bounded: a set is flushed at STAGE_ROWS rows or STAGE_BYTES
 *    bytes, whatever the input size, and only between records
 *    (wh_stage_room, as each record begins).  A flush between the rows of
 *    one record would put its later rows in a new set under generation 0,
 *    where the next record of the same key also starts at 0: two rows of
 *    one key in one merge, which PostgreSQL refuses ("ON CONFLICT DO UPDATE
 *    command cannot affect row a second time").
 *
 * What differs: a value the schema refuses fails the merge, and with it the
 * batch (as any database error does), instead of rejecting the one record;
 * the sink checks every value it can before a row is staged, and text is
 * UTF-8 before it gets here.  rows_changed is the same: the merges of the
 * records' own statements (staged[].counts) write one row per record whose
 * row changed, which is what the one-at-a-time path counts (sink.c,
 * run_own).
 *
 * An embedded engine (SQLite) runs each statement in process, which is
 * cheaper than a detour through a table: there the stage stays off, unless
 * a test turns it on (cw_wh_stage_writes) to check that both paths agree.
 */
#include "wh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqltext.h"
#include "../core/log.h"
#include "../core/util.h"

#define STAGE_ROWS 50000
#define STAGE_BYTES (32u << 20)
#define STAGE_PARAMS 32             /* the most parameters of a staged statement */
#define KEY_PARAMS 5

/* The staged statements in merge order, each with the parameters that make
 * its natural key (0-terminated; none: duplicates are harmless), whether its
 * rows count as records changed, and its group: the statements one kind of
 * record runs, the first of them the record's own row (it sets the
 * record's generation), the others reading it (a build's deployment reads
 * the build). */
typedef struct staged_def {
    wh_stmt_id id;
    unsigned char key[KEY_PARAMS];
    int counts;
    int group;
} staged_def;

enum { G_STATUS, G_ITEM, G_TRANSITION, G_COMMIT, G_BUILD, G_INCIDENT, G_PULL, G_DEPLOY_STATUS,
       G_RELEASE, G_VERSION, G_PULL_COMMIT, G_PULL_REVIEW, G_LINK, N_GROUPS };

static const staged_def staged[] = {
    { S_SOURCE_STATUS_UPSERT, { 1, 2 }, 1, G_STATUS },
    { S_ITEM_UPSERT, { 1 }, 1, G_ITEM },
    { S_LINK_MARK, { 0 }, 0, G_ITEM },
    { S_TRANSITION_INSERT, { 0 }, 1, G_TRANSITION },
    { S_STAGE_INSERT, { 0 }, 0, G_TRANSITION },
    { S_COMMIT_UPSERT, { 1, 2 }, 1, G_COMMIT },
    { S_BUILD_UPSERT, { 1, 2, 3 }, 1, G_BUILD },
    { S_BUILD_REVISION_UPSERT, { 0 }, 0, G_BUILD },
    { S_BUILD_REVISION_PRUNE, { 0 }, 0, G_BUILD },
    { S_DEPLOY_UPSERT, { 0 }, 0, G_BUILD },
    { S_INCIDENT_MOVE, { 1, 2 }, 0, G_INCIDENT },
    { S_INCIDENT_UPSERT, { 0 }, 1, G_INCIDENT },
    { S_PULL_REQUEST_UPSERT, { 2, 3 }, 1, G_PULL },
    { S_DEPLOY_STATUS_UPSERT, { 1, 2, 3, 4 }, 1, G_DEPLOY_STATUS },
    { S_RELEASE_UPSERT, { 1, 2 }, 1, G_RELEASE },
    { S_VERSION_STAGE, { 0 }, 0, G_VERSION },
    { S_PULL_REQUEST_COMMIT_UPSERT, { 2, 3, 4 }, 1, G_PULL_COMMIT },
    { S_PULL_REQUEST_REVIEW_UPSERT, { 2, 3, 4 }, 1, G_PULL_REVIEW },
    { S_LINK_STAGE, { 0 }, 0, G_LINK },
};
#define N_STAGED (sizeof(staged) / sizeof(staged[0]))

/* One staged statement's rows: each its generation (an int), then each
 * value a tag byte ('N', 'I', 'R', 'T') and 8 bytes (I, R) or the text and
 * its NUL (T). */
typedef struct stage_rows {
    cw_buf rows;
    long n;
    int nparams;                /* 0 until first used */
    int created;                /* its staging table exists in this session */
    cw_stmt *merge;             /* the set-based form, prepared at its first flush */
} stage_rows;

struct wh_stage {
    stage_rows s[N_STAGED];
    cw_strmap *keys[N_GROUPS];  /* key -> generation, of the group's current set */
    int gen[N_GROUPS];          /* the generation of the group's current record */
    int max_gen[N_GROUPS];
    long rows;
    size_t bytes;
    cw_db_value cap[STAGE_PARAMS];  /* the row being bound; texts owned */
    int cap_of;                 /* its staged[] index, -1 when none */
};

int wh_staged(cw_warehouse *wh, wh_stmt_id id)
{
    if (!wh->stage)
        return -1;
    for (size_t k = 0; k < N_STAGED; k++)
        if (staged[k].id == id)
            return (int)k;
    return -1;
}

static void capture_clear(wh_stage *st)
{
    for (int i = 0; i < STAGE_PARAMS; i++) {
        if (st->cap[i].type == CW_DB_TEXT)
            free((char *)st->cap[i].text);
        st->cap[i] = (cw_db_value){ .type = CW_DB_NULL };
    }
    st->cap_of = -1;
}

int wh_stage_bind(cw_warehouse *wh, int k, int i, const cw_db_value *v)
{
    wh_stage *st = wh->stage;
    if (i < 1 || i > STAGE_PARAMS) {
        snprintf(wh->err, sizeof(wh->err), "staged parameter %d out of range", i);
        return CW_DB_ERROR;
    }
    if (st->cap_of != k)
        capture_clear(st);
    st->cap_of = k;
    if (st->cap[i - 1].type == CW_DB_TEXT)
        free((char *)st->cap[i - 1].text);
    st->cap[i - 1] = *v;
    if (v->type == CW_DB_TEXT)
        st->cap[i - 1].text = cw_strdup(v->text);
    return CW_DB_OK;
}

/* The parameters of staged statement k (the highest ?N of its SQL). */
static int nparams_of(cw_warehouse *wh, int k)
{
    stage_rows *r = &wh->stage->s[k];
    if (!r->nparams) {
        free(cw_sql_rewrite_params(wh_stmt_sql(wh, staged[k].id), &r->nparams));
        if (r->nparams > STAGE_PARAMS)
            r->nparams = STAGE_PARAMS;
    }
    return r->nparams;
}

/* "k|v1|v2..." from the captured key values.  Two different keys may map to
 * the same string only through a \x1f inside a value: that costs a later
 * generation (one more merge), never a wrong one. */
static void key_of(wh_stage *st, int k, cw_buf *key)
{
    cw_buf_printf(key, "%d", k);
    for (int j = 0; j < KEY_PARAMS && staged[k].key[j]; j++) {
        const cw_db_value *v = &st->cap[staged[k].key[j] - 1];
        cw_buf_puts(key, "\x1f");
        if (v->type == CW_DB_INT)
            cw_buf_printf(key, "%lld", (long long)v->i);
        else if (v->type == CW_DB_REAL)
            cw_buf_printf(key, "%.17g", v->r);
        else if (v->type == CW_DB_TEXT)
            cw_buf_puts(key, v->text);
        else
            cw_buf_puts(key, "\x1e");
    }
}

static void encode(stage_rows *r, const cw_db_value *v, int n)
{
    for (int i = 0; i < n; i++) {
        static const char tags[] = { [CW_DB_NULL] = 'N', [CW_DB_INT] = 'I',
                                     [CW_DB_REAL] = 'R', [CW_DB_TEXT] = 'T' };
        cw_buf_append(&r->rows, &tags[v[i].type], 1);
        if (v[i].type == CW_DB_INT)
            cw_buf_append(&r->rows, (const char *)&v[i].i, sizeof(v[i].i));
        else if (v[i].type == CW_DB_REAL)
            cw_buf_append(&r->rows, (const char *)&v[i].r, sizeof(v[i].r));
        else if (v[i].type == CW_DB_TEXT)
            cw_buf_append(&r->rows, v[i].text, strlen(v[i].text) + 1);
    }
    r->n++;
}

/* The next encoded row at *p into v[0..n). */
static const char *decode(const char *p, cw_db_value *v, int n)
{
    for (int i = 0; i < n; i++) {
        char tag = *p++;
        v[i] = (cw_db_value){ .type = CW_DB_NULL };
        if (tag == 'I') {
            v[i].type = CW_DB_INT;
            memcpy(&v[i].i, p, sizeof(v[i].i));
            p += sizeof(v[i].i);
        } else if (tag == 'R') {
            v[i].type = CW_DB_REAL;
            memcpy(&v[i].r, p, sizeof(v[i].r));
            p += sizeof(v[i].r);
        } else if (tag == 'T') {
            v[i].type = CW_DB_TEXT;
            v[i].text = p;
            p += strlen(p) + 1;
        }
    }
    return p;
}

/* The generation of the row being staged: a group's first statement
 * starts a record (0 for a new key, one more for a repeat); the others take
 * their record's. */
static int generation(wh_stage *st, int k)
{
    int g = staged[k].group;
    if (staged[k].key[0]) {
        cw_buf key = {0};
        int64_t seen;
        key_of(st, k, &key);
        st->gen[g] = cw_strmap_get(st->keys[g], key.data, &seen) ? (int)seen + 1 : 0;
        cw_strmap_put(st->keys[g], key.data, st->gen[g]);
        cw_buf_free(&key);
        if (st->gen[g] > st->max_gen[g])
            st->max_gen[g] = st->gen[g];
    }
    return st->gen[g];
}

int wh_stage_row(cw_warehouse *wh, int k)
{
    wh_stage *st = wh->stage;
    int n = nparams_of(wh, k), gen;
    size_t before = st->s[k].rows.len;
    if (st->cap_of != k)
        capture_clear(st);
    gen = generation(st, k);
    cw_buf_append(&st->s[k].rows, (const char *)&gen, sizeof(gen));
    encode(&st->s[k], st->cap, n);
    st->bytes += st->s[k].rows.len - before;
    st->rows++;
    capture_clear(st);
    return CW_DB_DONE;
}

/* ------------------------------------------------------------------ flush */

static void table_of(int k, char *buf, size_t size)
{
    snprintf(buf, size, "cw_stage_%s", wh_stmt_name(staged[k].id));
}

/* CREATE TEMP TABLE IF NOT EXISTS cw_stage_NAME (cw_seq, cw_p1 TYPE, ...):
 * each parameter typed as the engine inferred it for the statement. */
static int create_table(cw_warehouse *wh, int k, const char *table)
{
    cw_stmt *one = wh_stmt(wh, staged[k].id);
    cw_buf ddl = {0};
    int rc;
    if (!one)
        return CW_DB_ERROR;
    cw_buf_printf(&ddl, "CREATE TEMP TABLE IF NOT EXISTS %s (cw_seq BIGINT, cw_gen BIGINT",
                  table);
    for (int i = 1; i <= wh->stage->s[k].nparams; i++)
        cw_buf_printf(&ddl, ", cw_p%d %s", i, cw_db_param_type(one, i));
    cw_buf_puts(&ddl, ")");
    rc = cw_db_exec(wh->db, ddl.data);
    cw_buf_free(&ddl);
    return rc;
}

static int append_rows(cw_warehouse *wh, int k, const char *table)
{
    static const char *const names[STAGE_PARAMS + 2] = {
        "cw_seq", "cw_gen", "cw_p1", "cw_p2", "cw_p3", "cw_p4", "cw_p5", "cw_p6", "cw_p7",
        "cw_p8", "cw_p9", "cw_p10", "cw_p11", "cw_p12", "cw_p13", "cw_p14", "cw_p15", "cw_p16",
        "cw_p17", "cw_p18", "cw_p19", "cw_p20", "cw_p21", "cw_p22", "cw_p23", "cw_p24",
        "cw_p25", "cw_p26", "cw_p27", "cw_p28", "cw_p29", "cw_p30", "cw_p31", "cw_p32" };
    stage_rows *r = &wh->stage->s[k];
    cw_db_value v[STAGE_PARAMS + 2];
    const char *p = r->rows.data;
    cw_bulk *bulk;
    int rc = cw_db_bulk_begin(wh->db, table, names, r->nparams + 2, &bulk), gen;
    for (long row = 0; rc == CW_DB_OK && row < r->n; row++) {
        memcpy(&gen, p, sizeof(gen));
        p += sizeof(gen);
        v[0] = (cw_db_value){ .type = CW_DB_INT, .i = row };
        v[1] = (cw_db_value){ .type = CW_DB_INT, .i = gen };
        p = decode(p, v + 2, r->nparams);
        rc = cw_db_bulk_row(bulk, v);
    }
    if (bulk) {
        int end = cw_db_bulk_end(bulk);
        if (rc == CW_DB_OK)
            rc = end;
    }
    return rc;
}

/* Merge generation gen of statement k's staging table (the set-based form
 * reads "(SELECT * FROM table WHERE cw_gen = ?1)"); a statement with none is
 * a bug the tests catch (every entry of staged[] is INSERT ... VALUES /
 * SELECT, DELETE ... WHERE or UPDATE ... WHERE). */
static int merge(cw_warehouse *wh, int k, const char *table, int gen)
{
    stage_rows *r = &wh->stage->s[k];
    int rc;
    if (!r->merge) {
        char from[160], *sql;
        snprintf(from, sizeof(from), "(SELECT * FROM %s WHERE cw_gen = ?1)", table);
        sql = cw_sql_staged(wh_stmt_sql(wh, staged[k].id), from);
        if (!sql)
            cw_error("%s: %s has no set-based form", wh->where, wh_stmt_name(staged[k].id));
        rc = sql ? cw_db_prepare(wh->db, sql, &r->merge) : CW_DB_ERROR;
        free(sql);
        if (rc != CW_DB_OK)
            return rc;
    }
    rc = cw_db_bind_int(r->merge, 1, gen);
    if (rc == CW_DB_OK)
        rc = cw_db_step(r->merge);
    cw_db_reset(r->merge);
    if (rc < 0)
        return rc;
    if (staged[k].counts)
        wh->stats.rows_changed += cw_db_changes(wh->db);
    return CW_DB_OK;
}

/* Create (once per session) and fill statement k's staging table. */
static int fill(cw_warehouse *wh, int k, const char *table)
{
    stage_rows *r = &wh->stage->s[k];
    int rc = r->created ? CW_DB_OK : create_table(wh, k, table);
    r->created = rc == CW_DB_OK;
    return rc == CW_DB_OK ? append_rows(wh, k, table) : rc;
}

static int fail(cw_warehouse *wh, int k)
{
    cw_error("%s: merging the staged rows of %s: %s", wh->where, wh_stmt_name(staged[k].id),
             cw_db_errmsg(wh->db));
    return -1;
}

/* Merge the staged rows of one group: generation by generation, each in
 * merge order; then empty its staging tables. */
static int flush_group(cw_warehouse *wh, int group)
{
    wh_stage *st = wh->stage;
    char table[96], sql[128];
    for (size_t k = 0; k < N_STAGED; k++) {
        table_of((int)k, table, sizeof(table));
        if (staged[k].group == group && st->s[k].n > 0 && fill(wh, (int)k, table) != CW_DB_OK)
            return fail(wh, (int)k);
    }
    for (int gen = 0; gen <= st->max_gen[group]; gen++)
        for (size_t k = 0; k < N_STAGED; k++) {
            table_of((int)k, table, sizeof(table));
            if (staged[k].group == group && st->s[k].n > 0 &&
                merge(wh, (int)k, table, gen) != CW_DB_OK)
                return fail(wh, (int)k);
        }
    for (size_t k = 0; k < N_STAGED; k++) {
        if (staged[k].group != group || st->s[k].n == 0)
            continue;
        cw_debug("%s: merged %ld staged rows of %s", wh->where, st->s[k].n,
                 wh_stmt_name(staged[k].id));
        table_of((int)k, table, sizeof(table));
        snprintf(sql, sizeof(sql), "DELETE FROM %s", table);
        if (cw_db_exec(wh->db, sql) != CW_DB_OK)
            return fail(wh, (int)k);
        st->rows -= st->s[k].n;
        st->bytes -= st->s[k].rows.len;
        cw_buf_reset(&st->s[k].rows);
        st->s[k].n = 0;
    }
    cw_strmap_clear(st->keys[group]);
    st->max_gen[group] = 0;
    st->gen[group] = 0;
    return 0;
}

int wh_stage_room(cw_warehouse *wh)
{
    wh_stage *st = wh->stage;
    if (!st || (st->rows < STAGE_ROWS && st->bytes < STAGE_BYTES))
        return 0;
    return wh_stage_flush(wh);
}

int wh_stage_flush(cw_warehouse *wh)
{
    wh_stage *st = wh->stage;
    if (!st || st->rows == 0)
        return 0;
    for (int g = 0; g < N_GROUPS; g++)
        if (flush_group(wh, g) != 0)
            return -1;
    return 0;
}

void wh_stage_discard(cw_warehouse *wh)
{
    wh_stage *st = wh->stage;
    if (!st)
        return;
    /* the staging tables were created in the rolled-back transaction */
    for (size_t k = 0; k < N_STAGED; k++) {
        cw_buf_reset(&st->s[k].rows);
        st->s[k].n = 0;
        cw_db_finalize(st->s[k].merge);
        st->s[k].merge = NULL;
        st->s[k].created = 0;
    }
    for (int g = 0; g < N_GROUPS; g++) {
        cw_strmap_clear(st->keys[g]);
        st->max_gen[g] = 0;
        st->gen[g] = 0;
    }
    capture_clear(st);
    st->rows = 0;
    st->bytes = 0;
}

/* ------------------------------------------------------------------ life */

int cw_wh_stage_writes(cw_warehouse *wh, int on)
{
    if (wh->in_batch)
        return -1;
    if (on && !wh->stage) {
        wh->stage = cw_xcalloc(1, sizeof(*wh->stage));
        for (int g = 0; g < N_GROUPS; g++)
            wh->stage->keys[g] = cw_strmap_new();
        wh->stage->cap_of = -1;
    } else if (!on && wh->stage) {
        wh_stage_free(wh);
    }
    return 0;
}

void wh_stage_free(cw_warehouse *wh)
{
    wh_stage *st = wh->stage;
    if (!st)
        return;
    wh_stage_discard(wh);
    for (size_t k = 0; k < N_STAGED; k++)
        cw_buf_free(&st->s[k].rows);
    for (int g = 0; g < N_GROUPS; g++)
        cw_strmap_free(st->keys[g]);
    free(st);
    wh->stage = NULL;
}
